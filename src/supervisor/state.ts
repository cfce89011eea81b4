// What the running daemon knows about itself: per crate, per setup, per sink, the latest reading of
// every channel and the active alarms. Fed by worker and writer messages; every change is emitted on
// the event bus (src/events/) once, when it happens; read by the health endpoint and the extensions.
import { DaemonEvents } from '../events/bus.js';
import type { Alarm, CrateStateName } from '../events/types.js';
import type { ChannelReading, ReadingMode, ScanLayout } from '../protocol.js';
import { decodeChStatus } from '../status-bits.js';
import { isoTime } from '../time.js';
import { LatestReadings, ScanEventData, ScanSnapshot, SetupTable } from './scan-table.js';

export interface CrateHealth {
  id: string;
  address: string;
  systemType: string;
  state: CrateStateName;
  /** ms since the epoch the state began */
  sinceMs: number;
  detail?: string;
  retryInMs?: number;
  setups: string[];
  /** worker restarts after a fault */
  restarts: number;
  lastScanMs?: number;
  /** how readings are obtained: 'polling', or 'events' (MAINFRAME.EVENTS, pushed by the crate) */
  mode?: ReadingMode;
  /** event mode figures, once the worker reported any */
  events?: EventModeHealth;
}

/** Event mode of one crate as its worker reports it. */
export interface EventModeHealth {
  detail: string;
  /** PARAMETER events applied since event mode last started */
  events: number;
  /** reconcile polls, values that differed from the events (total and at the last one) */
  reconciles: number;
  differences: number;
  lastDifferences: number;
  /** fallbacks to polling since the worker started */
  fallbacks: number;
  /** ms since the epoch of the last report */
  reportedMs: number;
}

export interface SetupHealth {
  name: string;
  mainframe: string;
  sink: string;
  holdOffSeconds: number;
  paused: boolean;
  reason?: string;
  lastScanMs?: number;
  scanDurationMs?: number;
  callsPerScan?: number;
  pointsPerScan?: number;
  scans: number;
}

export interface SinkHealth {
  id: string;
  kind: string;
  /** where the data goes, without credentials */
  target: string;
  state: 'ok' | 'failing' | 'unknown';
  spoolBytes?: number;
  lastError?: string;
  lastErrorMs?: number;
  written?: number;
  /** the spool cannot be appended or cannot record acknowledgements: what and the fix (a problem in health) */
  spoolError?: string;
  /** any further numbers the writer reports */
  extra?: Record<string, unknown>;
}

export interface HealthReport {
  ok: boolean;
  pid: number;
  startedAt: string;
  uptimeSeconds: number;
  /** resident memory of the whole process (every thread), MB: what to watch over months */
  rssMegabytes: number;
  phase: string;
  crates: (CrateHealth & { since: string; lastScanAgeSeconds?: number; callsPerRound: number })[];
  setups: (SetupHealth & { lastScanAgeSeconds?: number })[];
  sinks: SinkHealth[];
  /** active alarms (raised, not yet cleared), oldest first */
  alarms: Alarm[];
  problems: string[];
}

/** What the extensions may read of the daemon's state (they never change it). */
export interface DaemonStateView {
  readonly phase: DaemonState['phase'];
  readonly crates: ReadonlyMap<string, Readonly<CrateHealth>>;
  readonly setups: ReadonlyMap<string, Readonly<SetupHealth>>;
  readonly sinks: ReadonlyMap<string, Readonly<SinkHealth>>;
  readonly latest: ReadonlyMap<string, ChannelReading>;
  readonly alarms: ReadonlyMap<string, Readonly<Alarm>>;
  report(now?: number): HealthReport;
  readings(): Record<string, ChannelReading[]>;
}

export class DaemonState implements DaemonStateView {
  readonly startedMs = Date.now();
  phase: 'starting' | 'running' | 'stopping' | 'stopped' = 'starting';
  readonly crates = new Map<string, CrateHealth>();
  readonly setups = new Map<string, SetupHealth>();
  readonly sinks = new Map<string, SinkHealth>();
  /** latest reading per channel, key `setup/channel` */
  readonly latest = new LatestReadings();
  /** per setup: how its scans are read (the layout its worker sent last) */
  readonly #tables = new Map<string, SetupTable>();
  readonly #cellOf = (key: string) => this.latest.cell(key);
  /** active alarms by id (kept by src/alarms/alarms.ts) */
  readonly alarms = new Map<string, Alarm>();

