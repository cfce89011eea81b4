// `gemcaen ieq <setup> [--json]`: the triple-GEM stack of a GEM setup, electrode by electrode, with its
// equivalent divider current Ieq = VMon / R. `--set UA [--yes]`: V0Set of every electrode = UA x R
// (rounded to the board's precision), checked against Maxval, SVMax and MaxElectrodeVolts, confirmed,
// written and read back. Never switches power on or off.
import type { Command } from 'commander';
import { chStatusHasAlarm, formatChStatus } from '../caen/status-bits.js';
import {
  formatParamValue,
  parseDecimal,
  planIeq,
  planView,
  readStack,
  resolveTarget,
  type StackReading,
} from '../control/index.js';
import { ieqMicroAmps, stackTotals } from '../gem/index.js';
import { ExitCode, UsageError } from '../errors.js';
import type { ControlPlanView, ControlRequest } from '../protocol.js';
import { action } from './command.js';
import { metaOf, runChange, type ControlPresentation } from './control-flow.js';
import { checkSetupBoard, loadSetup, withSetupCrate, type GlobalOptions } from './open-setup.js';
import { table } from './render/format.js';
import { describeResult } from './set.js';

interface IeqOptions extends GlobalOptions {
  json?: boolean;
  set?: string;
  yes?: boolean;
  direct?: boolean;
}

export function register(program: Command): void {
  program
    .command('ieq')
    .description('show a triple-GEM layer electrode by electrode with Ieq = VMon / R; --set UA sets every V0Set to UA x R')
    .argument('<setup>', 'GEM setup name from the config (isGEMDetector: true)')
    .option('--json', 'print the readings as JSON')
    .option('--set <uA>', 'target equivalent divider current in uA: V0Set = uA x R on all seven electrodes (asks first)')
    .option('-y, --yes', 'with --set: apply without asking (needed when stdin is not a terminal)')
    .option('--direct', 'with --set: open an own session on the crate even when a running gemcaen daemon serves it')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 a channel of the stack in alarm, a read-back that differs or the crate failed, 2 refused (nothing written), 3 declined at the prompt.',
    )
    .action(
      action(async (setupName: string, _opts: IeqOptions, command: Command) => {
        const opts = command.optsWithGlobals<IeqOptions>();
        if (opts.set !== undefined && opts.json) throw new UsageError('OPTION_CONFLICT', '--json is for reading the stack; drop it when using --set');
        if (opts.yes && opts.set === undefined) throw new UsageError('OPTION_CONFLICT', '--yes only applies to --set UA');
        if (opts.direct && opts.set === undefined) throw new UsageError('OPTION_CONFLICT', '--direct only applies to --set UA');
        if (opts.set === undefined) {
          await withSetupCrate(opts, setupName, ({ crate, setup, board }) => {
            requireGem(setup.name, setup.isGEM);
            const stack = readStack(crate, resolveTarget(crate, setup, board));
            process.stdout.write(opts.json ? `${JSON.stringify(stackJson(stack), null, 2)}\n` : `${describeStack(stack)}\n`);
            reportAlarms(stack);
          });
          return;
        }
        const microAmps = parseMicroAmps(opts.set);
        const base = loadSetup(opts, setupName);
        requireGem(base.setup.name, base.setup.isGEM);
        const request: ControlRequest = { kind: 'ieq', setup: setupName, microAmps };
        const present: ControlPresentation = {
          describePlan: (v) => describeIeqPlan(v, microAmps),
          describeResult: (v, writes) => `${describeResult(v, writes)}\n${describeIeqResult(v)}`,
          question: (v) => `Set V0Set of the ${v.rows.length} electrodes for Ieq ${microAmps} uA?`,
          command: `gemcaen ieq ${setupName} --set ${opts.set}`,
          yes: opts.yes === true,
        };
        await runChange(base, opts.direct === true, request, present, ({ crate, setup, mainframe }) => {
          const board = checkSetupBoard(crate, setup, mainframe);
          const stack = readStack(crate, resolveTarget(crate, setup, board));
          const plan = planIeq(crate, stack, microAmps);
          return { plan, view: planView(request, mainframe.id, plan, stack) };
        });
      }),
    );
}

