// `gemcaen ieq <setup> [--json]`: the triple-GEM stack of a GEM setup, electrode by electrode, with its
// equivalent divider current Ieq = VMon / R. `--set UA [--yes]`: V0Set of every electrode = UA x R
// (rounded to the board's precision), checked against Maxval, SVMax and MaxElectrodeVolts, confirmed,
// written and read back. Never switches power on or off.
import type { Command } from 'commander';
import { formatChStatus } from '../caen/status-bits.js';
import {
  applyPlan,
  confirmChange,
  formatParamValue,
  parseDecimal,
  planIeq,
  readStack,
  resolveTarget,
  type ApplyResult,
  type ChangePlan,
  type StackReading,
} from '../control/index.js';
import { ieqMicroAmps, stackTotals } from '../gem/index.js';
import { UsageError } from '../errors.js';
import { action } from './command.js';
import { withSetupCrate, type GlobalOptions } from './open-setup.js';
import { table } from './render/format.js';
import { describeResult, mismatchError } from './set.js';

interface IeqOptions extends GlobalOptions {
  json?: boolean;
  set?: string;
  yes?: boolean;
}

export function register(program: Command): void {
  program
    .command('ieq')
    .description('show a triple-GEM layer electrode by electrode with Ieq = VMon / R; --set UA sets every V0Set to UA x R')
    .argument('<setup>', 'GEM setup name from the config (isGEMDetector: true)')
    .option('--json', 'print the readings as JSON')
    .option('--set <uA>', 'target equivalent divider current in uA: V0Set = uA x R on all seven electrodes (asks first)')
    .option('-y, --yes', 'with --set: apply without asking (needed when stdin is not a terminal)')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 read-back differs or the crate failed, 2 refused (nothing written), 3 declined at the prompt.',
    )
    .action(
      action(async (setupName: string, _opts: IeqOptions, command: Command) => {
        const opts = command.optsWithGlobals<IeqOptions>();
        if (opts.set !== undefined && opts.json) throw new UsageError('OPTION_CONFLICT', '--json is for reading the stack; drop it when using --set');
        if (opts.yes && opts.set === undefined) throw new UsageError('OPTION_CONFLICT', '--yes only applies to --set UA');
        const microAmps = opts.set === undefined ? undefined : parseMicroAmps(opts.set);
        await withSetupCrate(opts, setupName, async ({ crate, setup, board, signal }) => {
          if (!setup.isGEM) {
            throw new UsageError('NOT_GEM_SETUP', `setup ${setup.name} is not a GEM setup (isGEMDetector: false): Ieq exists only for triple-GEM layers; name a GEM setup`);
          }
          const target = resolveTarget(crate, setup, board);
          const stack = readStack(crate, target);
          if (microAmps === undefined) {
            process.stdout.write(opts.json ? `${JSON.stringify(stackJson(stack), null, 2)}\n` : `${describeStack(stack)}\n`);
            return;
          }
          const plan = planIeq(crate, stack, microAmps);
          process.stdout.write(`${describeIeqPlan(stack, plan, microAmps)}\n`);
          await confirmChange(`Set V0Set of the ${plan.rows.length} electrodes for Ieq ${microAmps} uA?`, {
            yes: opts.yes === true,
            input: process.stdin,
            output: process.stdout,
            command: `gemcaen ieq ${setupName} --set ${opts.set}`,
            keepalive: () => crate.keepalive(),
            signal,
          });
          const result = applyPlan(crate, plan);
          process.stdout.write(`${describeResult(plan, result)}\n${describeIeqResult(stack, result)}\n`);
          if (result.mismatches.length > 0) throw mismatchError(plan, result);
        });
      }),
    );
}

function parseMicroAmps(text: string): number {
  const parsed = parseDecimal(text);
  const shownText = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  if (!parsed.ok || parsed.value < 0) {
    const why = parsed.ok ? 'it is negative' : parsed.reason;
    throw new UsageError('IEQ_INVALID', `--set "${shownText}": ${why}; the target Ieq must be a decimal number of uA, 0 or more (e.g. --set 700)`);
  }
  return parsed.value;
}

const f = (v: number, d: number): string => (Number.isFinite(v) ? v.toFixed(d) : '?');

function header(stack: StackReading): string {
  const { target } = stack;
  const layer = target.setup.layer !== undefined ? `, layer ${target.setup.layer}` : '';
  return `setup ${target.setup.name}: slot ${target.slot} (${target.board.model})${layer}`;
}

type Electrode = StackReading['electrodes'][number];

