// Writing a checked plan: one SetChParam per distinct value (SY4527/SY5527 use the first element of
// the value buffer for every channel, so channels that get different values need their own call),
// then one GetChParam to read every channel back. A read-back that differs from the request (clamped
// by SVMax, refused by an interlock, changed by someone else) is reported, not hidden.
import { isConnectionError } from '../caen/caen-error.js';
import { GemcaenError } from '../errors.js';
import { float32Decimal } from '../float32.js';
import { checkPlanLimits, type ChangeIntent, type ChangePlan, type ChangeRow } from './change.js';
import type { ControlSession } from './session.js';
import { formatParamValue, tolerance } from './value.js';

export interface AppliedRow extends ChangeRow {
  /** the value read back right after the write (NaN for a write-only parameter) */
  readBack: number;
  /** read-back equals the request within the board's precision */
  ok: boolean;
}

export interface ApplyResult {
  rows: AppliedRow[];
  /** SetChParam calls made */
  writes: number;
  /** rows whose read-back differs from the request */
  mismatches: AppliedRow[];
}

/** Channels grouped by the value they get, in first-seen order. */
export function writeGroups(rows: readonly ChangeRow[]): { value: number; channels: number[] }[] {
  const groups: { value: number; channels: number[] }[] = [];
  for (const r of rows) {
    const g = groups.find((x) => Object.is(x.value, r.next));
    if (g) g.channels.push(r.channel);
    else groups.push({ value: r.next, channels: [r.channel] });
  }
  return groups;
}

/**
 * Writes the plan and reads it back. The limits are read and checked again first (SVMax may have been
 * lowered, a set point raised, while the plan waited at its prompt): a refusal then writes nothing.
 * A failed SetChParam stops at once (no further writes): see failedWrite. Throws nothing for a
 * read-back mismatch: see `mismatches`.
 */
export function applyPlan(session: ControlSession, plan: ChangePlan, intent: ChangeIntent = {}): ApplyResult {
  const { target, param, meta } = plan;
  checkPlanLimits(session, plan, 'apply', intent);
  const groups = writeGroups(plan.rows);
  const done: number[] = [];
  let writes = 0;
  for (const [i, g] of groups.entries()) {
    try {
      writes++;
      session.writeChParam(target.slot, param, g.channels, g.value);
      done.push(...g.channels);
    } catch (err) {
      throw failedWrite(session, plan, done, g, groups.slice(i + 1).flatMap((x) => x.channels), err);
    }
  }
  const channels = plan.rows.map((r) => r.channel);
  const readBack = meta.mode === 'WRONLY' ? channels.map(() => Number.NaN) : session.readChParam(target.slot, param, channels).map(float32Decimal);
  const rows: AppliedRow[] = plan.rows.map((r, i) => {
    const rb = readBack[i] ?? Number.NaN;
    const ok = Number.isNaN(rb) ? meta.mode === 'WRONLY' : Math.abs(rb - r.next) <= tolerance(meta, r.next);
    return { ...r, readBack: rb, ok };
  });
  return { rows, writes, mismatches: rows.filter((r) => !r.ok) };
}

/**
 * The error of a SetChParam that failed after `done` were written. A refused call (the crate answered
 * with an error) wrote nothing of its group; a lost reply (time-out, connection) leaves its group's
 * state unknown, so those channels are read back (when the session still answers) and reported as
 * applied, not applied or unknown. Nothing written and nothing unknown: the wrapper's own error.
 * Otherwise SET_PARTIAL, with written / unknown / notWritten channels in its details.
 */
export function failedWrite(
  session: ControlSession,
  plan: ChangePlan,
  done: readonly number[],
  group: { value: number; channels: number[] },
  later: readonly number[],
  err: unknown,
): unknown {
  const lost = isConnectionError(err);
  const message = err instanceof Error ? err.message : String(err);
  if (!lost && done.length === 0) return err;
  const unknown = lost ? group.channels : [];
  const notWritten = lost ? [...later] : [...group.channels, ...later];
  const { meta, param } = plan;
  const readBack = new Map<number, number>();
  let readError: string | undefined;
  if (unknown.length > 0 && meta.mode !== 'WRONLY') {
    try {
      session.readChParam(plan.target.slot, param, unknown).forEach((v, i) => readBack.set(unknown[i] as number, float32Decimal(v)));
    } catch (e) {
      readError = e instanceof Error ? e.message : String(e);
    }
  }
  const applied = unknown.filter((c) => readBack.has(c) && Math.abs((readBack.get(c) as number) - group.value) <= tolerance(meta, group.value));
  const notApplied = unknown.filter((c) => readBack.has(c) && !applied.includes(c));
  const stillUnknown = unknown.filter((c) => !readBack.has(c));
  if (done.length === 0 && applied.length === 0 && stillUnknown.length === 0) return err; // read back: nothing changed
  const ch = (list: readonly number[]): string => `channel${list.length > 1 ? 's' : ''} ${list.join(', ')}`;
  const parts: string[] = [];
  if (done.length > 0) parts.push(`${param} was written on ${ch(done)}`);
  if (unknown.length > 0) {
    const state: string[] = [];
    if (applied.length > 0) state.push(`${ch(applied)} read back ${formatParamValue(group.value, meta)} (applied)`);
    for (const c of notApplied) state.push(`channel ${c} read back ${formatParamValue(readBack.get(c), meta)} (not applied)`);
    if (stillUnknown.length > 0) state.push(`${ch(stillUnknown)} unknown${readError ? ` (the read-back failed too: ${readError})` : ''}`);
    parts.push(`the reply for ${ch(unknown)} (${param} ${formatParamValue(group.value, meta)}) was lost: ${message}; ${state.join('; ')}`);
  } else {
    parts.push(`not written on ${ch(group.channels)}: ${message}`);
  }
  if (lost && later.length > 0) parts.push(`not written on ${ch(later)}`);
  else if (!lost && later.length > 0) parts[parts.length - 1] += ` (nor on ${ch(later)})`;
  return new GemcaenError('SET_PARTIAL', `${parts.join('; ')}; check the crate (gemcaen status / ieq) and repeat`, {
    cause: err,
    details: {
      written: [...done],
      unknown: stillUnknown,
      applied,
      notApplied,
      notWritten,
      readBack: Object.fromEntries(readBack),
    },
  });
}
