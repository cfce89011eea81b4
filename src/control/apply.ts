// Writing a checked plan: one SetChParam per distinct value (SY4527/SY5527 use the first element of
// the value buffer for every channel, so channels that get different values need their own call),
// then one GetChParam to read every channel back. A read-back that differs from the request (clamped
// by SVMax, refused by an interlock, changed by someone else) is reported, not hidden.
import { GemcaenError } from '../errors.js';
import { float32Decimal } from '../float32.js';
import type { ChangePlan, ChangeRow } from './change.js';
import type { ControlSession } from './session.js';
import { tolerance } from './value.js';

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
 * Writes the plan and reads it back. A failed SetChParam stops at once (no further writes): the error
 * says which channels were already written. Throws nothing for a read-back mismatch: see `mismatches`.
 */
export function applyPlan(session: ControlSession, plan: ChangePlan): ApplyResult {
  const { target, param, meta } = plan;
  const done: number[] = [];
  let writes = 0;
  for (const g of writeGroups(plan.rows)) {
    try {
      writes++;
      session.writeChParam(target.slot, param, g.channels, g.value);
      done.push(...g.channels);
    } catch (err) {
      if (done.length === 0) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new GemcaenError(
        'SET_PARTIAL',
        `${param} was written on channel${done.length > 1 ? 's' : ''} ${done.join(', ')} but not on ${g.channels.join(', ')} and after: ${message}; check the crate (gemcaen ieq / status) and repeat`,
        { cause: err, details: { written: done, failed: g.channels } },
      );
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
