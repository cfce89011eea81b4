// What the running daemon knows about itself: per crate, per setup, per sink, and the latest
// reading of every channel. Fed by worker and writer messages; read by the health endpoint.
import type { ChannelReading, CrateState } from '../protocol.js';

export interface CrateHealth {
  id: string;
  address: string;
  systemType: string;
  state: CrateState | 'starting' | 'restarting';
  /** ms since the epoch the state began */
  sinceMs: number;
  detail?: string;
  retryInMs?: number;
  setups: string[];
  /** worker restarts after a fault */
  restarts: number;
  lastScanMs?: number;
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
  problems: string[];
}

export class DaemonState {
  readonly startedMs = Date.now();
  phase: 'starting' | 'running' | 'stopping' | 'stopped' = 'starting';
  readonly crates = new Map<string, CrateHealth>();
  readonly setups = new Map<string, SetupHealth>();
  readonly sinks = new Map<string, SinkHealth>();
  /** latest reading per channel, key `setup/channel` */
  readonly latest = new Map<string, ChannelReading>();

  recordScan(setup: string, timeMs: number, durationMs: number, calls: number, points: number, channels: readonly ChannelReading[]): void {
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
    for (const c of channels) this.latest.set(`${c.setup}/${c.channel}`, c);
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
      return { ...c, since: new Date(c.sinceMs).toISOString(), lastScanAgeSeconds: age(c.lastScanMs), callsPerRound };
    });
    const setups = [...this.setups.values()].map((s) => {
      if (s.paused) problems.push(`setup ${s.name}: paused${s.reason ? ` (${s.reason})` : ''}`);
      else {
        // a crate that says connected but whose scans stopped (a call that never returns, a stuck
        // worker) must not look healthy: no scan for 3 HoldOffTimes and at least a minute is a problem
        const crate = this.crates.get(s.mainframe);
        if (this.phase === 'running' && crate?.state === 'connected') {
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
      return { ...s };
    });
    return {
      ok: problems.length === 0,
      pid: process.pid,
      startedAt: new Date(this.startedMs).toISOString(),
      uptimeSeconds: Math.round((now - this.startedMs) / 1000),
      rssMegabytes: Math.round(process.memoryUsage.rss() / 2 ** 20),
      phase: this.phase,
      crates,
      setups,
      sinks,
      problems,
    };
  }
}

/** How long a setup of a connected crate may go without a scan before health reports it. */
export function staleAfterMs(holdOffSeconds: number): number {
  return Math.max(3 * holdOffSeconds, holdOffSeconds + 60) * 1000;
}
