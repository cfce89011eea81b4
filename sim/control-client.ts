// A typed client of the simulator's control API (HTTP/JSON), for tests, benchmarks and scripts.
// Every method takes an optional crate name; without one it acts on the first crate.
import type { CountersSnapshot } from './mainframe/counters.js';
import type { CrateState } from './mainframe/control-server.js';
import type { FaultState } from './mainframe/session-server.js';

export type { CountersSnapshot, SessionCounters } from './mainframe/counters.js';
export type { CrateState } from './mainframe/control-server.js';
export type { FaultState, FailNext } from './mainframe/session-server.js';
export type { EventCounters } from './mainframe/events.js';

export interface ChannelState {
  name: string;
  LoadMOhm: number;
  /** every channel parameter as the library would read it (Pw 0/1, Status bits...) */
  params: Record<string, number>;
}

export class SimControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** the wrapper result code when the crate refused the request */
    readonly code?: number,
  ) {
    super(message);
    this.name = 'SimControlError';
  }
}

export class SimControlClient {
  private readonly base: string;

  /** `address` is the control HOST:PORT printed in the simulator's ready line. */
  constructor(address: string) {
    this.base = `http://${address}`;
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const payload = (await res.json()) as { error?: string; code?: number };
    if (!res.ok) throw new SimControlError(res.status, payload.error ?? `HTTP ${res.status}`, payload.code);
    return payload as T;
  }

  private crate(name?: string): string {
    return `/crates/${encodeURIComponent(name ?? '_')}`;
  }

  async crates(): Promise<CrateState[]> {
    return (await this.request<{ crates: CrateState[] }>('GET', '/')).crates;
  }

  state(crate?: string): Promise<CrateState> {
    return this.request('GET', this.crate(crate));
  }

  counters(crate?: string): Promise<CountersSnapshot> {
    return this.request('GET', `${this.crate(crate)}/counters`);
  }

  async resetCounters(crate?: string): Promise<void> {
    await this.request('POST', `${this.crate(crate)}/counters/reset`, {});
  }

  /**
   * The crate is switched off (or unplugged): open sessions are cut, nothing listens on its TCP 2527
   * (a login answers LOGINFAILED 0x1004 at once, and TCP 2527 refuses connections). `crateOn()` undoes it.
   */
  async crateOff(crate?: string): Promise<void> {
    await this.request('POST', `${this.crate(crate)}/off`, {});
  }

  async crateOn(crate?: string): Promise<void> {
    await this.request('POST', `${this.crate(crate)}/on`, {});
  }

  /** The crate's CFE server is down: open sessions get DOWN (5) then NOTCONNECTED, new connections are accepted and closed (USERPASSFAILED 0x1007). */
  async crateDown(crate?: string): Promise<void> {
    await this.request('POST', `${this.crate(crate)}/down`, {});
  }

  async crateUp(crate?: string): Promise<void> {
    await this.request('POST', `${this.crate(crate)}/up`, {});
  }

  /** Sessions with no traffic for `seconds` are closed by the crate; null turns it off. */
  async idleDrop(seconds: number | null, crate?: string): Promise<void> {
    await this.request('POST', `${this.crate(crate)}/faults`, { idleDropSeconds: seconds });
  }

  /** Extra delay before every answer (ms); 0 turns it off. */
  async latency(ms: number, crate?: string): Promise<void> {
    await this.request('POST', `${this.crate(crate)}/faults`, { latencyMs: ms });
  }

  async refuseLogins(refuse: boolean, crate?: string): Promise<void> {
    await this.request('POST', `${this.crate(crate)}/faults`, { refuseLogins: refuse });
  }

  /** The crate accepts a login's connection and never answers it (the library gives up with USERPASSFAILED after its login time-out). */
  async silentLogins(silent: boolean, crate?: string): Promise<void> {
    await this.request('POST', `${this.crate(crate)}/faults`, { silentLogins: silent });
  }

