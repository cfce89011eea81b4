// Event mode of one mainframe (WRAPPER.md §10), driven by the poller that owns the handle: subscribes what
// the setups log, accepts the crate's connection, turns event batches into the same readings a scan makes,
// and compares a full poll with what the events said (the reconcile count). Never blocks: the socket is
// looked at with poll(0) between the owner's other work, so a stop request is seen within one loop turn.
import type { MainframeWire } from '../protocol.js';
import type { FieldKind, SetupReading } from './points.js';
import type { SetupPlan } from './plan.js';
import type { CaenSession } from './session.js';

export type EventValueKind = 'float' | 'int' | 'string';

export interface EventLike {
  type: number;
  board: number;
  channel: number;
  item: string;
  value?: number | string;
}

/** The binding's event calls the feed needs (CaenMainframe has them). */
export interface EventSession extends CaenSession {
  subscribeChannelParams(port: number, slot: number, channel: number, names: readonly string[]): number[];
  subscribeBoardParams(port: number, slot: number, names: readonly string[]): number[];
  readEvents(socket: number, kindOf: (board: number, channel: number, item: string) => EventValueKind | undefined): { events: EventLike[] };
}

export interface EventServerLike {
  readonly port: number;
  acceptReady(): number | null;
  close(): void;
}

/** The socket side, provided by connect.ts (the only module of the poller that touches the binding). */
export interface EventSockets {
  openServer(host: string, first: number, last: number): EventServerLike;
  readable(fd: number): boolean;
  closeFd(fd: number): void;
}

export function isEventSession(s: CaenSession): s is EventSession {
  const e = s as Partial<EventSession>;
  return typeof e.subscribeChannelParams === 'function' && typeof e.subscribeBoardParams === 'function' && typeof e.readEvents === 'function';
}

/** An event-mode failure: the poller falls back to polling. */
export class EventFeedError extends Error {}

interface Model {
  plan: SetupPlan;
  values: Map<string, number[]>;
  kinds: Map<string, FieldKind>;
  names: string[];
  board: Map<string, { value: number; kind: FieldKind }>;
  dirty: boolean;
  /**
   * While a full poll of the setup runs (beginPoll → reconcile): the items events changed meanwhile
   * (`VMon/3`, `Name/3`, `bd/Temp`). Their event is at least as new as what the poll read.
   */
  touched?: Set<string>;
}

/** Parameters whose value changes continuously (read-only NUMERIC): not counted by the reconcile. */
function measured(session: CaenSession, slot: number, param: string, kind: FieldKind): boolean {
  if (kind !== 'float') return false;
  try {
    return (session.paramMeta(slot, param) as { mode?: unknown }).mode === 'RDONLY';
  } catch {
    return true;
  }
}

export class EventFeed {
  readonly #cfg: NonNullable<MainframeWire['events']>;
  readonly #sockets: EventSockets;
  readonly #session: EventSession;
  readonly #models = new Map<string, Model>();
  /** `slot/channel/item` → the setups (and channel index) it feeds */
  readonly #index = new Map<string, { setup: string; i: number }[]>();
  #server: EventServerLike | null = null;
  #fd = -1;
  #lastHeardMs: number;
  /** a batch was read by reconcile() since the last pump() */
  #heardInDrain = false;
  /** PARAMETER records applied */
  events = 0;

  private constructor(session: EventSession, cfg: NonNullable<MainframeWire['events']>, sockets: EventSockets, now: number) {
    this.#session = session;
    this.#cfg = cfg;
    this.#sockets = sockets;
    this.#lastHeardMs = now;
  }

  /**
   * Opens the listening socket and subscribes every setup's channel parameters, channel `Name` and board
   * parameters, starting from the readings of a full poll. Throws EventFeedError (the caller polls) when a
   * subscription is refused; the socket is closed again then.
   */
  static start(session: CaenSession, cfg: NonNullable<MainframeWire['events']>, sockets: EventSockets, readings: readonly { plan: SetupPlan; reading: SetupReading }[], now: number): EventFeed {
    if (!isEventSession(session)) throw new EventFeedError('this binding has no event calls');
    const feed = new EventFeed(session, cfg, sockets, now);
    try {
      feed.#server = sockets.openServer(cfg.listenHost, cfg.ports[0], cfg.ports[1]);
      for (const { plan, reading } of readings) feed.#subscribe(plan, reading);
    } catch (err) {
      feed.close();
      if (err instanceof EventFeedError) throw err;
      const code = typeof (err as { code?: unknown }).code === 'string' ? ` (${(err as { code: string }).code})` : '';
      throw new EventFeedError(`${err instanceof Error ? err.message : String(err)}${code}`);
    }
    return feed;
  }

