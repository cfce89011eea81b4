// The history view's data: bounded in-memory rings per setup × channel × quantity, fed by the
// scans the daemon makes anyway (no extra crate call). Two rings per series: every scan of the last
// RECENT scans (a trip shows as the step it was), and one point per window/POINTS over the whole
// window. Memory is fixed: about 12 bytes per point, (POINTS + RECENT) points per series.
import type { ChannelReading } from '../../protocol.js';

export const POINTS = 1440;
export const RECENT = 600;

class Ring {
  readonly times: Float64Array;
  readonly values: Float32Array;
  head = 0;
  count = 0;

  constructor(readonly size: number) {
    this.times = new Float64Array(size);
    this.values = new Float32Array(size);
  }

  push(t: number, v: number): void {
    const i = (this.head + this.count) % this.size;
    this.times[i] = t;
    this.values[i] = v;
    if (this.count < this.size) this.count++;
    else this.head = (this.head + 1) % this.size;
  }

  first(): number | undefined {
    return this.count === 0 ? undefined : this.times[this.head];
  }

  last(): number | undefined {
    return this.count === 0 ? undefined : this.times[(this.head + this.count - 1) % this.size];
  }

  /** points with fromMs <= t < toMs, oldest first, appended to out */
  copy(fromMs: number, toMs: number, out: { t: number[]; v: number[] }): void {
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) % this.size;
      if (this.times[i] >= fromMs && this.times[i] < toMs) {
        out.t.push(this.times[i]);
        out.v.push(this.values[i]);
      }
    }
  }
}

class Series {
  readonly coarse = new Ring(POINTS);
  readonly recent = new Ring(RECENT);
}

export class History {
  readonly #series = new Map<string, Series>();
  /** shortest spacing of two points of a series, ms: the window spread over POINTS */
  readonly stepMs: number;

  constructor(readonly windowMs: number) {
    this.stepMs = Math.ceil(windowMs / POINTS);
  }

  /** Records one scan's readings (every scan in the recent ring, one per stepMs in the coarse one). */
  record(channels: readonly ChannelReading[]): void {
    for (const c of channels) {
      for (const [q, v] of Object.entries(c.values)) {
        if (!Number.isFinite(v)) continue;
        const key = `${c.setup}/${c.channel}/${q}`;
        let s = this.#series.get(key);
        if (!s) this.#series.set(key, (s = new Series()));
        if (c.timeMs <= (s.recent.last() ?? -Infinity)) continue;
        s.recent.push(c.timeMs, v);
        const last = s.coarse.last();
        if (last === undefined || c.timeMs - last >= this.stepMs - 1) s.coarse.push(c.timeMs, v);
      }
    }
  }

  /** The points of one series within the last `minutes` (all of the window when omitted). */
  series(setup: string, channel: number, quantity: string, minutes?: number, now = Date.now()): { t: number[]; v: number[] } {
    const s = this.#series.get(`${setup}/${channel}/${quantity}`);
    const from = now - Math.min(minutes === undefined ? Infinity : minutes * 60_000, this.windowMs);
    const out = { t: [] as number[], v: [] as number[] };
    if (!s) return out;
    // the coarse points before the recent ring begins, then every recent scan
    const recentFrom = s.recent.first() ?? Infinity;
    s.coarse.copy(from, recentFrom, out);
    s.recent.copy(from, Infinity, out);
    return out;
  }
}
