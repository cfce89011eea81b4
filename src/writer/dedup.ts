// Decides which field values are worth writing: a value is written when it changed (beyond the
// quantity's deadband, compared with the last WRITTEN value so slow drifts are still written) or when
// the setup's heartbeat interval passed since it was last written. Decided per sink × setup × series × field.
// Time is the points' own timestamps, so the decision does not depend on when the writer sees them.
import type { FieldValue, Point } from '../protocol.js';

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
  /** key: sink \0 setup \0 measurement \0 sorted tags \0 field */
  readonly #last = new Map<string, Written>();

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
  filter(setup: string, point: Point, sink = ''): Point | undefined {
    const policy = this.#policies.get(setup) ?? DEFAULT_POLICY;
    const heartbeatMs = policy.heartbeatSeconds * 1000;
    const series = seriesKey(sink + '\0' + setup, point);
    let kept: Record<string, FieldValue> | undefined;
    for (const [name, value] of Object.entries(point.fields)) {
      const key = series + name;
      const last = this.#last.get(key);
      const due =
        last === undefined ||
        point.timeMs - last.atMs >= heartbeatMs ||
        point.timeMs < last.atMs || // clock went back: do not hide values for the gap
        changed(last.value, value, policy.deadbands[name]);
      if (!due) continue;
      this.#last.set(key, { value, atMs: point.timeMs });
      (kept ??= {})[name] = value;
    }
    if (kept === undefined) return undefined;
    return { measurement: point.measurement, tags: point.tags, fields: kept, timeMs: point.timeMs };
  }

  /** number of (setup, series, field) values remembered */
  get size(): number {
    return this.#last.size;
  }
}

function seriesKey(setup: string, p: Point): string {
  let key = setup + '\0' + p.measurement;
  for (const t of Object.keys(p.tags).sort()) key += '\0' + t + '=' + p.tags[t];
  return key + '\0\0';
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