  get port(): number {
    return this.#server?.port ?? 0;
  }

  #subscribe(plan: SetupPlan, r: SetupReading): void {
    const name = plan.setup.name;
    const values = new Map([...r.values].map(([k, v]) => [k, [...v]]));
    this.#models.set(name, { plan, values, kinds: new Map(r.kinds), names: [...r.names], board: new Map(r.board), dirty: false });
    const slot = plan.setup.slot;
    const items = [...plan.chParams.map((p) => p.name), 'Name'];
    const port = this.#server!.port;
    plan.setup.channels.forEach((ch, i) => {
      const codes = this.#session.subscribeChannelParams(port, slot, ch, items);
      const refused = items.filter((_, k) => codes[k] !== 0);
      if (refused.length > 0) throw new EventFeedError(`the crate refused the subscription of ${refused.map((n) => `${n} (${codes[items.indexOf(n)]})`).join(', ')} on slot ${slot} channel ${ch}`);
      for (const item of items) this.#add(`${slot}/${ch}/${item}`, name, i);
    });
    const bd = plan.bdParams.map((p) => p.name);
    if (bd.length > 0) {
      const codes = this.#session.subscribeBoardParams(port, slot, bd);
      const refused = bd.filter((_, k) => codes[k] !== 0);
      if (refused.length > 0) throw new EventFeedError(`the crate refused the subscription of board parameters ${refused.join(', ')} of slot ${slot}`);
      for (const item of bd) this.#add(`${slot}/-1/${item}`, name, -1);
    }
  }

  #add(key: string, setup: string, i: number): void {
    const l = this.#index.get(key) ?? [];
    l.push({ setup, i });
    this.#index.set(key, l);
  }

  #kindOf = (board: number, channel: number, item: string): EventValueKind | undefined => {
    const target = this.#index.get(`${board}/${channel}/${item}`)?.[0];
    if (!target) return undefined;
    if (item === 'Name' && channel >= 0) return 'string';
    const m = this.#models.get(target.setup)!;
    const kind = channel < 0 ? m.board.get(item)?.kind ?? m.plan.bdParams.find((p) => p.name === item)?.kind : m.kinds.get(item);
    return kind === undefined ? undefined : kind === 'float' ? 'float' : 'int';
  };

  /**
   * Reads every batch waiting on the socket and applies it. Returns the setups whose reading changed.
   * Throws EventFeedError when the connection closed or the crate was silent longer than the limit.
   */
  pump(now: number): string[] {
    if (this.#fd < 0) {
      const fd = this.#server?.acceptReady() ?? null;
      if (fd !== null) {
        this.#fd = fd;
        this.#lastHeardMs = now;
      }
    }
    if (this.#heardInDrain) {
      this.#heardInDrain = false;
      this.#lastHeardMs = now;
    }
    if (this.#fd >= 0 && this.#read()) this.#lastHeardMs = now;
    const silentMs = now - this.#lastHeardMs;
    if (silentMs > this.#cfg.keepaliveLimitSeconds * 1000) {
      throw new EventFeedError(this.#fd < 0 ? `the crate did not connect to port ${this.port} within ${this.#cfg.keepaliveLimitSeconds} s (is EVENTS_LISTEN reachable from the crate?)` : `no event and no keepalive for ${Math.round(silentMs / 1000)} s`);
    }
    const changed: string[] = [];
    for (const [name, m] of this.#models) {
      if (!m.dirty) continue;
      m.dirty = false;
      changed.push(name);
    }
    return changed;
  }

  /**
   * Reads and applies every batch waiting on the socket (at most 100); true when one was read. Throws
   * EventFeedError when the connection closed.
   */
  #read(): boolean {
    let heard = false;
    for (let n = 0; n < 100 && this.#sockets.readable(this.#fd); n++) {
      let batch: { events: EventLike[] };
      try {
        batch = this.#session.readEvents(this.#fd, this.#kindOf);
      } catch (err) {
        throw new EventFeedError(`the event connection closed (${err instanceof Error ? err.message : String(err)})`);
      }
      heard = true;
      for (const e of batch.events) this.#apply(e);
    }
    return heard;
  }

  get lastHeardMs(): number {
    return this.#lastHeardMs;
  }

  #apply(e: EventLike): void {
    if (e.type !== 0 || e.value === undefined) return;
    const targets = this.#index.get(`${e.board}/${e.channel}/${e.item}`);
    if (!targets) return;
    this.events++;
    for (const { setup, i } of targets) {
      const m = this.#models.get(setup)!;
      if (e.channel < 0) {
        const kind = m.board.get(e.item)?.kind ?? m.plan.bdParams.find((p) => p.name === e.item)?.kind ?? 'float';
        m.board.set(e.item, { value: Number(e.value), kind });
        m.touched?.add(`bd/${e.item}`);
      } else if (e.item === 'Name') {
        m.names[i] = String(e.value).trim();
        m.touched?.add(`Name/${i}`);
      } else {
        const vals = m.values.get(e.item);
        if (!vals) continue;
        vals[i] = Number(e.value);
        m.touched?.add(`${e.item}/${i}`);
      }
      m.dirty = true;
    }
  }

  /** The reading of a setup as the events tell it, stamped with `timeMs` (the arrival). */
  reading(setup: string, base: SetupReading, timeMs: number): SetupReading {
    const m = this.#models.get(setup)!;
    return { ...base, names: [...m.names], values: new Map([...m.values].map(([k, v]) => [k, [...v]])), kinds: new Map(m.kinds), board: new Map(m.board), timeMs };
  }

  covers(setup: string): boolean {
    return this.#models.has(setup);
  }

  /** A full poll of `setup` begins: what events change from now until reconcile() is newer than the poll. */
  beginPoll(setup: string): void {
    const m = this.#models.get(setup);
    if (m) m.touched = new Set();
  }

  /**
   * A full poll of a setup (begun with beginPoll): first applies the events already waiting on the socket
   * (a change the poll read has usually sent its event before the poll's answer), then counts the values
   * that differ from what the events said (set points, status words, switches, names, board status; not
   * the continuously measured values), then takes the poll as the new truth, except for the items an
   * event changed during the poll: their event is at least as new as the poll.
   */
  reconcile(setup: string, r: SetupReading): number {
    const m = this.#models.get(setup);
    if (!m) return 0;
    if (this.#fd >= 0) {
      try {
        if (this.#read()) this.#heardInDrain = true;
      } catch {
        // a closed connection: the next pump() finds it again and falls back
      }
    }
    const touched = m.touched ?? new Set<string>();
    m.touched = undefined;
    const slot = m.plan.setup.slot;
    let differences = 0;
    const values = new Map<string, number[]>();
    for (const [param, polled] of r.values) {
      const kind = r.kinds.get(param) ?? 'float';
      const known = m.values.get(param);
      const merged = polled.map((v, i) => (known && touched.has(`${param}/${i}`) ? known[i] : v));
      values.set(param, merged);
      if (!known || measured(this.#session, slot, param, kind)) continue;
      polled.forEach((v, i) => {
        if (!touched.has(`${param}/${i}`) && !Object.is(v, known[i])) differences++;
      });
    }
    const names = r.names.map((n, i) => (touched.has(`Name/${i}`) && m.names[i] !== undefined ? m.names[i] : n));
    r.names.forEach((n, i) => {
      if (!touched.has(`Name/${i}`) && m.names[i] !== undefined && n !== m.names[i]) differences++;
    });
    const board = new Map(r.board);
    for (const [param, { value, kind }] of r.board) {
      const known = m.board.get(param);
      if (known && touched.has(`bd/${param}`)) board.set(param, known);
      else if (known && kind !== 'float' && known.value !== value) differences++;
    }
    m.values = values;
    m.kinds = new Map(r.kinds);
    m.names = names;
    m.board = board;
    return differences;
  }

  close(): void {
    if (this.#fd >= 0) this.#sockets.closeFd(this.#fd);
    this.#fd = -1;
    this.#server?.close();
    this.#server = null;
  }
}