  constructor(readonly events: DaemonEvents = new DaemonEvents()) {}

  /** A worker reported its crate's state: recorded, and emitted when the state name changed. */
  setCrateState(id: string, patch: Pick<CrateHealth, 'state' | 'sinceMs'> & Partial<Pick<CrateHealth, 'detail' | 'retryInMs'>>): void {
    const c = this.crates.get(id);
    if (!c) return;
    const before = c.state;
    Object.assign(c, { detail: undefined, retryInMs: undefined }, patch);
    if (before !== c.state) this.events.emit('crate-state', { mainframe: id, before, after: c.state, timeMs: c.sinceMs, ...(c.detail ? { detail: c.detail } : {}) });
  }

  /** A worker reported its event mode (started, fell back, reconciled). */
  setEventMode(id: string, mode: ReadingMode, events: Omit<EventModeHealth, 'reportedMs'>): void {
    const c = this.crates.get(id);
    if (!c) return;
    c.mode = mode;
    c.events = { ...events, reportedMs: Date.now() };
  }

  /** A setup was paused or resumed: recorded, and emitted when that changed. */
  setSetupState(name: string, paused: boolean, reason?: string): void {
    const s = this.setups.get(name);
    if (!s) return;
    const changed = s.paused !== paused;
    Object.assign(s, { paused, reason });
    if (changed) this.events.emit('setup-state', { setup: name, mainframe: s.mainframe, paused, ...(reason ? { reason } : {}), timeMs: Date.now() });
  }

  /** A sink's status from the writer: recorded, and emitted when its state changed. */
  recordSink(h: SinkHealth): void {
    const before = this.sinks.get(h.id)?.state;
    this.sinks.set(h.id, h);
    if (before !== h.state) this.events.emit('sink-state', { sink: h.id, before, after: h.state, ...(h.lastError ? { lastError: h.lastError } : {}), timeMs: Date.now() });
  }

