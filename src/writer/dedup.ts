// Decides which field values are worth writing: a value is written when it changed (beyond the
// quantity's deadband, compared with the last WRITTEN value so slow drifts are still written) or when
// the setup's heartbeat interval passed since it was last written. Decided per sink × setup × series × field.
// Time is the points' own timestamps, so the decision does not depend on when the writer sees them.
// The rule for one field is `Dedup.due`; points (`filter`) and compact readings (readings-lines.ts) both
// decide through it, on the same memories (`memory`), so a series is one series whichever way it comes.
import type { FieldValue, Point } from '../protocol.js';
import { sameKeys, seriesHead } from './line-protocol.js';

export interface DedupPolicy {
  /** write an unchanged value again after this long (default 300) */
  heartbeatSeconds: number;
  /** per field name: a change of at most this much is not a change (e.g. VMon: 0.5) */
  deadbands: Readonly<Record<string, number>>;
}

export const DEFAULT_POLICY: DedupPolicy = Object.freeze({ heartbeatSeconds: 300, deadbands: Object.freeze({}) });

/** What was last written of one field (a value never written has atMs -Infinity: always due). */
export interface Written {
  type: FieldValue['type'];
  value: FieldValue['value'];
  atMs: number;
}

/** What was written of one series: per field, and the memories in the order of the last point's keys. */
interface SeriesMemory {
  byName: Map<string, Written>;
  /** the field keys of the last point, in its own order: the next point usually has the same */
  keys: readonly string[];
  /** byName's entries for `keys`, in that order */
  slots: Written[];
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

  /** the policy of a setup (the default for setups not listed) */
  policy(setup: string): DedupPolicy {
    return this.#policies.get(setup) ?? DEFAULT_POLICY;
  }

  /**
   * Whether a field's value must be written at time t, given what was last written of it: never written,
   * its heartbeat passed, the clock went back, its type changed, or its value changed beyond the deadband.
   * When due, `last` becomes this value at t (it is written). The one rule of both paths.
   */
  static due(last: Written, type: FieldValue['type'], value: FieldValue['value'], t: number, heartbeatMs: number, deadband: number | undefined): boolean {
    const due =
      t - last.atMs >= heartbeatMs ||
      t < last.atMs || // clock went back: do not hide values for the gap
      changed(last, type, value, deadband);
    if (due) {
      last.type = type;
      last.value = value;
      last.atMs = t;
    }
    return due;
  }

  /** the memory of one field of a series (created as never written): what `due` decides on */
  memory(sink: string, setup: string, head: string, field: string): Written {
    const series = this.#series(sink, setup, head);
    let w = series.byName.get(field);
    if (w === undefined) series.byName.set(field, (w = { type: 'float', value: Number.NaN, atMs: -Infinity }));
    return w;
  }

  #series(sink: string, setup: string, head: string): SeriesMemory {
    // nested maps: no key string built per point (the head is usually a cached, already hashed string)
    let bySetup = this.#last.get(sink);
    if (!bySetup) this.#last.set(sink, (bySetup = new Map()));
    let bySeries = bySetup.get(setup);
    if (!bySeries) bySetup.set(setup, (bySeries = new Map()));
    let series = bySeries.get(head);
    if (!series) bySeries.set(head, (series = { byName: new Map(), keys: [], slots: [] }));
    return series;
  }

  /**
   * The point with only the fields that must be written, or undefined when none must be (the point
   * itself when all must be). Remembers what it lets through as written.
   */
  filter(setup: string, point: Point, sink = '', head = seriesHead(point)): Point | undefined {
    const policy = this.policy(setup);
    const heartbeatMs = policy.heartbeatSeconds * 1000;
    const series = this.#series(sink, setup, head);
    const fields = point.fields;
    const keys = Object.keys(fields);
    const values = Object.values(fields);
    // the same keys as the last point of the series (the usual case): its memories by position
    const sameLayout = sameKeys(series.keys, keys);
    const slots = sameLayout ? series.slots : keys.map((k) => this.memory(sink, setup, head, k));
    const t = point.timeMs;
    let kept: Record<string, FieldValue> | undefined;
    let all = true;
    let n = 0;
    for (let i = 0; i < keys.length; i++) {
      const value = values[i];
      if (!Dedup.due(slots[i], value.type, value.value, t, heartbeatMs, policy.deadbands[keys[i]])) {
        if (all) {
          all = false;
          kept = {};
          for (let j = 0; j < i; j++) kept[keys[j]] = values[j];
        }
        continue;
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

  /** number of (sink, setup, series, field) values written and remembered */
  get size(): number {
    let n = 0;
    for (const bySetup of this.#last.values())
      for (const bySeries of bySetup.values()) for (const m of bySeries.values()) for (const w of m.byName.values()) if (w.atMs !== -Infinity) n++;
    return n;
  }
}

function changed(last: Written, type: FieldValue['type'], value: FieldValue['value'], deadband: number | undefined): boolean {
  if (last.type !== type) return true;
  if ((type === 'float' || type === 'int') && deadband !== undefined && deadband > 0) {
    const a = last.value as number;
    const b = value as number;
    if (Number.isNaN(a) || Number.isNaN(b)) return !Object.is(a, b);
    return Math.abs(b - a) > deadband;
  }
  return !Object.is(last.value, value);
}
