// The daemon's own points in the database (docs/daemon.md "Events in the database"), for Grafana
// annotations and the web page: every alarm raised or cleared and every set point changed by
// someone else, as `gemcaen_event` points in the sink of the setup concerned (a crate's events in
// the sinks of all its setups); and, every minute and at each change, the state of each crate
// (`gemcaen_crate`) and sink (`gemcaen_sink`). Set points applied through the daemon are written by
// the audit (i18a) with the same eventPoint().
import { CRATE_MEASUREMENT, EVENT_MEASUREMENT, SINK_MEASUREMENT } from '../daemon-points.js';
import type { AlarmEvent, SetpointEvent } from '../events/types.js';
import type { FieldValue, Point } from '../protocol.js';
import { pad2 } from '../alarms/rules.js';
import { externalText } from '../supervisor/external-changes.js';
import type { Extension, ExtensionContext } from './types.js';

export type EventKind = 'alarm' | 'alarm_clear' | 'setpoint' | 'external_change';

export interface EventPointInput {
  kind: EventKind;
  timeMs: number;
  mainframe: string;
  setup?: string;
  slot?: number;
  channel?: number;
  name?: string;
  text: string;
  param?: string;
  before?: number | string;
  after?: number | string;
  user?: string;
  code?: string;
  bits?: readonly string[];
}

/** One gemcaen_event point (tags kind, mainframe, setup, slot, channel "03", ChannelName). */
export function eventPoint(e: EventPointInput): Point {
  const tags: Record<string, string> = { kind: e.kind, mainframe: e.mainframe };
  if (e.setup) tags.setup = e.setup;
  if (e.slot !== undefined) tags.slot = String(e.slot);
  if (e.channel !== undefined) tags.channel = pad2(e.channel);
  if (e.name) tags.ChannelName = e.name;
  const fields: Record<string, FieldValue> = { text: { type: 'string', value: e.text } };
  if (e.param) fields.param = { type: 'string', value: e.param };
  if (typeof e.before === 'number' && Number.isFinite(e.before)) fields.before = { type: 'float', value: e.before };
  if (typeof e.after === 'number' && Number.isFinite(e.after)) fields.after = { type: 'float', value: e.after };
  if (e.user) fields.user = { type: 'string', value: e.user };
  if (e.code) fields.code = { type: 'string', value: e.code };
  if (e.bits && e.bits.length > 0) fields.bits = { type: 'string', value: e.bits.join(' ') };
  return { measurement: EVENT_MEASUREMENT, tags, fields, timeMs: e.timeMs };
}

export class EventPointsExtension implements Extension {
  readonly name = 'event-points';
  #ctx: ExtensionContext | null = null;
  #timer: NodeJS.Timeout | undefined;
  readonly #everyMs: number;
  readonly #onAlarm = (e: AlarmEvent): void => this.#alarm(e);
  readonly #onSetpoint = (e: SetpointEvent): void => this.#setpoint(e);
  readonly #onCrate = (e: { mainframe: string }): void => this.#crates([e.mainframe]);
  readonly #onSink = (): void => this.#sinks();

  /** @param everyMs period of the gemcaen_crate / gemcaen_sink points (default 60 s) */
  constructor(everyMs = 60_000) {
    this.#everyMs = everyMs;
  }

  async start(ctx: ExtensionContext): Promise<void> {
    this.#ctx = ctx;
    ctx.events.on('alarm', this.#onAlarm).on('setpoint', this.#onSetpoint).on('crate-state', this.#onCrate).on('sink-state', this.#onSink);
    this.#timer = setInterval(() => {
      this.#crates([...ctx.state.crates.keys()]);
      this.#sinks();
    }, this.#everyMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    const ctx = this.#ctx;
    if (!ctx) return;
    ctx.events.off('alarm', this.#onAlarm).off('setpoint', this.#onSetpoint).off('crate-state', this.#onCrate).off('sink-state', this.#onSink);
    this.#ctx = null;
  }

  /** the sink of a setup, or every sink of a mainframe's setups */
  #sinksOf(mainframe: string, setup?: string): string[] {
    const setups = this.#ctx?.setups ?? [];
    const own = setup ? setups.filter((s) => s.name === setup) : [];
    return [...new Set((own.length > 0 ? own : setups.filter((s) => s.mainframe === mainframe)).map((s) => s.sink))];
  }

  #alarm(e: AlarmEvent): void {
    if (e.action === 'acknowledged') return;
    const p = eventPoint({
      kind: e.action === 'raised' ? 'alarm' : 'alarm_clear',
      timeMs: e.timeMs, mainframe: e.mainframe, setup: e.setup, slot: e.slot, channel: e.channel, name: e.name, text: e.text, bits: e.bits, code: e.severity,
    });
    this.#ctx?.writePoints(this.#sinksOf(e.mainframe, e.setup), [p]);
  }

  #setpoint(e: SetpointEvent): void {
    if (!e.external) return; // our own set points: the audit writes them
    const p = eventPoint({
      kind: 'external_change', timeMs: e.timeMs, mainframe: e.mainframe, setup: e.setup, slot: e.slot, channel: e.channel, name: e.name,
      text: externalText(e), param: e.param, before: e.before, after: e.after, user: e.who, code: e.code,
    });
    this.#ctx?.writePoints(this.#sinksOf(e.mainframe, e.setup), [p]);
  }

  #crates(ids: readonly string[]): void {
    const ctx = this.#ctx;
    if (!ctx) return;
    const now = Date.now();
    for (const id of ids) {
      const c = ctx.state.crates.get(id);
      if (!c) continue;
      const p: Point = {
        measurement: CRATE_MEASUREMENT,
        tags: { mainframe: id },
        fields: { connected: { type: 'int', value: c.state === 'connected' ? 1 : 0 }, state: { type: 'string', value: c.state } },
        timeMs: now,
      };
      ctx.writePoints(this.#sinksOf(id), [p]);
    }
  }

  #sinks(): void {
    const ctx = this.#ctx;
    if (!ctx) return;
    const now = Date.now();
    const points: Point[] = [...ctx.state.sinks.values()].map((s) => ({
      measurement: SINK_MEASUREMENT,
      tags: { sink: s.id },
      fields: {
        failing: { type: 'int', value: s.state === 'failing' ? 1 : 0 },
        spool_bytes: { type: 'int', value: s.spoolBytes ?? 0 },
        backlog_lines: { type: 'int', value: Number(s.extra?.spooledLines ?? 0) },
      },
      timeMs: now,
    }));
    ctx.writePoints([...ctx.state.sinks.keys()], points);
  }
}
