// A planned change of one channel parameter on some channels of a setup, checked against every
// limit before anything is written: the parameter's Mode and Minval/Maxval, each channel's SVMax
// for voltages, and a GEM setup's MaxElectrodeVolts. Building a plan reads; it never writes.
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
 * Voltage set points: each channel's next value must not exceed its SVMax (read now, one GetChParam,
 * when the board has SVMax) nor the setup's MaxElectrodeVolts (GEM). Refusals name the channel and the limit.
 */
export function checkVoltageLimits(session: ControlSession, plan: ChangePlan, boardParams: readonly string[]): void {
  if (!VOLTAGE_SET_PARAMS.includes(plan.param)) return;
  const { target } = plan;
  const channels = plan.rows.map((r) => r.channel);
  const svmax = boardParams.includes('SVMax') ? session.readChParam(target.slot, 'SVMax', channels).map(float32Decimal) : undefined;
  const maxElectrode = target.setup.isGEM ? target.setup.gem?.maxElectrodeVolts : undefined;
  plan.rows.forEach((row, i) => {
    const limit = svmax?.[i];
    if (limit !== undefined && row.next > limit + 1e-9) {
      throw new UsageError(
        'VALUE_ABOVE_SVMAX',
        `${row.label}: ${plan.param} ${row.next} V is above the channel's SVMax ${formatParamValue(limit, plan.meta)} V; lower the value or raise SVMax first`,
        { details: { channel: row.channel, value: row.next, svmax: limit } },
      );
    }
    if (maxElectrode !== undefined && row.next > maxElectrode) {
      throw new UsageError(
        'VALUE_ABOVE_MAX_ELECTRODE_VOLTS',
        `${row.label}: ${plan.param} ${row.next} V is above MaxElectrodeVolts ${maxElectrode} V of setup ${target.setup.name}; lower the value (or the limit in the config, if it is wrong)`,
        { details: { channel: row.channel, value: row.next, maxElectrodeVolts: maxElectrode } },
      );
    }
  });
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
