// `gemcaen set <setup> --channel N[,M…] --param NAME --value V [--yes]`: changes one channel parameter
// of some channels of a setup, after checking the parameter, the value and every limit (Minval/Maxval,
// SVMax, MaxElectrodeVolts), showing current → new and asking for confirmation. One SetChParam, then
// a read-back per channel.
import type { Command } from 'commander';
import {
  applyPlan,
  checkChannelsInSetup,
  checkClampIntent,
  confirmChange,
  formatParamValue,
  parseChannelList,
  planSet,
  resolveTarget,
  type ApplyResult,
  type ChangePlan,
} from '../control/index.js';
import { GemcaenError } from '../errors.js';
import { action } from './command.js';
import { withSetupCrate, type GlobalOptions } from './open-setup.js';
import { table, unitText } from './render/format.js';

interface SetOptions extends GlobalOptions {
  channel: string;
  param: string;
  value: string;
  yes?: boolean;
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
    .addHelpText(
      'after',
      '\nExit codes: 0 applied and read back, 1 read-back differs or the crate failed, 2 refused (nothing written), 3 declined at the prompt.',
    )
    .action(
      action(async (setupName: string, _opts: SetOptions, command: Command) => {
        const opts = command.optsWithGlobals<SetOptions>();
        const channels = parseChannelList(opts.channel);
        await withSetupCrate(opts, setupName, async ({ crate, setup, board, signal }) => {
          checkChannelsInSetup(setup.name, setup.channels, channels);
          const target = resolveTarget(crate, setup, board);
          const plan = planSet(crate, target, { channels, param: opts.param, value: opts.value });
          const intent = { allowClamp: opts.allowClamp === true };
          process.stdout.write(`${describePlan(plan)}\n`);
          checkClampIntent(plan, plan.clamps, intent);
          await confirmChange(`Apply ${plan.param} to ${plan.rows.length} channel${plan.rows.length > 1 ? 's' : ''}?`, {
            yes: opts.yes === true,
            input: process.stdin,
            output: process.stdout,
            command: `gemcaen set ${setupName} --channel ${opts.channel} --param ${opts.param} --value ${opts.value}${intent.allowClamp ? ' --allow-clamp' : ''}`,
            keepalive: () => crate.keepalive(),
            signal,
          });
          const result = applyPlan(crate, plan, intent);
          process.stdout.write(`${describeResult(plan, result)}\n`);
          if (result.mismatches.length > 0) throw mismatchError(plan, result);
        });
      }),
    );
}

function unitOf(plan: ChangePlan): string {
  const unit = plan.meta.type === 'NUMERIC' ? unitText(plan.meta) : '';
  return unit ? ` [${unit}]` : '';
}

/** The planned change as a table: channel, current → new. */
export function describePlan(plan: ChangePlan): string {
  const { target } = plan;
  const head = `setup ${target.setup.name}: slot ${target.slot} (${target.board.model}), ${plan.param}${unitOf(plan)}`;
  const rows = plan.rows.map((r) => [
    String(r.channel),
    target.names.get(r.channel) ?? '',
    ...(target.setup.isGEM ? [r.label.split(' ')[0] ?? ''] : []),
    formatParamValue(r.current, plan.meta),
    formatParamValue(r.next, plan.meta),
  ]);
  const cols = ['ch', 'name', ...(target.setup.isGEM ? ['electrode'] : []), 'current', 'new'];
  const clamps = plan.clamps.map(
    (c) => `  ${c.label}: ${c.param} ${formatParamValue(c.current, plan.meta)} → ${formatParamValue(c.clampedTo, plan.meta)} (clamped by the crate; raising SVMax later does not restore it)`,
  );
  const consequence = clamps.length > 0 ? `\nthe crate lowers these set points to the new SVMax:\n${clamps.join('\n')}` : '';
  return `${head}\n${table(cols, rows)}${consequence}`;
}

/** What was written and read back, per channel. */
export function describeResult(plan: ChangePlan, result: ApplyResult): string {
  const { target } = plan;
  const rows = result.rows.map((r) => [
    String(r.channel),
    target.names.get(r.channel) ?? '',
    formatParamValue(r.next, plan.meta),
    formatParamValue(r.readBack, plan.meta),
    r.ok ? 'ok' : 'DIFFERS',
  ]);
  const calls = `${result.writes} SetChParam call${result.writes > 1 ? 's' : ''}`;
  return `applied (${calls}); read back:\n${table(['ch', 'name', 'requested', 'read back', ''], rows)}`;
}

export function mismatchError(plan: ChangePlan, result: ApplyResult): GemcaenError {
  const list = result.mismatches.map((r) => `${r.label} ${formatParamValue(r.readBack, plan.meta)} instead of ${formatParamValue(r.next, plan.meta)}`);
  return new GemcaenError(
    'READBACK_MISMATCH',
    `${plan.param} read back differs on ${list.join('; ')}: the board clamped or refused the value (check SVMax, interlocks, another client)`,
    { details: { channels: result.mismatches.map((r) => r.channel) } },
  );
}