/** The first columns of both stack tables: ch, name, electrode, R [MOhm], VMon [V], Ieq [uA]. */
function electrodeCells(e: Electrode): string[] {
  return [String(e.channel), e.name, e.alias, e.resistorMOhm.toFixed(6), f(e.vmon, 1), f(e.ieq, 1)];
}

/** The same columns of the totals row. */
function stackCells(stack: StackReading): string[] {
  return ['', 'stack', '', stack.total.resistorMOhm.toFixed(6), f(stack.total.volts, 1), f(stack.total.ieqMicroAmps, 1)];
}

const pwText = (pw: number): string => (pw === 1 ? 'On' : pw === 0 ? 'Off' : '?');

/** The stack table: one row per electrode and the totals. */
export function describeStack(stack: StackReading): string {
  const rows = stack.electrodes.map((e) => [...electrodeCells(e), formatParamValue(e.v0set, stack.v0setMeta), pwText(e.pw), formatChStatus(e.status)]);
  rows.push([...stackCells(stack), f(stack.totalSet.volts, 1), '', '']);
  return `${header(stack)}\n${table(['ch', 'name', 'electrode', 'R [MOhm]', 'VMon [V]', 'Ieq [uA]', 'V0Set [V]', 'Pw', 'Status'], rows)}`;
}

/** The same readings for scripts (numbers unrounded, Ieq in uA). */
export function stackJson(stack: StackReading): Record<string, unknown> {
  const { target } = stack;
  return {
    setup: target.setup.name,
    slot: target.slot,
    board: target.board.model,
    layer: target.setup.layer ?? null,
    electrodes: stack.electrodes.map((e) => ({
      channel: e.channel,
      name: e.name,
      alias: e.alias,
      suffix: e.suffix,
      resistorMOhm: e.resistorMOhm,
      VMon: e.vmon,
      IMon: e.imon,
      Ieq: e.ieq,
      V0Set: e.v0set,
      Pw: e.pw,
      Status: e.status,
      StatusText: formatChStatus(e.status),
    })),
    total: { VMon: stack.total.volts, V0Set: stack.totalSet.volts, resistorMOhm: stack.total.resistorMOhm, Ieq: stack.total.ieqMicroAmps, IeqSet: stack.totalSet.ieqMicroAmps },
  };
}

/** current → next per electrode (V0Set and Ieq) and the total stack voltage. */
export function describeIeqPlan(stack: StackReading, plan: ChangePlan, microAmps: number): string {
  const rows = stack.electrodes.map((e, i) => {
    const next = plan.rows[i]?.next ?? Number.NaN;
    return [
      ...electrodeCells(e),
      `${formatParamValue(e.v0set, plan.meta)} → ${formatParamValue(next, plan.meta)}`,
      `${f(ieqMicroAmps(e.v0set, e.resistorMOhm), 1)} → ${f(ieqMicroAmps(next, e.resistorMOhm), 1)}`,
      pwText(e.pw),
    ];
  });
  const nextTotal = stackTotals(plan.rows.map((r, i) => ({ volts: r.next, resistorMOhm: stack.electrodes[i]?.resistorMOhm ?? Number.NaN })));
  rows.push([
    ...stackCells(stack),
    `${f(stack.totalSet.volts, 1)} → ${f(nextTotal.volts, 1)}`, `${f(stack.totalSet.ieqMicroAmps, 1)} → ${f(nextTotal.ieqMicroAmps, 1)}`, '',
  ]);
  return (
    `${header(stack)}: V0Set for Ieq ${microAmps} uA (V0Set = Ieq x R, ${plan.meta.decimal ?? 0} decimal${plan.meta.decimal === 1 ? '' : 's'}); Pw is not changed\n` +
    `${table(['ch', 'name', 'electrode', 'R [MOhm]', 'VMon [V]', 'Ieq [uA]', 'V0Set [V] now → next', 'Ieq(V0Set) [uA] now → next', 'Pw'], rows)}\n` +
    `total stack voltage: ${f(stack.totalSet.volts, 1)} V → ${f(nextTotal.volts, 1)} V`
  );
}

function describeIeqResult(stack: StackReading, result: ApplyResult): string {
  const total = stackTotals(result.rows.map((r, i) => ({ volts: r.readBack, resistorMOhm: stack.electrodes[i]?.resistorMOhm ?? Number.NaN })));
  return `stack V0Set now ${f(total.volts, 1)} V (Ieq ${f(total.ieqMicroAmps, 1)} uA); VMon follows at the ramp rate (RUp/RDWn)`;
}
