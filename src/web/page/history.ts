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

/** Times of one setup's scans in a ring, and the values of each of its series in rings of the same slots. */
class SlotRing {
  readonly times: Float64Array;
  readonly #values = new Map<string, Float32Array>();
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

  /** A new slot at time t (the oldest is dropped when full); every series reads NaN there until set. */
  push(t: number): void {
    const i = (this.head + this.count) % this.size;
    this.times[i] = t;
    if (this.count < this.size) this.count++;
    else this.head = (this.head + 1) % this.size;
    for (const v of this.#values.values()) v[i] = NaN;
  }

  /** Sets a series' value in the newest slot. */
  set(key: string, value: number): void {
    let v = this.#values.get(key);
    if (!v) this.#values.set(key, (v = new Float32Array(this.size).fill(NaN)));
    v[(this.head + this.count - 1) % this.size] = value;
  }

  /** a series' points with fromMs <= t < toMs, oldest first, appended to out */
  copy(key: string, fromMs: number, toMs: number, out: { t: number[]; v: number[] }): void {
    const v = this.#values.get(key);
    if (!v) return;
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) % this.size;
      const t = this.times[i];
      if (t >= fromMs && t < toMs && !Number.isNaN(v[i])) {
        out.t.push(t);
        out.v.push(v[i]);
      }
    }
  }
}

class SetupHistory {
  readonly coarse = new SlotRing(POINTS);
  readonly recent = new SlotRing(RECENT);
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
        h.recent.push(c.timeMs);
        const coarseLast = h.coarse.last();
        if (coarseLast === undefined || c.timeMs - coarseLast >= this.stepMs - 1) h.coarse.push(c.timeMs);
      }
      const inCoarse = h.coarse.last() === c.timeMs;
      for (const [q, v] of Object.entries(c.values)) {
        if (!Number.isFinite(v)) continue;
        const key = `${c.channel}/${q}`;
        h.recent.set(key, v);
        if (inCoarse) h.coarse.set(key, v);
      }
    }
  }

  /** The points of one series within the last `minutes` (all of the window when omitted). */
  series(setup: string, channel: number, quantity: string, minutes?: number, now = Date.now()): { t: number[]; v: number[] } {
    const h = this.#setups.get(setup);
    const from = now - Math.min(minutes === undefined ? Infinity : minutes * 60_000, this.windowMs);
    const out = { t: [] as number[], v: [] as number[] };
    if (!h) return out;
    const key = `${channel}/${quantity}`;
    // the coarse points before the recent ring begins, then every recent scan
    const recentFrom = h.recent.first() ?? Infinity;
    h.coarse.copy(key, from, recentFrom, out);
    h.recent.copy(key, from, Infinity, out);
    return out;
  }
}
