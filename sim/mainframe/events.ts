// Event mode of one session (docs/caen-wrapper.md §10, §10.1): the items it subscribed, the TCP connection the
// crate opens back to the client, and the batches it pushes on it.
//
// Wire format of that connection (crate -> library; ours, only the drop-in library reads it): no preamble;
// each batch is one frame = 4-byte big-endian length + that many bytes of text:
//   line 1:  <System> \t <Board0> ... \t <Board15>                     (status values 0..3)
//   then per record:  <Type> \t <SystemHandle> \t <Board> \t <Channel> \t <ItemID> \t <f|i|s> \t <value>
// Strings are %XX-escaped as on the command connection.
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ParamMode, ParamType, SysPropType } from './catalog.js';
import { Code, SimError } from './codes.js';
import type { Crate } from './crate.js';
import { escapeField } from './wire.js';

export const EventType = { PARAMETER: 0, ALARM: 1, KEEPALIVE: 2, TRMODE: 3 } as const;
export const SysStatus = { SYNC: 0, ASYNC: 1, UNSYNC: 2, NOTAVAIL: 3 } as const;

/** System (-1, -1), board (slot, -1) or channel (slot, ch) item. */
export interface Target {
  slot: number;
  ch: number;
}

/** Event-mode settings and faults of a crate (control API `POST /crates/C/faults`). */
export interface EventFaults {
  /** a KEEPALIVE batch goes out when nothing was sent for this long */
  eventKeepaliveMs: number;
  /** false: no keepalives at all (fault) */
  eventKeepalives: boolean;
  /** every batch leaves this much later (fault) */
  eventDelayMs: number;
  /** the next N PARAMETER records are dropped silently (fault); the crate thinks it sent them */
  loseEvents: number;
}

export function defaultEventFaults(): EventFaults {
  return { eventKeepaliveMs: 5000, eventKeepalives: true, eventDelayMs: 0, loseEvents: 0 };
}

/** Per-session event counts (in the counters of the control API). */
export interface EventCounters {
  /** the event connection is open now */
  open: boolean;
  /** items subscribed now */
  subscribed: number;
  connections: number;
  connectFailures: number;
  batches: number;
  /** PARAMETER records sent */
  parameter: number;
  /** KEEPALIVE records sent */
  keepalive: number;
  /** PARAMETER records dropped by the loseEvents fault */
  lost: number;
}

export function newEventCounters(): EventCounters {
  return { open: false, subscribed: 0, connections: 0, connectFailures: 0, batches: 0, parameter: 0, keepalive: 0, lost: 0 };
}

/** How a value travels: float, 32-bit int, or string. */
type ValueKind = 'f' | 'i' | 's';

interface Item {
  target: Target;
  name: string;
  /** coalesced: checked at most once per second */
  measured: boolean;
  /** can change without a set (physics): checked every tick */
  volatile: boolean;
  /** the last value sent, as "kind\tvalue"; undefined: send the current value */
  last?: string;
}

/** How often a measured value may be sent. */
const MEASURED_PERIOD_MS = 1000;

function key(t: Target, name: string): string {
  return `${t.slot}/${t.ch}/${name}`;
}

/** The value of an item as the records carry it, or null when it cannot be read now (board removed). */
function readItem(crate: Crate, t: Target, name: string): { kind: ValueKind; value: string } | null {
  try {
    if (t.slot < 0) {
      const p = crate.getSysProp(name);
      const kind: ValueKind = p.type === SysPropType.STR ? 's' : p.type === SysPropType.REAL ? 'f' : 'i';
      return { kind, value: String(p.value) };
    }
    if (t.ch < 0) {
      const v = crate.getBdParam([t.slot], name);
      return { kind: v.type === ParamType.NUMERIC ? 'f' : v.type === ParamType.STRING ? 's' : 'i', value: String(v.values[0]) };
    }
    if (name === 'Name') return { kind: 's', value: crate.getChName(t.slot, [t.ch])[0] };
    const v = crate.getChParam(t.slot, name, [t.ch]);
    return { kind: v.type === ParamType.NUMERIC ? 'f' : v.type === ParamType.STRING ? 's' : 'i', value: String(v.values[0]) };
  } catch {
    return null;
  }
}

/**
 * Checks that the target exists (throws the code the ordinary calls give: 7 empty slot, 26 bad channel)
 * and returns, per name, 0 or the code of the ordinary read of that name (22, 16...).
 */
function checkNames(crate: Crate, t: Target, names: string[]): number[] {
  if (t.slot >= 0) {
    const b = crate.board(t.slot);
    if (t.ch >= 0) crate.getChName(b.slot, [t.ch]);
  }
  return names.map((name) => {
    if (t.ch >= 0 && name === 'Name') return Code.OK;
    try {
      if (!name) throw new SimError(t.slot < 0 ? Code.NOTSYSPROP : Code.PARAMNOTFOUND, 'empty name');
      if (t.slot < 0) crate.getSysProp(name);
      else if (t.ch < 0) crate.getBdParam([t.slot], name);
      else crate.getChParam(t.slot, name, [t.ch]);
      return Code.OK;
    } catch (err) {
      return err instanceof SimError ? err.code : Code.SYSERR;
    }
  });
}