  /** The next `count` wrapper calls (of function `fn` only, e.g. "CAENHV_GetChParam", if given) answer `code`. */
  async failNext(count: number, code: number, fn?: string, crate?: string): Promise<void> {
    await this.request('POST', `${this.crate(crate)}/fail-next`, { count, code, fn: fn ?? null });
  }

  /**
   * Event mode settings and faults: keepalive period (ms), keepalives on/off, extra delay of every batch (ms),
   * the next N PARAMETER records lost. Only the keys given change.
   */
  async eventFaults(f: Partial<Pick<FaultState, 'eventKeepaliveMs' | 'eventKeepalives' | 'eventDelayMs' | 'loseEvents'>>, crate?: string): Promise<void> {
    await this.request('POST', `${this.crate(crate)}/faults`, f);
  }

  /** Closes every session's event connection (the sessions stay open); returns how many were open. */
  async dropEventConnections(crate?: string): Promise<number> {
    return (await this.request<{ dropped: number }>('POST', `${this.crate(crate)}/events/drop`, {})).dropped;
  }

  /** Closes every open session now; returns how many. */
  async dropSessions(crate?: string): Promise<number> {
    return (await this.request<{ dropped: number }>('POST', `${this.crate(crate)}/sessions/drop`, {})).dropped;
  }

  async removeBoard(slot: number, crate?: string): Promise<void> {
    await this.request('POST', `${this.crate(crate)}/slots/${slot}/remove`, {});
  }

  /** Puts a removed board back: its channels come back off, with their set points. */
  async insertBoard(slot: number, crate?: string): Promise<void> {
    await this.request('POST', `${this.crate(crate)}/slots/${slot}/insert`, {});
  }

  async setBoardTemperature(slot: number, celsius: number, crate?: string): Promise<void> {
    await this.request('POST', `${this.crate(crate)}/slots/${slot}/temperature`, { celsius });
  }

  /**
   * The next call of `fn` gets an odd reply instead of the real one: `text` (fields after the sequence
   * number, TAB-separated, sent as given), a line that never ends ('endless') or a flood of wrong-sequence
   * lines ('stale'). For testing a library's robustness; see docs/simulator.md.
   */
  async oddReply(fn: string, reply: { text: string } | { stream: 'endless' | 'stale' }, crate?: string): Promise<void> {
    await this.request('POST', `${this.crate(crate)}/odd-reply`, { fn, ...reply });
  }

  /** Fault injection: channel Status bits (mask of §8 bits: interlock 1<<8, power fail 1<<14, ...) shown on top of the physics; 0 clears. */
  async channelStatusFault(slot: number, ch: number, bits: number, crate?: string): Promise<void> {
    await this.request('POST', `${this.crate(crate)}/slots/${slot}/channels/${ch}/status`, { bits });
  }

  /** Fault injection: BdStatus bits (power fail 1, checksum 2, HV calibration 4, temperature calibration 8); 0 clears. */
  async boardStatusFault(slot: number, bits: number, crate?: string): Promise<void> {
    await this.request('POST', `${this.crate(crate)}/slots/${slot}/status`, { bits });
  }

  /** Trips a channel now (INTTRIP; off by Kill or Ramp per its PDwn). */
  trip(slot: number, ch: number, crate?: string): Promise<ChannelState> {
    return this.request('POST', `${this.crate(crate)}/slots/${slot}/channels/${ch}/trip`, {});
  }

  /** Sets a channel value as an operator at the crate would: a parameter (limits apply), "LoadMOhm" or "name". */
  setChannel(slot: number, ch: number, param: string, value: number | string, crate?: string): Promise<ChannelState> {
    return this.request('POST', `${this.crate(crate)}/slots/${slot}/channels/${ch}`, { param, value });
  }

  getChannel(slot: number, ch: number, crate?: string): Promise<ChannelState> {
    return this.request('GET', `${this.crate(crate)}/slots/${slot}/channels/${ch}`);
  }
}
