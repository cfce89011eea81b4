// `gemcaen set`: one parameter, one value, some channels of a setup. Every check runs before any write.
import { UsageError } from '../errors.js';
import { checkRange, checkVoltageLimits, readCurrent, rowsFor, writableParam, type ChangePlan } from './change.js';
import type { ControlSession } from './session.js';
import type { ControlTarget } from './target.js';
import { parseParamValue } from './value.js';

export interface SetRequest {
  /** channels, already checked to belong to the setup (checkChannelsInSetup) */
  channels: readonly number[];
  param: string;
  /** the value as typed */
  value: string;
}

/** Parses "3", "0,1,2" or "0-6" (and mixes: "0-2,5") into channel numbers; CHANNEL_INVALID otherwise. */
export function parseChannelList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new UsageError('CHANNEL_INVALID', `--channel "${text}": "${part}" is not a channel number; give e.g. --channel 3 or --channel 0,1,2 or --channel 0-6`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from || to - from > 0xffff) throw new UsageError('CHANNEL_INVALID', `--channel "${text}": range ${part} runs backwards or is too long`);
    for (let c = from; c <= to; c++) if (!out.includes(c)) out.push(c);
  }
  return out;
}

/**
 * The checked plan of a set: the parameter exists and is writable, the value has its type and lies in
 * Minval..Maxval, voltages are under every channel's SVMax and the GEM MaxElectrodeVolts. Reads only.
 */
export function planSet(session: ControlSession, target: ControlTarget, req: SetRequest): ChangePlan {
  const first = req.channels[0];
  if (first === undefined) throw new UsageError('CHANNEL_INVALID', 'no channel given: use --channel N[,M…]');
  const boardParams = session.chParamNames(target.slot, first);
  const meta = writableParam(session, target, req.param, first, boardParams);
  const where = `${req.param} of the ${target.board.model} in slot ${target.slot}`;
  const value = parseParamValue(req.value, meta, where);
  checkRange(meta, req.param, value, `slot ${target.slot}`);
  const current = readCurrent(session, target, req.param, meta, req.channels);
  const plan: ChangePlan = {
    target,
    param: req.param,
    meta,
    rows: rowsFor(target, req.channels, req.channels.map(() => value), current),
  };
  checkVoltageLimits(session, plan, boardParams);
  return plan;
}