function classify(crate: Crate, t: Target, name: string): { measured: boolean; volatile: boolean } {
  if (t.slot < 0) return { measured: crate.sysPropInfo(name).mode === ParamMode.RDONLY, volatile: false };
  if (t.ch >= 0 && name === 'Name') return { measured: false, volatile: false };
  const model = crate.board(t.slot).model;
  const d = (t.ch < 0 ? model.bdParams : model.chParams).find((p) => p.name === name);
  const measured = d?.mode === ParamMode.RDONLY && d.type === ParamType.NUMERIC;
  const volatile = name === 'Status' || name === 'Pw' || name === 'BdStatus';
  return { measured, volatile };
}

/** The event side of one session. */
export class EventLink {
  private readonly items = new Map<string, Item>();
  private socket: Socket | null = null;
  private state: 'idle' | 'connecting' | 'open' = 'idle';
  private lastSentMs = 0;
  private lastMeasuredMs = 0;
  private sending: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly crate: Crate,
    /** the client's own InitSystem handle: every record carries it */
    private readonly clientHandle: number,
    /** the login's peer address: the crate connects back there */
    private readonly peerHost: string,
    private readonly faults: EventFaults,
    readonly counters: EventCounters,
  ) {}

  /** Subscribes names on a target; returns one code per name. Opens the connection on the first success. */
  subscribe(t: Target, names: string[], port: number): number[] {
    const codes = checkNames(this.crate, t, names);
    let any = false;
    names.forEach((name, i) => {
      if (codes[i] !== Code.OK) return;
      any = true;
      // a new or repeated subscription sends the current value once
      this.items.set(key(t, name), { target: { ...t }, name, ...classify(this.crate, t, name) });
    });
    this.counters.subscribed = this.items.size;
    if (any && this.state === 'idle' && !this.closed) this.open(port);
    else if (any) this.sweep('changed');
    return codes;
  }

  unsubscribe(t: Target, names: string[]): number[] {
    const codes = checkNames(this.crate, t, names);
    names.forEach((name, i) => {
      if (codes[i] === Code.OK) this.items.delete(key(t, name));
    });
    this.counters.subscribed = this.items.size;
    return codes;
  }

  private open(port: number): void {
    this.state = 'connecting';
    const socket = connect({ host: this.peerHost, port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      if (this.socket !== socket) return;
      this.state = 'open';
      this.counters.open = true;
      this.counters.connections++;
      this.lastSentMs = Date.now();
      for (const item of this.items.values()) item.last = undefined;
      this.sweep('changed');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket !== socket) return;
      if (this.state === 'connecting') this.counters.connectFailures++;
      this.socket = null;
      this.state = 'idle';
      this.counters.open = false;
    });
    // the client never writes on this connection; data is ignored
    socket.on('data', () => undefined);
  }

  /** Closes the event connection (the client's GetEventData then fails with READERR). */
  drop(): void {
    const s = this.socket;
    this.socket = null;
    this.state = 'idle';
    this.counters.open = false;
    s?.destroy();
  }

  /** The session ended: no more events, no reconnection. */
  close(): void {
    this.closed = true;
    this.drop();
  }

  /**
   * Sends what changed. 'tick' checks volatile items every time and everything else once a second
   * (measured values are coalesced to that); 'changed' (after a set) checks all but measured items.
   */
  sweep(reason: 'tick' | 'changed'): void {
    if (this.state !== 'open') return;
    const now = Date.now();
    const measuredDue = now - this.lastMeasuredMs >= MEASURED_PERIOD_MS;
    if (reason === 'tick' && measuredDue) this.lastMeasuredMs = now;
    const lines: string[] = [];
    for (const item of this.items.values()) {
      const fresh = item.last === undefined;
      if (!fresh) {
        if (item.measured && !(reason === 'tick' && measuredDue)) continue;
        if (!item.measured && !item.volatile && reason === 'tick' && !measuredDue) continue;
      }
      const v = readItem(this.crate, item.target, item.name);
      if (!v) continue;
      const text = `${v.kind}\t${escapeField(v.value)}`;
      if (text === item.last) continue;
      item.last = text;
      if (this.faults.loseEvents > 0) {
        this.faults.loseEvents--;
        this.counters.lost++;
        continue;
      }
      lines.push([EventType.PARAMETER, this.clientHandle, item.target.slot, item.target.ch, escapeField(item.name), text].join('\t'));
    }
    if (lines.length > 0) {
      this.counters.parameter += lines.length;
      this.send(lines);
    } else if (this.faults.eventKeepalives && now - this.lastSentMs >= this.faults.eventKeepaliveMs) {
      this.counters.keepalive++;
      this.send([[EventType.KEEPALIVE, this.clientHandle, -1, -1, 'KeepAlive', 'i\t0'].join('\t')]);
    }
  }

  private statusLine(): string {
    const map = this.crate.crateMap();
    const boards = Array.from({ length: 16 }, (_, s) => (map[s]?.model ? SysStatus.SYNC : SysStatus.NOTAVAIL));
    return [SysStatus.SYNC, ...boards].join('\t');
  }

  private send(records: string[]): void {
    this.lastSentMs = Date.now();
    this.counters.batches++;
    const body = Buffer.from([this.statusLine(), ...records].join('\n') + '\n', 'latin1');
    const frame = Buffer.alloc(4 + body.length);
    frame.writeUInt32BE(body.length, 0);
    body.copy(frame, 4);
    const socket = this.socket;
    const delay = this.faults.eventDelayMs;
    const write = () => {
      if (socket && this.socket === socket && !socket.destroyed) socket.write(frame);
    };
    if (delay > 0) this.sending = this.sending.then(() => sleep(delay)).then(write);
    else this.sending = this.sending.then(write);
  }
}