  /**
   * A worker's scan of `setup`: its values as `layout` orders them, or as the setup's last layout does
   * when the worker sent none (it sends one with its first scan and when it changes). Recorded, then
   * emitted: `scan`, and a `status-change` per channel whose Status word changed. False (nothing
   * recorded) when there is no layout to read the values with, or they do not fit it: a worker's bug.
   */
  recordScan(setup: string, timeMs: number, durationMs: number, calls: number, points: number, layout: ScanLayout | undefined, values: Float64Array): boolean {
    let table = this.#tables.get(setup);
    if (layout !== undefined && table?.layout !== layout) this.#tables.set(setup, (table = new SetupTable(setup, layout, this.#cellOf)));
    if (table === undefined || !table.fits(values)) return false;
    const s = this.setups.get(setup);
    if (s) {
      s.lastScanMs = timeMs;
      s.scanDurationMs = Math.round(durationMs * 10) / 10;
      s.callsPerScan = calls;
      s.pointsPerScan = points;
      s.scans++;
      const crate = this.crates.get(s.mainframe);
      if (crate) crate.lastScanMs = timeMs;
    }
    const mainframe = s?.mainframe ?? '';
    const scan = new ScanSnapshot(table, values, timeMs);
    const cells = table.cells;
    // rows whose Status changed, and the word before, in pairs (rare: made only when one did)
    let changes: (number | undefined)[] | null = null;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i]!;
      const prev = cell.status;
      const now = table.statusOf(values, i);
      if (now !== undefined && now !== prev) (changes ??= []).push(i, prev);
      cell.status = now;
      cell.scan = scan;
      cell.row = i;
    }
    this.events.emit('scan', new ScanEventData(mainframe, setup, durationMs, calls, points, scan));
    if (changes === null) return true;
    const l = table.layout;
    for (let k = 0; k < changes.length; k += 2) {
      const i = changes[k]!;
      const was = changes[k + 1];
      const after = table.statusOf(values, i)!;
      const up = (was ?? 0) ^ after;
      this.events.emit('status-change', {
        mainframe, setup, slot: l.slot, channel: l.channels[i]!, name: l.names[i] ?? '', before: was, after,
        set: decodeChStatus(up & after), cleared: decodeChStatus(up & (was ?? 0)), timeMs,
      });
    }
    return true;
  }

  /** Channels of the setup's last layout (0 before its first scan). */
  channelsOf(setup: string): number {
    return this.#tables.get(setup)?.cells.length ?? 0;
  }

  /** The latest reading of every channel, by setup (GET /readings). */
  readings(): Record<string, ChannelReading[]> {
    const out: Record<string, ChannelReading[]> = {};
    for (const r of this.latest.values()) (out[r.setup] ??= []).push(r);
    return out;
  }

  /** The state served at GET /health; `ok` is false when a crate is not connected, a setup is paused, or a sink fails. */
  report(now = Date.now()): HealthReport {
    const age = (ms?: number) => (ms === undefined ? undefined : Math.round((now - ms) / 100) / 10);
    const problems: string[] = [];
    const crates = [...this.crates.values()].map((c) => {
      if (this.phase === 'running' && c.state !== 'connected') problems.push(`crate ${c.id}: ${c.state}${c.detail ? ` (${c.detail})` : ''}`);
      // wrapper calls of one round over the crate's setups (each at its last scan)
      const callsPerRound = c.setups.reduce((n, name) => n + (this.setups.get(name)?.callsPerScan ?? 0), 0);
      return { ...c, since: isoTime(c.sinceMs), lastScanAgeSeconds: age(c.lastScanMs), callsPerRound };
    });
    const setups = [...this.setups.values()].map((s) => {
      if (s.paused) problems.push(`setup ${s.name}: paused${s.reason ? ` (${s.reason})` : ''}`);
      else {
        // a crate that says connected but whose scans stopped (a call that never returns, a stuck
        // worker) must not look healthy: no scan for 3 HoldOffTimes and at least a minute is a problem
        const crate = this.crates.get(s.mainframe);
        // in event mode a quiet crate sends no scans: the worker itself watches the keepalives
        if (this.phase === 'running' && crate?.state === 'connected' && crate.mode !== 'events') {
          const since = Math.max(s.lastScanMs ?? 0, crate.sinceMs);
          const silentMs = now - since;
          if (silentMs > staleAfterMs(s.holdOffSeconds))
            problems.push(`setup ${s.name}: no scan for ${Math.round(silentMs / 1000)} s (HoldOffTime ${s.holdOffSeconds} s) although crate ${crate.id} is connected`);
        }
      }
      return { ...s, lastScanAgeSeconds: age(s.lastScanMs) };
    });
    const sinks = [...this.sinks.values()].map((s) => {
      if (s.state === 'failing') problems.push(`sink ${s.id}: ${s.lastError ?? 'failing'}`);
      if (s.spoolError !== undefined) problems.push(`sink ${s.id}: ${s.spoolError}`);
      return { ...s };
    });
    const alarms = [...this.alarms.values()].sort((a, b) => a.sinceMs - b.sinceMs);
    // a crate that is lost is a problem above already; channels and boards in alarm are named here
    for (const a of alarms) if (a.source !== 'crate') problems.push(`alarm: ${a.text}`);
    return {
      ok: problems.length === 0,
      pid: process.pid,
      startedAt: isoTime(this.startedMs),
      uptimeSeconds: Math.round((now - this.startedMs) / 1000),
      rssMegabytes: Math.round(process.memoryUsage.rss() / 2 ** 20),
      phase: this.phase,
      crates,
      setups,
      sinks,
      alarms: alarms.map((a) => ({ ...a })),
      problems,
    };
  }
}

/** How long a setup of a connected crate may go without a scan before health reports it. */
export function staleAfterMs(holdOffSeconds: number): number {
  return Math.max(3 * holdOffSeconds, holdOffSeconds + 60) * 1000;
}
