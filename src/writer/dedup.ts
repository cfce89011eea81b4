// Decides which field values are worth writing: a value is written when it changed (beyond the
// quantity's deadband, compared with the last WRITTEN value so slow drifts are still written) or when
// the setup's heartbeat interval passed since it was last written. Decided per sink × setup × series × field.
// Time is the points' own timestamps, so the decision does not depend on when the writer sees them.
import type { FieldValue, Point } from '../protocol.js';
import { sameKeys, seriesHead } from './line-protocol.js';

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

/** What was written of one series: per field, and the memories in the order of the last point's keys. */
interface SeriesMemory {
  byName: Map<string, Written>;
  /** the field keys of the last point, in its own order: the next point usually has the same */
  keys: readonly string[];
  /** byName's entries for `keys`, in that order (undefined: never written) */
  slots: (Written | undefined)[];
}

export class Dedup {
  readonly #policies: ReadonlyMap<string, DedupPolicy>;
  /** sink → setup → escaped measurement and sorted tags → what was written */
  readonly #last = new Map<string, Map<string, Map<string, SeriesMemory>>>();

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
   * The point with only the fields that must be written, or undefined when none must be (the point
   * itself when all must be). Remembers what it lets through as written.
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
    if (!series) bySeries.set(head, (series = { byName: new Map(), keys: [], slots: [] }));
    const fields = point.fields;
    const keys = Object.keys(fields);
    const values = Object.values(fields);
    // the same keys as the last point of the series (the usual case): its memories by position
    const sameLayout = sameKeys(series.keys, keys);
    const slots = sameLayout ? series.slots : keys.map((k) => series.byName.get(k));
    const t = point.timeMs;
    let kept: Record<string, FieldValue> | undefined;
    let all = true;
    let n = 0;
    for (let i = 0; i < keys.length; i++) {
      const value = values[i];
      const last = slots[i];
      const due =
        last === undefined ||
        t - last.atMs >= heartbeatMs ||
        t < last.atMs || // clock went back: do not hide values for the gap
        changed(last.value, value, policy.deadbands[keys[i]]);
      if (!due) {
        if (all) {
          all = false;
          kept = {};
          for (let j = 0; j < i; j++) kept[keys[j]] = values[j];
        }
        continue;
      }
      if (last) {
        last.value = value;
        last.atMs = t;
      } else {
        const w: Written = { value, atMs: t };
        slots[i] = w;
        series.byName.set(keys[i], w);
      }
      if (!all) (kept as Record<string, FieldValue>)[keys[i]] = value;
      n++;
    }
    if (!sameLayout) {
      series.keys = keys;
      series.slots = slots;
    }
    if (n === 0) return undefined;
    // every field is due (a first reading, a heartbeat, a change of all): the point as it came, not a copy
    if (all) return point;
    return { measurement: point.measurement, tags: point.tags, fields: kept as Record<string, FieldValue>, timeMs: point.timeMs };
  }

  /** number of (sink, setup, series, field) values remembered */
  get size(): number {
    let n = 0;
    for (const bySetup of this.#last.values()) for (const bySeries of bySetup.values()) for (const m of bySeries.values()) n += m.byName.size;
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
