// A planned change of one channel parameter on some channels of a setup, checked against every
// limit before anything is written: the parameter's Mode and Minval/Maxval, each channel's SVMax
// for voltages, and the MaxElectrodeVolts of the channel. Building a plan reads; it never writes.
// The limit rules are pure functions of the plan and the readings (readLimits), so that they run
// again just before SetChParam (applyPlan) and in any process that owns the crate session.
import type { ParamMeta } from '../caen/types.js';
import { listText } from '../caen/mainframe.js';
import { UsageError } from '../errors.js';
import { float32Decimal } from '../float32.js';
import type { ControlSession } from './session.js';
import { channelLabel, type ControlTarget } from './target.js';
import { formatParamValue } from './value.js';

/** Voltage set points: checked against SVMax and MaxElectrodeVolts too. */
export const VOLTAGE_SET_PARAMS: readonly string[] = ['V0Set', 'V1Set'];

export interface ChangeRow {
  channel: number;
  /** how the channel is named in messages and tables */
  label: string;
  /** the value now (NaN when the parameter cannot be read) */
  current: number;
  next: number;
}

export interface ChangePlan {
  target: ControlTarget;
  param: string;
  meta: ParamMeta;
  rows: ChangeRow[];
  /** the board's channel parameters (GetChParamInfo): which limits exist to be read again */
  boardParams: readonly string[];
  /** SVMax of each row when the plan was made (voltage plans on a board with SVMax) */
  svmaxAtPlan?: readonly number[];
  /** SVMax plans: the set points the crate will lower (shown with the plan; applying needs allowClamp) */
  clamps: SetPointClamp[];
}

/** Checks that `channels` belong to the setup: CHANNEL_NOT_IN_SETUP lists the setup's channels. Makes no call. */
export function checkChannelsInSetup(setupName: string, setupChannels: readonly number[], channels: readonly number[]): void {
  const outside = channels.filter((c) => !setupChannels.includes(c));
  if (outside.length > 0) {
    throw new UsageError(
      'CHANNEL_NOT_IN_SETUP',
      `channel${outside.length > 1 ? 's' : ''} ${outside.join(', ')} ${outside.length > 1 ? 'are' : 'is'} not in setup ${setupName}; its channels are ${listText(setupChannels)}`,
      { details: { channels: outside, setupChannels: [...setupChannels] } },
    );
  }
}

/**
 * The metadata of a writable channel parameter: PARAM_UNKNOWN lists the board's parameters (`names`, from
 * GetChParamInfo), PARAM_READ_ONLY refuses RDONLY.
 */
export function writableParam(session: ControlSession, target: ControlTarget, param: string, channel: number, names: readonly string[]): ParamMeta {
  if (!names.includes(param)) {
    const guess = names.find((n) => n.toLowerCase() === param.toLowerCase());
    throw new UsageError(
      'PARAM_UNKNOWN',
      `the ${target.board.model} in slot ${target.slot} has no channel parameter ${param}${guess ? ` (did you mean ${guess}?)` : ''}; its parameters: ${names.join(', ')}`,
      { details: { param, params: names } },
    );
  }
  const meta = session.paramMeta(target.slot, param, channel);
  if (meta.mode === 'RDONLY') {
    throw new UsageError('PARAM_READ_ONLY', `${param} is read-only on the ${target.board.model} in slot ${target.slot} (a monitored value, Mode RDONLY): it cannot be set`, {
      details: { param },
    });
  }
  return meta;
}

/** A NUMERIC value inside the board's Minval..Maxval, else VALUE_OUT_OF_RANGE naming the channel and the range. */
export function checkRange(meta: ParamMeta, param: string, value: number, who: string): void {
  if (meta.type !== 'NUMERIC') return;
  const unit = meta.unit ? ` ${meta.unit}` : '';
  // Minval/Maxval are float32: compare with their shortest decimal (a Maxval of 437.4 must accept 437.4)
  const min = meta.min === undefined ? undefined : float32Decimal(meta.min);
  const max = meta.max === undefined ? undefined : float32Decimal(meta.max);
  if (min !== undefined && value < min) {
    throw new UsageError('VALUE_BELOW_MIN', `${who}: ${param} ${value}${unit} is below the board's minimum ${min}${unit} (Minval)`, {
      details: { param, value, min },
    });
  }
  if (max !== undefined && value > max) {
    throw new UsageError('VALUE_ABOVE_MAX', `${who}: ${param} ${value}${unit} is above the board's maximum ${max}${unit} (Maxval)`, {
      details: { param, value, max },
    });
  }
}

