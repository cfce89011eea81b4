// Decides which field values are worth writing: a value is written when it changed (beyond the
// quantity's deadband, compared with the last WRITTEN value so slow drifts are still written) or when
// the setup's heartbeat interval passed since it was last written. Decided per sink × setup × series × field.
// Time is the points' own timestamps, so the decision does not depend on when the writer sees them.
import type { FieldValue, Point } from '../protocol.js';
import { seriesHead } from './line-protocol.js';

export interface DedupPolicy {
  /** write an unchanged value again after this long (default 300) */
  heartbeatSeconds: number;
  /** per field name: a change of at most this much is not a change (e.g. VMon: 0.5) */
  deadbands: Readonly<Record<string, number>>;
}

export const DEFAULT_POLICY: DedupPolicy = Object.freeze({ heartbeatSeconds: 300, deadbands: Object.freeze({}) });

interface Written {
  value: FieldValue;
  atMs: number;
}

export class Dedup {
  readonly #policies: ReadonlyMap<string, DedupPolicy>;
  /** sink → setup → escaped measurement and sorted tags → field → last written */
  readonly #last = new Map<string, Map<string, Map<string, Map<string, Written>>>>();

  constructor(policies: Readonly<Record<string, DedupPolicy>>) {
    const map = new Map<string, DedupPolicy>();
    for (const [setup, p] of Object.entries(policies)) {
      if (!(p.heartbeatSeconds > 0)) throw new RangeError(`policies.${setup}.heartbeatSeconds must be a positive number`);
      for (const [field, d] of Object.entries(p.deadbands)) {
        if (!(d >= 0)) throw new RangeError(`policies.${setup}.deadbands.${field} must be a number >= 0`);
      }
      map.set(setup, p);
    }
    this.#policies = map;
  }

  /**
   * The point with only the fields that must be written, or undefined when none must be.
   * Remembers what it lets through as written.
   */
  filter(setup: string, point: Point, sink = '', head = seriesHead(point)): Point | undefined {
    const policy = this.#policies.get(setup) ?? DEFAULT_POLICY;
    const heartbeatMs = policy.heartbeatSeconds * 1000;
    // nested maps: no key string built per point (the head is usually a cached, already hashed string)
    let bySetup = this.#last.get(sink);
    if (!bySetup) this.#last.set(sink, (bySetup = new Map()));
    let bySeries = bySetup.get(setup);
    if (!bySeries) bySetup.set(setup, (bySeries = new Map()));
    let series = bySeries.get(head);
    if (!series) bySeries.set(head, (series = new Map()));
    let kept: Record<string, FieldValue> | undefined;
    for (const name in point.fields) {
      const value = point.fields[name];
      const last = series.get(name);
      const due =
        last === undefined ||
        point.timeMs - last.atMs >= heartbeatMs ||
        point.timeMs < last.atMs || // clock went back: do not hide values for the gap
        changed(last.value, value, policy.deadbands[name]);
      if (!due) continue;
      if (last) {
        last.value = value;
        last.atMs = point.timeMs;
      } else series.set(name, { value, atMs: point.timeMs });
      (kept ??= {})[name] = value;
    }
    if (kept === undefined) return undefined;
    return { measurement: point.measurement, tags: point.tags, fields: kept, timeMs: point.timeMs };
  }

  /** number of (sink, setup, series, field) values remembered */
  get size(): number {
    let n = 0;
    for (const bySetup of this.#last.values()) for (const bySeries of bySetup.values()) for (const m of bySeries.values()) n += m.size;
    return n;
  }
}

function changed(last: FieldValue, now: FieldValue, deadband: number | undefined): boolean {
  if (last.type !== now.type) return true;
  if ((now.type === 'float' || now.type === 'int') && deadband !== undefined && deadband > 0) {
    const a = last.value as number;
    const b = now.value;
    if (Number.isNaN(a) || Number.isNaN(b)) return !Object.is(a, b);
    return Math.abs(b - a) > deadband;
  }
  return !Object.is(last.value, now.value);
}
