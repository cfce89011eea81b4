// Changes made by others (GECO, the lab DCS, the front panel): a set point that changes between two
// scans without a request of ours is logged once and emitted as a `setpoint` event with
// external: true and who "external" (the audit and the database events subscribe to it).
// Only what the setup reads is watched: V0Set, I0Set, SVMax, RUp, RDWn, Pw when in its Monitorables,
// and the channel's name (read again every 10 minutes by the poller). Pw going off with a trip or
// interlock bit set is the crate's own doing: that is an alarm, not a set point.
//
// Our own sets are told apart in two ways, whatever the order in which their news arrives:
//  - a `setpoint` event with external: false (the control path emits one per channel after an
//    apply) before the scan that shows the value: the value is expected, the scan is silent;
//  - the same event after that scan: a change is held `holdMs` before it is reported, and an own
//    set point of the same channel and parameter within that time cancels it.
// expect() lets a caller announce a value before it applies it.
import type { DaemonEvents } from '../events/bus.js';
import type { ScanEvent, SetpointEvent } from '../events/types.js';
import type { Logger } from '../log.js';

/** Channel parameters whose change by someone else is reported (when the setup reads them). */
export const WATCHED_PARAMS: readonly string[] = ['V0Set', 'I0Set', 'SVMax', 'RUp', 'RDWn', 'Pw'];
/** the channel name, as a parameter of the events */
export const NAME_PARAM = 'Name';

/** Status bits with which the crate itself turns a channel off (a trip, an interlock): Pw 1 → 0 is then the alarm, not a set point */
const OFF_BY_CRATE = (1 << 6) | (1 << 8) | (1 << 9); // EXTTRIP, EXTDIS, INTTRIP

type Value = number | string;

interface Held {
  timer: NodeJS.Timeout;
  event: SetpointEvent;
}

export interface ExternalChangesOptions {
  /** how long a change waits for news of an own set point before it is reported (default 2000 ms) */
  holdMs?: number;
  /** how long an own set point's value is expected in a scan (default 60 s) */
  expectMs?: number;
  now?: () => number;
}

function same(a: Value, b: Value): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** "V0Set of GEM1_G2BOT (slot 0 ch 03) changed at the crate: 450 → 460 (not by gemcaen)" */
export function externalText(e: Pick<SetpointEvent, 'param' | 'name' | 'slot' | 'channel' | 'before' | 'after'>): string {
  const where = `slot ${e.slot} ch ${e.channel < 10 ? `0${e.channel}` : e.channel}`;
  return `${e.param} of ${e.name ? `${e.name} (${where})` : where} changed at the crate: ${String(e.before)} → ${String(e.after)} (not by gemcaen)`;
}

export class ExternalChanges {
  readonly #events: DaemonEvents;
  readonly #log: Logger;
  readonly #holdMs: number;
  readonly #expectMs: number;
  readonly #now: () => number;
  /** mainframe/slot/channel → parameter → last value seen */
  readonly #seen = new Map<string, Map<string, Value>>();
  /** mainframe/slot/channel/param → values of own set points not yet seen in a scan */
  readonly #expected = new Map<string, { value: Value; untilMs: number }[]>();
  /** mainframe/slot/channel/param → a change waiting for holdMs */
  readonly #held = new Map<string, Held>();
  readonly #onScan = (e: ScanEvent): void => this.#scan(e);
  readonly #onSetpoint = (e: SetpointEvent): void => this.#own(e);

  constructor(events: DaemonEvents, log: Logger, options: ExternalChangesOptions = {}) {
    this.#events = events;
    this.#log = log;
    this.#holdMs = options.holdMs ?? 2000;
    this.#expectMs = options.expectMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    events.on('scan', this.#onScan).on('setpoint', this.#onSetpoint);
  }

  /** Announces that the next change of this parameter to `value` is ours (not reported). */
  expect(mainframe: string, slot: number, channel: number, param: string, value: Value): void {
    const key = `${mainframe}/${slot}/${channel}/${param}`;
    const list = (this.#expected.get(key) ?? []).filter((x) => x.untilMs > this.#now());
    list.push({ value, untilMs: this.#now() + this.#expectMs });
    this.#expected.set(key, list);
  }

  /** Stops watching; changes still held are dropped. */
  close(): void {
    this.#events.off('scan', this.#onScan).off('setpoint', this.#onSetpoint);
    for (const h of this.#held.values()) clearTimeout(h.timer);
    this.#held.clear();
  }

  #own(e: SetpointEvent): void {
    if (e.external) return;
    const key = `${e.mainframe}/${e.slot}/${e.channel}/${e.param}`;
    const held = this.#held.get(key);
    if (held) {
      clearTimeout(held.timer);
      this.#held.delete(key);
      return;
    }
    if (e.after !== undefined && e.code === 'OK') this.expect(e.mainframe, e.slot, e.channel, e.param, e.after);
  }

  #scan(e: ScanEvent): void {
    for (const c of e.channels) {
      const chKey = `${e.mainframe}/${c.slot}/${c.channel}`;
      let seen = this.#seen.get(chKey);
      if (!seen) this.#seen.set(chKey, (seen = new Map()));
      const now: [string, Value][] = [];
      for (const p of WATCHED_PARAMS) {
        const v = c.values[p];
        if (v !== undefined) now.push([p, v]);
      }
      if (c.name) now.push([NAME_PARAM, c.name]);
      for (const [param, value] of now) {
        const before = seen.get(param);
        seen.set(param, value);
        if (before === undefined || same(before, value)) continue;
        if (this.#wasExpected(`${chKey}/${param}`, value)) continue;
        const status = c.values.Status;
        if (param === 'Pw' && value === 0 && status !== undefined && ((status >>> 0) & OFF_BY_CRATE) !== 0) continue;
        this.#hold(`${chKey}/${param}`, {
          timeMs: c.timeMs, who: 'external', from: 'crate', mainframe: e.mainframe, setup: e.setup, slot: c.slot, channel: c.channel,
          ...(c.name ? { name: c.name } : {}), param, before, after: value, code: 'EXTERNAL', external: true,
        });
      }
    }
  }

  #wasExpected(key: string, value: Value): boolean {
    const list = this.#expected.get(key);
    if (!list) return false;
    const t = this.#now();
    const live = list.filter((x) => x.untilMs > t);
    const i = live.findIndex((x) => same(x.value, value));
    if (i >= 0) live.splice(i, 1);
    if (live.length > 0) this.#expected.set(key, live);
    else this.#expected.delete(key);
    return i >= 0;
  }

  #hold(key: string, event: SetpointEvent): void {
    const prev = this.#held.get(key);
    if (prev) {
      // changed again while held: one report, from the first value to the latest
      clearTimeout(prev.timer);
      event = { ...event, before: prev.event.before };
    }
    const timer = setTimeout(() => {
      this.#held.delete(key);
      if (event.before !== undefined && event.after !== undefined && same(event.before, event.after)) return;
      this.#log.warn(`external change: ${externalText(event)}`);
      this.#events.emit('setpoint', event);
    }, this.#holdMs);
    timer.unref();
    this.#held.set(key, { timer, event });
  }
}