/**
 * The refusals of one plan, collected so that every channel over a limit is named at once (one line
 * each) instead of only the first. Thrown as one UsageError with the first refusal's code.
 */
export function throwRefusals(refusals: readonly UsageError[]): void {
  const [first] = refusals;
  if (first === undefined) return;
  if (refusals.length === 1) throw first;
  throw new UsageError(first.code, refusals.map((r) => r.message).join('\n'), {
    details: { refusals: refusals.map((r) => ({ code: r.code, ...r.details })) },
  });
}

/** Runs a check, keeping its refusal (a UsageError) instead of throwing it. */
export function collectRefusal(refusals: UsageError[], check: () => void): void {
  try {
    check();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    refusals.push(err);
  }
}

/** What the limit checks read from the crate: read when the plan is made, and again just before writing. */
export interface LimitReadings {
  /** voltage plans on a board with SVMax: each plan row's SVMax now */
  svmax?: readonly number[];
  /** SVMax plans: each plan row's V0Set/V1Set now (the set points the crate clamps to SVMax) */
  setPoints: Readonly<Record<string, readonly number[]>>;
}

/** A set point the crate lowers to the new SVMax when an SVMax plan is applied. */
export interface SetPointClamp {
  channel: number;
  label: string;
  param: string;
  current: number;
  clampedTo: number;
}

/** How far the person asking went: allowClamp is the explicit intent an SVMax below a set point needs. */
export interface ChangeIntent {
  allowClamp?: boolean;
}

/** When a check runs: at plan time, or again just before SetChParam. */
export type CheckTime = 'plan' | 'apply';

/**
 * Reads what the limit checks need: SVMax of the plan's channels for a voltage set point (one
 * GetChParam, when the board has SVMax); V0Set and V1Set (those the board has) for an SVMax plan.
 */
export function readLimits(session: ControlSession, plan: ChangePlan): LimitReadings {
  const { target, boardParams } = plan;
  const channels = plan.rows.map((r) => r.channel);
  const read = (p: string): number[] => session.readChParam(target.slot, p, channels).map(float32Decimal);
  if (VOLTAGE_SET_PARAMS.includes(plan.param)) {
    return boardParams.includes('SVMax') ? { svmax: read('SVMax'), setPoints: {} } : { setPoints: {} };
  }
  if (plan.param === 'SVMax') {
    const setPoints: Record<string, number[]> = {};
    for (const p of VOLTAGE_SET_PARAMS) if (boardParams.includes(p)) setPoints[p] = read(p);
    return { setPoints };
  }
  return { setPoints: {} };
}

/** The lowest MaxElectrodeVolts on a channel of the target: the channel's own (any setup), the setup's own. */
export function maxElectrodeVolts(target: ControlTarget, channel: number): { volts: number; setup: string } | undefined {
  const { setup } = target;
  let best: { volts: number; setup: string } | undefined;
  const shared = setup.channelMaxVolts?.find((l) => l.channel === channel);
  if (shared) best = { volts: shared.volts, setup: shared.setup };
  const own = setup.isGEM ? setup.gem?.maxElectrodeVolts : undefined;
  if (own !== undefined && (!best || own < best.volts)) best = { volts: own, setup: setup.name };
  return best;
}

/**
 * Voltage set points: each channel's next value must not exceed its SVMax (`limits.svmax`) nor the
 * MaxElectrodeVolts of the channel (whichever setup of the config gives it). Pure: refusals name the
 * channel and the limit; at apply time they say that the limit changed since the plan was shown.
 */