function requireGem(name: string, isGEM: boolean): void {
  if (!isGEM) throw new UsageError('NOT_GEM_SETUP', `setup ${name} is not a GEM setup (isGEMDetector: false): Ieq exists only for triple-GEM layers; name a GEM setup`);
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
export function describeIeqPlan(view: ControlPlanView, microAmps: number): string {
  const meta = metaOf(view);
  const electrodes = view.electrodes ?? [];
  const rows = view.rows.map((r, i) => {
    const e = electrodes[i];
    const R = e?.resistorMOhm ?? Number.NaN;
    return [
      String(r.channel), r.name, e?.alias ?? '', R.toFixed(6), f(e?.vmon ?? Number.NaN, 1), f(e?.ieq ?? Number.NaN, 1),
      `${formatParamValue(r.current, meta)} → ${formatParamValue(r.next, meta)}`,
      `${f(ieqMicroAmps(r.current, R), 1)} → ${f(ieqMicroAmps(r.next, R), 1)}`,
      pwText(e?.pw ?? Number.NaN),
    ];
  });
  const R = (i: number): number => electrodes[i]?.resistorMOhm ?? Number.NaN;
  const total = stackTotals(electrodes.map((e) => ({ volts: e.vmon, resistorMOhm: e.resistorMOhm })));
  const nowSet = stackTotals(view.rows.map((r, i) => ({ volts: r.current, resistorMOhm: R(i) })));
  const nextSet = stackTotals(view.rows.map((r, i) => ({ volts: r.next, resistorMOhm: R(i) })));
  rows.push([
    '', 'stack', '', total.resistorMOhm.toFixed(6), f(total.volts, 1), f(total.ieqMicroAmps, 1),
    `${f(nowSet.volts, 1)} → ${f(nextSet.volts, 1)}`, `${f(nowSet.ieqMicroAmps, 1)} → ${f(nextSet.ieqMicroAmps, 1)}`, '',
  ]);
  const layer = view.layer !== undefined ? `, layer ${view.layer}` : '';
  const decimals = view.format?.decimal ?? 0;
  return (
    `setup ${view.setup}: slot ${view.slot} (${view.board})${layer}: V0Set for Ieq ${microAmps} uA (V0Set = Ieq x R, ${decimals} decimal${decimals === 1 ? '' : 's'}); Pw is not changed\n` +
    `${table(['ch', 'name', 'electrode', 'R [MOhm]', 'VMon [V]', 'Ieq [uA]', 'V0Set [V] now → next', 'Ieq(V0Set) [uA] now → next', 'Pw'], rows)}\n` +
    `total stack voltage: ${f(nowSet.volts, 1)} V → ${f(nextSet.volts, 1)} V`
  );
}

function describeIeqResult(view: ControlPlanView): string {
  const total = stackTotals(view.rows.map((r, i) => ({ volts: r.readBack ?? Number.NaN, resistorMOhm: view.electrodes?.[i]?.resistorMOhm ?? Number.NaN })));
  return `stack V0Set now ${f(total.volts, 1)} V (Ieq ${f(total.ieqMicroAmps, 1)} uA); VMon follows at the ramp rate (RUp/RDWn)`;
}

/** A stack with a channel in alarm (tripped, over current…) is not at its set points: say which, exit 1. */
function reportAlarms(stack: StackReading): void {
  const inAlarm = stack.electrodes.filter((e) => chStatusHasAlarm(e.status));
  if (inAlarm.length === 0) return;
  const which = inAlarm.map((e) => `${e.alias} (channel ${e.channel}) ${formatChStatus(e.status)}`).join('; ');
  process.stderr.write(`gemcaen: setup ${stack.target.setup.name}: ${which}: the stack is in alarm and not at its set points; see gemcaen status ${stack.target.setup.name}\n`);
  process.exitCode = ExitCode.FAILURE;
}
