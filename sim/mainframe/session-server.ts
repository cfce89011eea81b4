// The TCP server of one simulated crate: each connection is a session of the drop-in library.
// Applies the injected faults (down, idle drop, latency, failing calls, refused logins) and counts calls.
import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Code, SimError } from './codes.js';
import { Counters, type SessionCounters } from './counters.js';
import type { Crate } from './crate.js';
import { CRATE_PORT, randomLoopback, type CrateAddress } from './crate-spec.js';
import { SimInputError } from './crates-file.js';
import { defaultEventFaults, EventLink, newEventCounters, type EventFaults, type Target } from './events.js';
import { errorReply, okReply, parseRequest, type Request, type WireValue } from './wire.js';

export interface FailNext {
  count: number;
  code: number;
  /** only calls of this wrapper function (e.g. CAENHV_GetChParam), or any call when null */
  fn: string | null;
}

/**
 * A reply the crate sends instead of the real one to the next call of `fn` (fault injection for the
 * library's robustness): `text` after the call's own sequence number (fields joined by TAB, sent as
 * given, no escaping), or a line that never ends ('endless': bytes without a newline), or a flood of
 * lines with a wrong sequence number ('stale'), both until the client closes or 60 s pass.
 */
export type OddReply = { fn: string; text: string } | { fn: string; stream: 'endless' | 'stale' };

export interface FaultState extends EventFaults {
  down: boolean;
  /** sessions with no traffic for this long are closed by the crate; null: never */
  idleDropSeconds: number | null;
  /** added before every answer */
  latencyMs: number;
  refuseLogins: boolean;
  /** a login's connection is accepted and its InitSystem never answered */
  silentLogins: boolean;
  /** switched off: nothing listens on the crate's address */
  off: boolean;
  failNext: FailNext | null;
  /** odd replies waiting for their function, first first */
  oddReplies: OddReply[];
}

interface Session {
  id: number;
  socket: Socket;
  queue: Promise<void>;
  entry?: SessionCounters;
  user?: string;
  closing: boolean;
  /** event mode, from the first subscription on */
  events?: EventLink;
}

type Handler = (args: string[], session: Session) => WireValue[];

let nextSessionId = 1;

function int(s: string | undefined, what: string): number {
  if (s === undefined || !/^\d+$/.test(s)) throw new SimError(Code.INVALIDPARAMETER, `Invalid parameter: ${what}`);
  return Number(s);
}

/** `n` then n integers from args[at...] */
function intList(args: string[], at: number, what: string): number[] {
  const n = int(args[at], `${what} count`);
  return Array.from({ length: n }, (_, i) => int(args[at + 1 + i], what));
}

/** How often the event links look for changes made by the physics (ramps, trips). */
const EVENT_TICK_MS = 100;

/** Calls after which subscribed values may have changed. */
const CHANGING_CALLS = new Set(['CAENHV_SetChParam', 'CAENHV_SetChName', 'CAENHV_SetBdParam', 'CAENHV_SetSysProp', 'CAENHV_ExecComm']);

/** Subscribe/UnSubscribe arguments: port, the target's slot and channel (as the call has them), count, names. */
function subscription(a: string[], kind: 'System' | 'Board' | 'Channel'): { port: number; target: Target; names: string[] } {
  const port = int(a[0], 'port');
  let at = 1;
  const slot = kind === 'System' ? -1 : int(a[at++], 'slot');
  const ch = kind === 'Channel' ? int(a[at++], 'channel') : -1;
  const n = int(a[at++], 'name count');
  const names = Array.from({ length: n }, (_, i) => a[at + i] ?? '');
  return { port, target: { slot, ch }, names };
}

export function canonicalFn(fn: string): string {
  return fn.startsWith('CAENHV_') ? fn : `CAENHV_${fn}`;
}

export class CrateServer {
  readonly counters: Counters;
  readonly faults: FaultState = { down: false, idleDropSeconds: null, latencyMs: 0, refuseLogins: false, silentLogins: false, off: false, failNext: null, oddReplies: [], ...defaultEventFaults() };
  private eventTimer: NodeJS.Timeout | null = null;
  private changePending = false;
  private server: Server | null = null;
  private readonly sessions = new Set<Session>();
  private readonly handlers: Record<string, Handler>;
  address = '';

  constructor(
    readonly crate: Crate,
    private readonly listenAt: CrateAddress,
  ) {
    this.counters = new Counters(crate.name);
    crate.sessionsText = () =>
      this.counters
        .openSessions()
        .map((s) => `${s.id} ${s.user} ${s.peer}`)
        .join(';');
    this.handlers = this.makeHandlers();
  }

