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
import type { ScanLayout } from '../protocol.js';

/** Channel parameters whose change by someone else is reported (when the setup reads them). */
export const WATCHED_PARAMS: readonly string[] = ['V0Set', 'I0Set', 'SVMax', 'RUp', 'RDWn', 'Pw'];
/** the channel name, as a parameter of the events */
export const NAME_PARAM = 'Name';

/** Status bits with which the crate itself turns a channel off (a trip, an interlock): Pw 1 → 0 is then the alarm, not a set point */
const OFF_BY_CRATE = (1 << 6) | (1 << 8) | (1 << 9); // EXTTRIP, EXTDIS, INTTRIP

type Value = number | string;

/** What was last seen of one channel of a crate (mainframe/slot/channel: setups that share it share this). */
interface Seen {
  /** mainframe/slot/channel */
  key: string;
  /** per WATCHED_PARAMS index: the value last seen, and whether one was */
  seen: Float64Array;
  has: Uint8Array;
  name: string | undefined;
}

/** A setup's scans of one layout, positionally: row i is cells[i]. */
interface Table {
  mainframe: string;
  layout: ScanLayout;
  cells: Seen[];
  /** pairs (index in WATCHED_PARAMS, column in the layout), in the order of WATCHED_PARAMS */
  cols: Int32Array;
  /** column of Status, -1 when not read */
  statusAt: number;
}

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
  /** mainframe/slot/channel → the values last seen (made when a layout names the channel, not per scan) */
  readonly #seen = new Map<string, Seen>();
  /** per setup: how its scans are read (rebuilt when its layout changes) */
  readonly #tables = new Map<string, Table>();
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
    let t = this.#tables.get(e.setup);
    if (t === undefined || t.layout !== e.layout || t.mainframe !== e.mainframe) this.#tables.set(e.setup, (t = this.#table(e)));
    const { layout, values } = e;
    const { stride, names } = layout;
    const cols = t.cols;
    for (let i = 0; i < t.cells.length; i++) {
      const cell = t.cells[i]!;
      const at = i * stride;
      for (let k = 0; k < cols.length; k += 2) {
        const w = cols[k]!;
        const value = values[at + cols[k + 1]!]!;
        if (cell.has[w] === 0) {
          cell.has[w] = 1;
          cell.seen[w] = value;
          continue;
        }
        const before = cell.seen[w]!;
        cell.seen[w] = value;
        if (same(before, value)) continue;
        this.#changed(e, t, i, WATCHED_PARAMS[w]!, before, value);
      }
      const name = names[i];
      if (name) {
        const before = cell.name;
        cell.name = name;
        if (before !== undefined && before !== name) this.#changed(e, t, i, NAME_PARAM, before, name);
      }
    }
  }

  /** How to read a setup's scans of this layout: its channels' cells, the columns of the watched parameters. */
  #table(e: ScanEvent): Table {
    const { layout } = e;
    const cells = layout.channels.map((channel) => {
      const key = `${e.mainframe}/${layout.slot}/${channel}`;
      let cell = this.#seen.get(key);
      if (!cell) this.#seen.set(key, (cell = { key, seen: new Float64Array(WATCHED_PARAMS.length), has: new Uint8Array(WATCHED_PARAMS.length), name: undefined }));
      return cell;
    });
    const cols: number[] = [];
    WATCHED_PARAMS.forEach((p, w) => {
      const j = layout.params.indexOf(p);
      if (j >= 0) cols.push(w, j);
    });
    return { mainframe: e.mainframe, layout, cells, cols: Int32Array.from(cols), statusAt: layout.params.indexOf('Status') };
  }

  /** A watched value of row `i` differs from the one seen before: held, unless ours or the crate's own doing. */
  #changed(e: ScanEvent, t: Table, i: number, param: string, before: Value, value: Value): void {
    const cell = t.cells[i]!;
    const key = `${cell.key}/${param}`;
    if (this.#wasExpected(key, value)) return;
    const status = t.statusAt < 0 ? undefined : e.values[i * e.layout.stride + t.statusAt];
    if (param === 'Pw' && value === 0 && status !== undefined && ((status >>> 0) & OFF_BY_CRATE) !== 0) return;
    const name = e.layout.names[i] ?? '';
    this.#hold(key, {
      timeMs: e.timeMs, who: 'external', from: 'crate', mainframe: e.mainframe, setup: e.setup, slot: e.layout.slot, channel: e.layout.channels[i]!,
      ...(name ? { name } : {}), param, before, after: value, code: 'EXTERNAL', external: true,
    });
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
