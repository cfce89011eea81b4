// The history view's data: bounded in-memory rings per setup × channel × quantity, fed by the
// scans the daemon makes anyway (no extra crate call). Two rings per series: every scan of the last
// RECENT scans (a trip shows as the step it was), and one point per window/POINTS over the whole
// window. All channels and quantities of a setup are read in the same scan, so the times are kept
// once per setup (8 bytes a point) and each series keeps only its values (4 bytes a point; NaN where a
// scan did not read it). Memory is fixed once a series exists: (POINTS + RECENT) × 4 bytes per series
// plus (POINTS + RECENT) × 8 bytes per setup.
import type { ChannelReading } from '../../protocol.js';

export const POINTS = 1440;
export const RECENT = 600;

/** Times of one setup's scans in a ring; the values live in each series' arrays of the same slots. */
class TimeRing {
  readonly times: Float64Array;
  head = 0;
  count = 0;

  constructor(readonly size: number) {
    this.times = new Float64Array(size);
  }

  last(): number | undefined {
    return this.count === 0 ? undefined : this.times[(this.head + this.count - 1) % this.size];
  }

  first(): number | undefined {
    return this.count === 0 ? undefined : this.times[this.head];
  }

  /** index of the newest slot */
  newest(): number {
    return (this.head + this.count - 1) % this.size;
  }

  /** A new slot at time t (the oldest is dropped when full); returns its index. */
  push(t: number): number {
    const i = (this.head + this.count) % this.size;
    this.times[i] = t;
    if (this.count < this.size) this.count++;
    else this.head = (this.head + 1) % this.size;
    return i;
  }

  /** the values of `values` (slots of this ring) with fromMs <= t < toMs, oldest first, appended to out; NaN: not read */
  copy(values: Float32Array, fromMs: number, toMs: number, out: { t: number[]; v: number[] }): void {
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) % this.size;
      const t = this.times[i];
      if (t >= fromMs && t < toMs && !Number.isNaN(values[i])) {
        out.t.push(t);
        out.v.push(values[i]);
      }
    }
  }
}

interface Series {
  readonly recent: Float32Array;
  readonly coarse: Float32Array;
}

class SetupHistory {
  readonly recent = new TimeRing(RECENT);
  readonly coarse = new TimeRing(POINTS);
  /** quantity → channel → its values */
  readonly series = new Map<string, Map<number, Series>>();

  get(quantity: string, channel: number, create: boolean): Series | undefined {
    let byChannel = this.series.get(quantity);
    if (!byChannel) {
      if (!create) return undefined;
      this.series.set(quantity, (byChannel = new Map()));
    }
    let s = byChannel.get(channel);
    if (!s && create) byChannel.set(channel, (s = { recent: new Float32Array(RECENT).fill(NaN), coarse: new Float32Array(POINTS).fill(NaN) }));
    return s;
  }

  /** a new slot in a ring: every series reads NaN there until a reading fills it */
  clear(ring: 'recent' | 'coarse', i: number): void {
    for (const byChannel of this.series.values()) for (const s of byChannel.values()) s[ring][i] = NaN;
  }
}

export class History {
  readonly #setups = new Map<string, SetupHistory>();
  /** shortest spacing of two points of a series, ms: the window spread over POINTS */
  readonly stepMs: number;

  constructor(readonly windowMs: number) {
    this.stepMs = Math.ceil(windowMs / POINTS);
  }

  /** Records one scan's readings (every scan in the recent ring, one per stepMs in the coarse one). */
  record(channels: readonly ChannelReading[]): void {
    for (const c of channels) {
      let h = this.#setups.get(c.setup);
      if (!h) this.#setups.set(c.setup, (h = new SetupHistory()));
      const last = h.recent.last();
      // readings of an older scan than the newest kept add nothing; the newest scan's slot is filled in
      if (last !== undefined && c.timeMs < last) continue;
      if (last === undefined || c.timeMs > last) {
        h.clear('recent', h.recent.push(c.timeMs));
        const coarseLast = h.coarse.last();
        if (coarseLast === undefined || c.timeMs - coarseLast >= this.stepMs - 1) h.clear('coarse', h.coarse.push(c.timeMs));
      }
      const ri = h.recent.newest();
      const ci = h.coarse.last() === c.timeMs ? h.coarse.newest() : -1;
      for (const q in c.values) {
        const v = c.values[q];
        if (!Number.isFinite(v)) continue;
        const s = h.get(q, c.channel, true)!;
        s.recent[ri] = v;
        if (ci >= 0) s.coarse[ci] = v;
      }
    }
  }

  /** The points of one series within the last `minutes` (all of the window when omitted). */
  series(setup: string, channel: number, quantity: string, minutes?: number, now = Date.now()): { t: number[]; v: number[] } {
    const h = this.#setups.get(setup);
    const from = now - Math.min(minutes === undefined ? Infinity : minutes * 60_000, this.windowMs);
    const out = { t: [] as number[], v: [] as number[] };
    if (!h) return out;
    const s = h.get(quantity, channel, false);
    if (!s) return out;
    // the coarse points before the recent ring begins, then every recent scan
    const recentFrom = h.recent.first() ?? Infinity;
    h.coarse.copy(s.coarse, from, recentFrom, out);
    h.recent.copy(s.recent, from, Infinity, out);
    return out;
  }
}