  /** Listens on port CRATE_PORT of the crate's address (a random free loopback address for 'random'); resolves with the address. */
  async listen(): Promise<string> {
    if (this.listenAt !== 'random') return this.listenOn(this.listenAt);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.listenOn(randomLoopback());
      } catch (err) {
        if (!(err instanceof AddressInUse) || attempt >= 50) throw err;
      }
    }
  }

  private listenOn(host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.accept(socket));
      server.once('error', (err: NodeJS.ErrnoException) => {
        const where = `${host} (TCP ${CRATE_PORT})`;
        if (err.code === 'EADDRINUSE') reject(new AddressInUse(`crate ${this.crate.name}: address ${where} is already in use; choose another address (--address or address: in the crates file)`));
        else reject(new SimInputError(`crate ${this.crate.name}: cannot listen on ${where}: ${err.code ?? err.message}`));
      });
      server.listen(CRATE_PORT, host, () => {
        const a = server.address();
        this.address = typeof a === 'object' && a ? a.address : host;
        this.server = server;
        this.eventTimer ??= setInterval(() => this.sweepEvents('tick'), EVENT_TICK_MS);
        this.eventTimer.unref();
        resolve(this.address);
      });
    });
  }

  async close(): Promise<void> {
    if (this.eventTimer) clearInterval(this.eventTimer);
    this.eventTimer = null;
    for (const s of this.sessions) this.closeSession(s, 'dropped');
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  /** Switched off: every session cut and the listener closed; on: listening again on the same address. */
  async power(on: boolean): Promise<void> {
    if (on === !this.faults.off) return;
    if (on) {
      await this.listenOn(this.address);
      this.faults.off = false;
      return;
    }
    this.faults.off = true;
    const server = this.server;
    this.server = null;
    for (const s of this.sessions) this.closeSession(s, 'dropped');
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  setDown(down: boolean): void {
    this.faults.down = down;
    // a crate that goes down takes its event connections with it at once
    if (down) this.dropEventConnections();
  }

  /** Closes every session's event connection (fault); the sessions stay open. */
  dropEventConnections(): number {
    let n = 0;
    for (const s of this.sessions) {
      if (s.events?.counters.open) n++;
      s.events?.drop();
    }
    return n;
  }

  /** Something in the crate changed (a set by any session, an operator action): push it now. */
  changed(): void {
    if (this.changePending) return;
    this.changePending = true;
    setImmediate(() => {
      this.changePending = false;
      this.sweepEvents('changed');
    });
  }

  private sweepEvents(reason: 'tick' | 'changed'): void {
    for (const s of this.sessions) s.events?.sweep(reason);
  }

  setIdleDrop(seconds: number | null): void {
    this.faults.idleDropSeconds = seconds && seconds > 0 ? seconds : null;
    for (const s of this.sessions) s.socket.setTimeout(this.faults.idleDropSeconds ? this.faults.idleDropSeconds * 1000 : 0);
  }

  /** Closes every open session now, as a crate reboot or a network cut would. */
  dropSessions(): number {
    let n = 0;
    for (const s of this.sessions) {
      this.closeSession(s, 'dropped');
      n++;
    }
    return n;
  }

  private accept(socket: Socket): void {
    if (this.faults.down) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const session: Session = { id: nextSessionId++, socket, queue: Promise.resolve(), closing: false };
    this.sessions.add(session);
    if (this.faults.idleDropSeconds) socket.setTimeout(this.faults.idleDropSeconds * 1000);
    socket.on('timeout', () => this.closeSession(session, 'idle'));
    socket.on('error', () => undefined);
    socket.on('close', () => this.closeSession(session, 'client'));
    let buffered = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        session.queue = session.queue.then(() => this.handle(session, line)).catch(() => undefined);
      }
    });
  }

  private closeSession(s: Session, reason: string): void {
    if (!this.sessions.has(s)) return;
    this.sessions.delete(s);
    s.closing = true;
    s.events?.close();
    if (s.entry) this.counters.closed(s.entry, reason);
    if (reason === 'logout' || reason === 'down') s.socket.end();
    else s.socket.destroy();
  }

  /** Sends an odd reply (see OddReply); streams stop when the client closes, or after 60 s. */
  private sendOdd(s: Session, seq: string, o: OddReply): void {
    if ('text' in o) {
      this.send(s, `${seq}\t${o.text}\n`);
      return;
    }
    const chunk = o.stream === 'endless' ? 'x'.repeat(64 * 1024) : `${Number(seq) + 1000}\t0\t0\n`.repeat(256);
    const until = Date.now() + 60_000;
    const pump = (): void => {
      if (s.closing || s.socket.destroyed || Date.now() > until) return;
      if (s.socket.write(chunk, 'latin1')) setImmediate(pump);
      else s.socket.once('drain', pump);
    };
    pump();
  }

  private send(s: Session, text: string): void {
    if (!s.closing && !s.socket.destroyed) s.socket.write(text, 'latin1');
  }

  private async handle(session: Session, line: string): Promise<void> {
    if (session.closing) return;
    const req = parseRequest(line);
    if (!req) {
      this.closeSession(session, 'dropped');
      return;
    }
    const internal = req.fn.startsWith('_');
    const fn = canonicalFn(req.fn);
    if (!internal) {
      this.counters.call(fn, session.entry);
      if (this.faults.latencyMs > 0) await sleep(this.faults.latencyMs);
      if (session.closing) return;
    }
    if (fn === 'CAENHV_InitSystem' && this.faults.silentLogins) return;
    const odd = this.faults.oddReplies.findIndex((o) => canonicalFn(o.fn) === fn);
    if (odd >= 0) {
      const [o] = this.faults.oddReplies.splice(odd, 1);
      this.sendOdd(session, req.seq, o);
      return;
    }
    if (this.faults.down) {
      this.send(session, errorReply(req.seq, Code.DOWN, 'CFE server down'));
      this.closeSession(session, 'down');
      return;
    }
    const fail = this.faults.failNext;
    if (!internal && fail && fail.count > 0 && (fail.fn === null || fail.fn === fn)) {
      fail.count--;
      if (fail.count === 0) this.faults.failNext = null;
      const text = fail.code < 0 ? `Mainframe error ${fail.code} (injected by the simulator)` : `Simulated failure ${fail.code} (injected by the simulator)`;
      this.send(session, errorReply(req.seq, fail.code, text));
      if (fn === 'CAENHV_InitSystem') this.counters.loginFailed();
      return;
    }
    this.send(session, this.dispatch(session, req, fn));
    if (fn === 'CAENHV_DeinitSystem') this.closeSession(session, 'logout');
    if (CHANGING_CALLS.has(fn)) this.changed();
  }

  private dispatch(session: Session, req: Request, fn: string): string {
    try {
      if (fn !== 'CAENHV_InitSystem' && !session.entry)
        throw new SimError(Code.NOTCONNECTED, 'Not connected: log in with CAENHV_InitSystem first');
      const handler = this.handlers[req.fn];
      if (!handler) throw new SimError(Code.NOTYETIMPLEMENTED, `Not implemented by the simulator: ${req.fn}`);
      return okReply(req.seq, handler(req.args, session));
    } catch (err) {
      if (err instanceof SimError) return errorReply(req.seq, err.code, err.message);
      return errorReply(req.seq, Code.SYSERR, `Simulator internal error: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private makeHandlers(): Record<string, Handler> {
    const c = this.crate;
    return {
      InitSystem: (a, s) => {
        if (s.entry) throw new SimError(Code.INVALIDPARAMETER, 'Already logged in on this session');
        const [system, , , user, password, pid, handle] = a;
        try {
          if (this.faults.refuseLogins) throw new SimError(Code.USERPASSFAILED, 'Login failed: the crate refuses logins');
          c.login(user ?? '', password ?? '', Number(system));
        } catch (err) {
          this.counters.loginFailed();
          throw err;
        }
        s.user = user;
        const peer = `${s.socket.remoteAddress ?? ''}:${s.socket.remotePort ?? ''}`;
        s.entry = this.counters.opened({ id: s.id, user: user ?? '', pid: Number(pid) || 0, clientHandle: Number(handle) || 0, peer });
        s.entry.calls.CAENHV_InitSystem = 1;
        s.entry.total = 1;
        return [c.systemType, s.id, c.name];
      },
      DeinitSystem: () => [],
      GetCrateMap: () => {
        const map = c.crateMap();
        return [map.length, ...map.flatMap((b) => [b.model, b.description, b.channels, b.serial, b.fmwMin, b.fmwMax])];
      },
      GetSysPropList: () => {
        const l = c.sysPropList();
        return [l.length, ...l];
      },
      GetSysPropInfo: (a) => {
        const i = c.sysPropInfo(a[0] ?? '');
        return [i.mode, i.type];
      },
      _SysPropType: (a) => [c.sysPropInfo(a[0] ?? '').type],
      GetSysProp: (a) => {
        const p = c.getSysProp(a[0] ?? '');
        return [p.type, p.value];
      },
      SetSysProp: (a) => {
        c.setSysProp(a[0] ?? '', a[1] ?? '');
        return [];
      },
      GetBdParamInfo: (a) => {
        const l = c.bdParamInfo(int(a[0], 'slot'));
        return [l.length, ...l];
      },
      GetBdParamProp: (a) => {
        const p = c.bdParamProp(int(a[0], 'slot'), a[1] ?? '', a[2] ?? '');
        return [p.kind, p.value];
      },
      GetBdParam: (a) => {
        const v = c.getBdParam(intList(a, 1, 'slot'), a[0] ?? '');
        return [v.type, ...v.values];
      },
      SetBdParam: (a) => {
        const slots = intList(a, 1, 'slot');
        const at = 2 + slots.length;
        const n = int(a[at], 'value count');
        c.setBdParam(slots, a[0] ?? '', a.slice(at + 1, at + 1 + n));
        return [];
      },
      TestBdPresence: (a) => {
        const b = c.testBoard(int(a[0], 'slot'));
        return [b.channels, b.model, b.description, b.serial, b.fmwMin, b.fmwMax];
      },
      GetChParamInfo: (a) => {
        const l = c.chParamInfo(int(a[0], 'slot'), int(a[1], 'channel'));
        return [l.length, ...l];
      },
      GetChParamProp: (a) => {
        const p = c.chParamProp(int(a[0], 'slot'), int(a[1], 'channel'), a[2] ?? '', a[3] ?? '');
        return [p.kind, p.value];
      },
      GetChName: (a) => c.getChName(int(a[0], 'slot'), intList(a, 1, 'channel')),
      SetChName: (a) => {
        c.setChName(int(a[0], 'slot'), a[1] ?? '', intList(a, 2, 'channel'));
        return [];
      },
      GetChParam: (a) => {
        const v = c.getChParam(int(a[0], 'slot'), a[1] ?? '', intList(a, 2, 'channel'));
        return [v.type, ...v.values];
      },
      SetChParam: (a) => {
        const chs = intList(a, 2, 'channel');
        const at = 3 + chs.length;
        const n = int(a[at], 'value count');
        c.setChParam(int(a[0], 'slot'), a[1] ?? '', chs, a.slice(at + 1, at + 1 + n));
        return [];
      },
      GetExecCommList: () => {
        const l = c.commands();
        return [l.length, ...l];
      },
      ExecComm: (a) => {
        c.exec(a[0] ?? '');
        return [];
      },
      SubscribeSystemParams: (a, s) => this.subscribe(s, a, 'System', true),
      SubscribeBoardParams: (a, s) => this.subscribe(s, a, 'Board', true),
      SubscribeChannelParams: (a, s) => this.subscribe(s, a, 'Channel', true),
      UnSubscribeSystemParams: (a, s) => this.subscribe(s, a, 'System', false),
      UnSubscribeBoardParams: (a, s) => this.subscribe(s, a, 'Board', false),
      UnSubscribeChannelParams: (a, s) => this.subscribe(s, a, 'Channel', false),
    };
  }

  /** (Un)subscribes for a session: one code per name; SY1527/SY2527 have no event mode in this format. */
  private subscribe(s: Session, a: string[], kind: 'System' | 'Board' | 'Channel', on: boolean): WireValue[] {
    if (this.crate.systemType !== 2 && this.crate.systemType !== 3)
      throw new SimError(Code.FUNCTIONNOTAVAILABLE, `Function not available: ${this.crate.systemName} has no event mode of this kind (SY4527 and SY5527 only); poll instead`);
    const { port, target, names } = subscription(a, kind);
    if (!s.entry) throw new SimError(Code.NOTCONNECTED, 'Not connected');
    if (!s.events) {
      const counters = newEventCounters();
      s.entry.events = counters;
      s.events = new EventLink(this.crate, s.entry.clientHandle, s.socket.remoteAddress ?? '127.0.0.1', this.faults, counters);
    }
    return on ? s.events.subscribe(target, names, port) : s.events.unsubscribe(target, names);
  }
}

class AddressInUse extends SimInputError {}

