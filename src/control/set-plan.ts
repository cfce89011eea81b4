// `gemcaen set`: one parameter, one value, some channels of a setup. Every check runs before any write.
import { UsageError } from '../errors.js';
import { checkPlanLimits, checkRange, readCurrent, rowsFor, writableParam, type ChangePlan } from './change.js';
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

/**
 * The checked plan of a set: the parameter exists and is writable, the value has its type and lies in
 * Minval..Maxval, voltages are under every channel's SVMax and the channel's MaxElectrodeVolts. An SVMax
 * below a channel's set point is not refused here: `plan.clamps` lists the set points the crate would
 * lower, for the plan to show; checkClampIntent (and applyPlan) refuse it without allowClamp. Reads only.
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
    boardParams,
    clamps: [],
  };
  const { limits, clamps } = checkPlanLimits(session, plan, 'plan');
  if (limits.svmax) plan.svmaxAtPlan = limits.svmax;
  plan.clamps = clamps;
  return plan;
}
