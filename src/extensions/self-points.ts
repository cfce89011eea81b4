// gemcaen's own state as database points, so the crate-health dashboard shows an outage as an outage
// (docs/grafana.md): `gemcaen_crate` (tag mainframe; connected 0/1, state) to the sinks of that
// crate's setups, and `gemcaen_sink` (tag sink; failing 0/1, spool_bytes, backlog_lines) to every
// sink, so a working database records the one that fails (a failing sink gets its own points later,
// from its spool). Written every `periodMs` and at once on each crate or sink state change.
import type { Point } from '../protocol.js';
import type { CrateStateEvent, SinkStateEvent } from '../events/types.js';
import { CRATE_MEASUREMENT, SINK_MEASUREMENT } from '../daemon-points.js';
import type { Extension, ExtensionContext } from './types.js';

export const SELF_POINTS_PERIOD_MS = 10_000;

export class SelfPointsExtension implements Extension {
  readonly name = 'self-points';
  #ctx: ExtensionContext | null = null;
  #timer: NodeJS.Timeout | undefined;
  readonly #periodMs: number;
  readonly #onCrate = (e: CrateStateEvent) => this.#writeCrates(e.timeMs, e.mainframe);
  readonly #onSink = (e: SinkStateEvent) => this.#writeSinks(e.timeMs, e.sink);

  constructor(periodMs = SELF_POINTS_PERIOD_MS) {
    this.#periodMs = periodMs;
  }

  async start(ctx: ExtensionContext): Promise<void> {
    this.#ctx = ctx;
    ctx.events.on('crate-state', this.#onCrate);
    ctx.events.on('sink-state', this.#onSink);
    this.#writeAll();
    this.#timer = setInterval(() => this.#writeAll(), this.#periodMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    const ctx = this.#ctx;
    clearInterval(this.#timer);
    if (!ctx) return;
    ctx.events.off('crate-state', this.#onCrate);
    ctx.events.off('sink-state', this.#onSink);
    this.#writeAll(); // the last state (pollers have stopped), before the writer flushes
    this.#ctx = null;
  }

  #writeAll(): void {
    const now = Date.now();
    this.#writeCrates(now);
    this.#writeSinks(now);
  }

  #writeCrates(timeMs: number, only?: string): void {
    const ctx = this.#ctx;
    if (!ctx) return;
    for (const c of ctx.state.crates.values()) {
      if (only !== undefined && c.id !== only) continue;
      const sinks = ctx.setups.filter((s) => s.mainframe === c.id).map((s) => s.sink);
      const point: Point = {
        measurement: CRATE_MEASUREMENT,
        tags: { mainframe: c.id },
        fields: { connected: { type: 'int', value: c.state === 'connected' ? 1 : 0 }, state: { type: 'string', value: c.state } },
        timeMs,
      };
      ctx.writePoints(sinks, [point]);
    }
  }

  #writeSinks(timeMs: number, only?: string): void {
    const ctx = this.#ctx;
    if (!ctx) return;
    const points: Point[] = [];
    for (const s of ctx.state.sinks.values()) {
      if (only !== undefined && s.id !== only) continue;
      const backlog = s.extra?.spooledLines;
      points.push({
        measurement: SINK_MEASUREMENT,
        tags: { sink: s.id },
        fields: {
          failing: { type: 'int', value: s.state === 'failing' ? 1 : 0 },
          spool_bytes: { type: 'int', value: s.spoolBytes ?? 0 },
          backlog_lines: { type: 'int', value: typeof backlog === 'number' ? backlog : 0 },
        },
        timeMs,
      });
    }
    ctx.writePoints([...new Set(ctx.setups.map((s) => s.sink))], points);
  }
}
