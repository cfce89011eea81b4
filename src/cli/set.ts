// `gemcaen set <setup> --channel N[,M…] --param NAME --value V [--yes]`: changes one channel parameter
// of some channels of a setup, after checking the parameter, the value and every limit (Minval/Maxval,
// SVMax, MaxElectrodeVolts), showing current → new and asking for confirmation. One SetChParam, then
// a read-back per channel.
import type { Command } from 'commander';
import {
  checkChannelsInSetup,
  checkClampIntent,
  formatParamValue,
  parseChannelList,
  planSet,
  planView,
  resolveTarget,
} from '../control/index.js';
import type { ControlPlanView, ControlRequest } from '../protocol.js';
import { action } from './command.js';
import { metaOf, runChange, type ControlPresentation } from './control-flow.js';
import { loadSetup, checkSetupBoard, type GlobalOptions } from './open-setup.js';
import { table, unitText } from './render/format.js';

interface SetOptions extends GlobalOptions {
  channel: string;
  param: string;
  value: string;
  yes?: boolean;
  direct?: boolean;
  allowClamp?: boolean;
}

export function register(program: Command): void {
  program
    .command('set')
    .description('change a channel parameter (V0Set, I0Set, Pw, RUp…) of channels of a setup, checked against the board limits; asks before applying')
    .argument('<setup>', 'setup name from the config')
    .requiredOption('--channel <list>', 'channels of the setup: 3, 0,1,2 or 0-6')
    .requiredOption('--param <name>', 'channel parameter, as the board names it (V0Set, I0Set, Pw, RUp, RDWn, SVMax…)')
    .requiredOption('--value <value>', 'new value: a number, or on/off for Pw and other on/off parameters')
    .option('-y, --yes', 'apply without asking (needed when stdin is not a terminal)')
    .option('--allow-clamp', 'SVMax only: allow an SVMax below a channel\'s V0Set/V1Set, which the crate then lowers to SVMax for good')
    .option('--direct', 'open an own session on the crate even when a running gemcaen daemon serves it')
    .addHelpText(
      'after',
      '\nThrough the running daemon when one serves the crate (no second login), else on an own session. Every set is audited (gemcaen audit).\n' +
        'Exit codes: 0 applied and read back, 1 read-back differs or the crate failed, 2 refused (nothing written), 3 declined at the prompt.',
    )
    .action(
      action(async (setupName: string, _opts: SetOptions, command: Command) => {
        const opts = command.optsWithGlobals<SetOptions>();
        const channels = parseChannelList(opts.channel);
        const base = loadSetup(opts, setupName);
        const intent = { allowClamp: opts.allowClamp === true };
        const request: ControlRequest = { kind: 'set', setup: setupName, channels, param: opts.param, value: opts.value, ...(intent.allowClamp ? { allowClamp: true } : {}) };
        const present: ControlPresentation = {
          describePlan,
          describeResult,
          question: (v) => `Apply ${v.param} to ${v.rows.length} channel${v.rows.length > 1 ? 's' : ''}?`,
          command: `gemcaen set ${setupName} --channel ${opts.channel} --param ${opts.param} --value ${opts.value}${intent.allowClamp ? ' --allow-clamp' : ''}`,
          yes: opts.yes === true,
        };
        await runChange(
          base,
          opts.direct === true,
          request,
          present,
          ({ crate, setup, mainframe }) => {
            const board = checkSetupBoard(crate, setup, mainframe);
            checkChannelsInSetup(setup.name, setup.channels, channels);
            const plan = planSet(crate, resolveTarget(crate, setup, board), { channels, param: opts.param, value: opts.value });
            return { plan, view: planView(request, mainframe.id, plan), afterShown: () => checkClampIntent(plan, plan.clamps, intent) };
          },
          intent,
        );
      }),
    );
}

function unitOf(view: ControlPlanView): string {
  const unit = view.format?.type === 'NUMERIC' ? unitText(view.format) : '';
  return unit ? ` [${unit}]` : '';
}

/** The planned change as a table: channel, current → new. */
export function describePlan(view: ControlPlanView): string {
  const meta = metaOf(view);
  const head = `setup ${view.setup}: slot ${view.slot} (${view.board}), ${view.param}${unitOf(view)}`;
  const rows = view.rows.map((r) => [
    String(r.channel),
    r.name,
    ...(view.isGEM ? [r.label.split(' ')[0] ?? ''] : []),
    formatParamValue(r.current, meta),
    formatParamValue(r.next, meta),
  ]);
  const cols = ['ch', 'name', ...(view.isGEM ? ['electrode'] : []), 'current', 'new'];
  const clamps = (view.clamps ?? []).map(
    (c) => `  ${c.label}: ${c.param} ${formatParamValue(c.current, meta)} → ${formatParamValue(c.clampedTo, meta)} (clamped by the crate; raising SVMax later does not restore it)`,
  );
  const consequence = clamps.length > 0 ? `\nthe crate lowers these set points to the new SVMax:\n${clamps.join('\n')}` : '';
  return `${head}\n${table(cols, rows)}${consequence}`;
}

/** What was written and read back, per channel. */
export function describeResult(view: ControlPlanView, writes: number): string {
  const meta = metaOf(view);
  const rows = view.rows.map((r) => [
    String(r.channel),
    r.name,
    formatParamValue(r.next, meta),
    formatParamValue(r.readBack, meta),
    r.ok ? 'ok' : 'DIFFERS',
  ]);
  const calls = `${writes} SetChParam call${writes > 1 ? 's' : ''}`;
  return `applied (${calls}); read back:\n${table(['ch', 'name', 'requested', 'read back', ''], rows)}`;
}