export function checkVoltageLimits(plan: ChangePlan, limits: LimitReadings, when: CheckTime = 'plan'): void {
  if (!VOLTAGE_SET_PARAMS.includes(plan.param)) return;
  const { target } = plan;
  const refusals: UsageError[] = [];
  plan.rows.forEach((row, i) => collectRefusal(refusals, () => {
    const limit = limits.svmax?.[i];
    if (limit !== undefined && row.next > limit + 1e-9) {
      const planned = plan.svmaxAtPlan?.[i];
      const changed = when === 'apply' ? ` (SVMax is now ${formatParamValue(limit, plan.meta)} V${planned !== undefined ? `, was ${formatParamValue(planned, plan.meta)} V when the plan was shown` : ''}); nothing was written` : '';
      throw new UsageError(
        'VALUE_ABOVE_SVMAX',
        `${row.label}: ${plan.param} ${row.next} V is above the channel's SVMax ${formatParamValue(limit, plan.meta)} V${changed}; lower the value or raise SVMax first`,
        { details: { channel: row.channel, value: row.next, svmax: limit, when } },
      );
    }
    const max = maxElectrodeVolts(target, row.channel);
    if (max !== undefined && row.next > max.volts) {
      const whose = max.setup === target.setup.name ? `of setup ${max.setup}` : `of setup ${max.setup}, which shares this channel`;
      throw new UsageError(
        'VALUE_ABOVE_MAX_ELECTRODE_VOLTS',
        `${row.label}: ${plan.param} ${row.next} V is above MaxElectrodeVolts ${max.volts} V ${whose}; lower the value (or the limit in the config, if it is wrong)`,
        { details: { channel: row.channel, value: row.next, maxElectrodeVolts: max.volts, limitSetup: max.setup } },
      );
    }
  }));
  throwRefusals(refusals);
}

/** SVMax plans: the set points (V0Set, V1Set) above the new SVMax, which the crate lowers to it. Pure. */
export function setPointClamps(plan: ChangePlan, limits: LimitReadings): SetPointClamp[] {
  if (plan.param !== 'SVMax') return [];
  const out: SetPointClamp[] = [];
  plan.rows.forEach((row, i) => {
    for (const [param, values] of Object.entries(limits.setPoints)) {
      const current = values[i];
      if (current !== undefined && current > row.next + 1e-9) out.push({ channel: row.channel, label: row.label, param, current, clampedTo: row.next });
    }
  });
  return out;
}

/**
 * An SVMax below a channel's set point lowers that set point for good (raising SVMax again does not
 * restore it): refused with SVMAX_BELOW_SET_POINT unless the intent says allowClamp. Pure.
 */
export function checkClampIntent(plan: ChangePlan, clamps: readonly SetPointClamp[], intent: ChangeIntent): void {
  if (clamps.length === 0 || intent.allowClamp === true) return;
  const list = clamps.map((c) => `${c.label} ${c.param} ${formatParamValue(c.current, plan.meta)} → ${formatParamValue(c.clampedTo, plan.meta)}`);
  throw new UsageError(
    'SVMAX_BELOW_SET_POINT',
    `SVMax ${formatParamValue(plan.rows[0]?.next, plan.meta)} is below the set point of ${list.join('; ')}: the crate would lower ${clamps.length > 1 ? 'them' : 'it'} to SVMax and not restore ${clamps.length > 1 ? 'them' : 'it'} when SVMax is raised again; nothing was written; to do this anyway, add --allow-clamp`,
    { details: { clamps: clamps.map((c) => ({ channel: c.channel, param: c.param, current: c.current, clampedTo: c.clampedTo })) } },
  );
}

/**
 * Reads the limits and runs every limit check of a plan: voltages under SVMax and MaxElectrodeVolts,
 * and, with an intent (at apply time), the clamps of an SVMax plan. Returns the readings and the clamps.
 */
export function checkPlanLimits(session: ControlSession, plan: ChangePlan, when: CheckTime, intent?: ChangeIntent): { limits: LimitReadings; clamps: SetPointClamp[] } {
  const limits = readLimits(session, plan);
  checkVoltageLimits(plan, limits, when);
  const clamps = setPointClamps(plan, limits);
  if (intent) checkClampIntent(plan, clamps, intent);
  return { limits, clamps };
}

/** The current values of the plan's parameter (one GetChParam), NaN for a write-only parameter. */
export function readCurrent(session: ControlSession, target: ControlTarget, param: string, meta: ParamMeta, channels: readonly number[]): number[] {
  if (meta.mode === 'WRONLY') return channels.map(() => Number.NaN);
  return session.readChParam(target.slot, param, channels).map(float32Decimal);
}

/** The rows of a plan whose channels all get their own value. */
export function rowsFor(target: ControlTarget, channels: readonly number[], next: readonly number[], current: readonly number[]): ChangeRow[] {
  return channels.map((channel, i) => ({ channel, label: channelLabel(target, channel), current: current[i] ?? Number.NaN, next: next[i] as number }));
}
