// `gemcaen ieq`: the readings of a triple-GEM stack, and the V0Set of every electrode for a target
// equivalent divider current (V0Set = Ieq x R, rounded to the board's precision). Never touches Pw.
import type { ParamMeta } from '../caen/types.js';
import { UsageError } from '../errors.js';
import { float32Decimal } from '../float32.js';
import { ieqMicroAmps, stackTotals, v0SetForIeq, type Electrode, type StackTotals } from '../gem/index.js';
import { checkPlanLimits, checkRange, collectRefusal, rowsFor, throwRefusals, writableParam, type ChangePlan } from './change.js';
import type { ControlSession } from './session.js';
import type { ControlTarget } from './target.js';

/** What `gemcaen ieq` reads per electrode (one GetChParam each for the whole layer). */
export const IEQ_READ_PARAMS = ['VMon', 'IMon', 'V0Set', 'Pw', 'Status'] as const;

export interface ElectrodeReading extends Electrode {
  vmon: number;
  imon: number;
  v0set: number;
  pw: number;
  status: number;
  /** VMon / R, uA */
  ieq: number;
}

export interface StackReading {
  target: ControlTarget;
  electrodes: ElectrodeReading[];
  /** the stack as measured: VMon summed, Ieq = ΣVMon / ΣR */
  total: StackTotals;
  /** the stack as set: V0Set summed */
  totalSet: StackTotals;
  v0setMeta: ParamMeta;
}

function gemElectrodes(target: ControlTarget): readonly Electrode[] {
  if (!target.setup.isGEM || !target.electrodes) {
    throw new UsageError('NOT_GEM_SETUP', `setup ${target.setup.name} is not a GEM setup (isGEMDetector: false): Ieq exists only for triple-GEM layers`);
  }
  return target.electrodes;
}

/** Reads the stack: one GetChParam per parameter for the seven electrodes. */
export function readStack(session: ControlSession, target: ControlTarget): StackReading {
  const electrodes = gemElectrodes(target);
  const channels = electrodes.map((e) => e.channel);
  const v0setMeta = session.paramMeta(target.slot, 'V0Set', channels[0]);
  const read: Record<string, number[]> = {};
  // float32 from the crate, as its shortest decimal (433.4, not 433.3999938964844): Ieq is then the same
  // number the daemon logs
  for (const p of IEQ_READ_PARAMS) read[p] = session.readChParam(target.slot, p, channels).map(float32Decimal);
  const rows: ElectrodeReading[] = electrodes.map((e, i) => {
    const vmon = read.VMon?.[i] ?? Number.NaN;
    return {
      ...e,
      vmon,
      imon: read.IMon?.[i] ?? Number.NaN,
      v0set: read.V0Set?.[i] ?? Number.NaN,
      pw: read.Pw?.[i] ?? Number.NaN,
      status: read.Status?.[i] ?? 0,
      ieq: ieqMicroAmps(vmon, e.resistorMOhm),
    };
  });
  return {
    target,
    electrodes: rows,
    total: stackTotals(rows.map((r) => ({ volts: r.vmon, resistorMOhm: r.resistorMOhm }))),
    totalSet: stackTotals(rows.map((r) => ({ volts: r.v0set, resistorMOhm: r.resistorMOhm }))),
    v0setMeta,
  };
}

/**
 * The checked plan of `ieq --set UA`: V0Set = UA x R for each electrode, rounded to V0Set's Decimal,
 * refused (naming the electrode and the limit) above Maxval, SVMax or MaxElectrodeVolts.
 */
export function planIeq(session: ControlSession, stack: StackReading, microAmps: number): ChangePlan {
  const { target } = stack;
  if (!Number.isFinite(microAmps) || microAmps < 0) {
    throw new UsageError('IEQ_INVALID', `--set ${microAmps}: the target Ieq must be a number of uA, 0 or more (e.g. --set 700)`);
  }
  const channels = stack.electrodes.map((e) => e.channel);
  const boardParams = session.chParamNames(target.slot, channels[0] as number);
  const meta = writableParam(session, target, 'V0Set', channels[0] as number, boardParams);
  const next = stack.electrodes.map((e) => v0SetForIeq(microAmps, e.resistorMOhm, meta.decimal));
  const plan: ChangePlan = { target, param: 'V0Set', meta, rows: rowsFor(target, channels, next, stack.electrodes.map((e) => e.v0set)), boardParams, clamps: [] };
  // every electrode over a limit is named, not only the first
  const refusals: UsageError[] = [];
  for (const row of plan.rows) collectRefusal(refusals, () => checkRange(meta, 'V0Set', row.next, `${row.label} at ${microAmps} uA`));
  throwRefusals(refusals);
  const { limits } = checkPlanLimits(session, plan, 'plan');
  if (limits.svmax) plan.svmaxAtPlan = limits.svmax;
  return plan;
}
