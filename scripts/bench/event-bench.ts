// Event mode against polling (issue 15), side by side on one simulated full SY4527: three real daemons
// (CLI child processes) log the same crate at the same time, each into its own bucket through one
// WriteForwarder in front of VictoriaMetrics:
//   polling  HoldOffTime 1 s                      (the writer's default batching, BatchMaxMilliseconds 1000)
//   events   MAINFRAME.EVENTS: true               (same writer settings)
//   events   MAINFRAME.EVENTS: true, BatchMaxMilliseconds = fastBatchMs (what the config allows)
// First a quiet window (the crate changes only its measured values): the crate's per-session counters give
// each daemon's wrapper calls. Then a window in which the bench changes the crate as another client or the
// crate itself would, at random
// times (so at random phases against the scans): mostly an operator's I0Set set (control API, a unique
// value per change), sometimes a trip. For each change and daemon: the delay from the control request to
// VictoriaMetrics acknowledging the write that carried the changed value; calls are counted over this window
// too. Calls = the crate's count of each daemon's session calls plus one GetEventData per event batch the
// crate sent to it, scaled to an hour.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimControlClient } from '../../sim/control-client.js';
import type { CountersSnapshot } from '../../sim/mainframe/counters.js';
import type { HealthReport } from '../../src/supervisor/state.js';
import { startDaemon, writeConfig, type RunningDaemon } from '../../test/daemon/run-daemon.js';
import { CHANNELS, configYaml, setupName, SLOTS } from './fixtures.js';
import { median, percentile, sleep } from './stats.js';
import { numericField, WriteForwarder, type Arrival, type ParsedLine } from './write-forwarder.js';
import { prng } from '../../test/helpers/prng.js';

export interface EventBenchOptions {
  /** dist/src/cli/main.js */
  cli: string;
  control: SimControlClient;
  /** the full crate's loopback address (crate index 0 of the bench fixtures) */
  address: string;
  library: string;
  victoriaUrl: string;
  /** the window of changes (s); the crate's counters are read over it too */
  windowSeconds: number;
  /** the quiet window before it: only the crate's own changes (measured values), calls counted (s) */
  quietSeconds: number;
  /** EVENTS_RECONCILE_SECONDS of the event-mode daemons */
  reconcileSeconds: number;
  /** BatchMaxMilliseconds of the third daemon */
  fastBatchMs: number;
  /** random pause between two changes (ms) */
  gapMs: [number, number];
  /** share of the changes that are trips (the rest are I0Set sets) */
  tripShare: number;
  seed: number;
  /** progress lines */
  say?: (line: string) => void;
}

export interface DaemonSpec {
  label: string;
  bucket: string;
  events: boolean;
  /** BatchMaxMilliseconds; undefined: the daemon's default */
  batchMs?: number;
}

export interface DelayFigures {
  n: number;
  medianMs: number;
  p99Ms: number;
  maxMs: number;
}

export interface DaemonFigures {
  spec: DaemonSpec;
  /** change → VictoriaMetrics acknowledged the write carrying it */
  delay: DelayFigures;
  /** change → the write carrying it had arrived at the forwarder (before VictoriaMetrics) */
  arrival: DelayFigures;
  /** change → the point's own timestamp (the daemon's reading: event arrival or scan), wall clock, ms resolution */
  reading: DelayFigures;
  byKind: Record<ChangeKind, DelayFigures>;
  /** per change in order (ms after the window start, kind, delay; NaN when missed) */
  samples: { atMs: number; wallMs: number; slot: number; ch: number; kind: ChangeKind; delayMs: number }[];
  /** changes never seen in this daemon's writes within the drain time */
  missed: number;
  /** wrapper calls in the quiet window and in the window of changes */
  quiet: CallFigures;
  busy: CallFigures;
  /** event mode at the end of the window (health) */
  mode: string;
  reconciles: number;
  differences: number;
  fallbacks: number;
  sessions: number;
  exitCode: number | null;
  /** event-mode warnings of the daemon during the run (fallbacks, reconcile differences) */
  warnings: string[];
}

export type ChangeKind = 'set' | 'trip';

/** Wrapper calls of one daemon's sessions over a window, counted by the crate. */
export interface CallFigures {
  seconds: number;
  /** calls over the session's command connection, by function */
  byFunction: Record<string, number>;
  /** event batches the crate sent to the daemon: one GetEventData each */
  eventBatches: number;
  eventRecords: { parameter: number; keepalive: number };
  /** calls + GetEventData */
  calls: number;
  perHour: number;
}

function callFigures(snap: CountersSnapshot, pid: number | undefined, seconds: number): CallFigures {
  const sessions = snap.sessions.filter((s) => s.pid === pid);
  const byFunction: Record<string, number> = {};
  for (const s of sessions) for (const [fn, n] of Object.entries(s.calls)) byFunction[fn] = (byFunction[fn] ?? 0) + n;
  const eventBatches = sessions.reduce((n, s) => n + (s.events?.batches ?? 0), 0);
  const calls = sessions.reduce((n, s) => n + s.total, 0) + eventBatches;
  return {
    seconds,
    byFunction,
    eventBatches,
    eventRecords: { parameter: sessions.reduce((n, s) => n + (s.events?.parameter ?? 0), 0), keepalive: sessions.reduce((n, s) => n + (s.events?.keepalive ?? 0), 0) },
    calls,
    perHour: (calls * 3600) / seconds,
  };
}

export interface EventBenchResult {
  windowSeconds: number;
  changes: number;
  trips: number;
  /** control API round trip of a change (the change happened within it; delays count from its start) */
  controlMedianMs: number;
  reconcileSeconds: number;
  daemons: DaemonFigures[];
}

export function daemonSpecs(fastBatchMs: number): DaemonSpec[] {
  return [
    { label: 'polling, HoldOffTime 1 s', bucket: 'polling', events: false },
    { label: 'events', bucket: 'events', events: true },
    { label: `events, BatchMaxMilliseconds ${fastBatchMs}`, bucket: 'events_fast', events: true, batchMs: fastBatchMs },
  ];
}

interface Change {
  kind: ChangeKind;
  slot: number;
  ch: number;
  startMs: number;
  /** Date.now() at the start of the control request */
  wallMs: number;
  arrivals: Map<string, Arrival>;
}

/** The line of a channel point written after the change: the new I0Set, or the INTTRIP bit set. */
function lineMatcher(kind: ChangeKind, slot: number, ch: number, value: number): (l: ParsedLine) => boolean {
  const setup = setupName(0, slot);
  const channel = String(ch).padStart(2, '0');
  return (l) => {
    if (l.measurement !== 'CAEN_Board_Monitor' || l.tags.setup !== setup || l.tags.channel !== channel) return false;
    return kind === 'trip' ? numericField(l.fields.Status_INTTRIP) === 1 : Math.abs(numericField(l.fields.I0Set) - value) < 1e-3;
  };
}

function figures(xs: readonly number[]): DelayFigures {
  return { n: xs.length, medianMs: median(xs), p99Ms: percentile(xs, 99), maxMs: xs.length ? Math.max(...xs) : NaN };
}

export async function measureEventMode(o: EventBenchOptions): Promise<EventBenchResult> {
  const say = o.say ?? (() => undefined);
  const specs = daemonSpecs(o.fastBatchMs);
  const forwarder = await WriteForwarder.start(o.victoriaUrl);
  const dirs: string[] = [];
  const daemons: RunningDaemon[] = [];
  try {
    for (const spec of specs) {
      const dir = mkdtempSync(join(tmpdir(), `gemcaen-bench-events-${spec.bucket}-`));
      dirs.push(dir);
      const text = configYaml({
        addresses: [o.address],
        library: o.library,
        dir,
        sink: { kind: 'influx-v2', url: forwarder.url },
        bucket: spec.bucket,
        ...(spec.batchMs === undefined ? {} : { batchMaxMilliseconds: spec.batchMs }),
        ...(spec.events ? { events: { reconcileSeconds: o.reconcileSeconds } } : {}),
      });
      const names = Array.from({ length: SLOTS }, (_, s) => setupName(0, s));
      daemons.push(startDaemon(['-c', writeConfig(dir, text), 'start', ...names], {}, o.cli));
    }
    // every daemon running: the poller has scanned every setup, the event-mode ones are subscribed
    await Promise.all(
      daemons.map((d, i) =>
        d.untilHealth(`${specs[i].label} ready`, (h: HealthReport) => (specs[i].events ? h.crates[0]?.mode === 'events' && (h.crates[0].events?.events ?? 0) > 0 : h.setups.every((s) => (s.scans ?? 0) > 0)), 120_000),
      ),
    );
    say(`      3 daemons ready on the crate (pids ${daemons.map((d) => d.child.pid).join(', ')}); ${o.quietSeconds} s quiet, calls counted...`);
    const before = await Promise.all(daemons.map((d) => d.health()));

    // ---- the quiet window: the crate changes only its measured values; calls counted ----
    await o.control.resetCounters();
    const quietStart = performance.now();
    await sleep(o.quietSeconds * 1000);
    const quietSnap = await o.control.counters();
    const quietSeconds = (performance.now() - quietStart) / 1000;
    say(`      ${o.windowSeconds} s of changes by another client and trips, at random times...`);

    // ---- the window: changes at random times; the crate counts every session's calls ----
    const random = prng(o.seed);
    const targets = Array.from({ length: SLOTS * CHANNELS }, (_, i) => ({ slot: Math.floor(i / CHANNELS), ch: i % CHANNELS }));
    for (let i = targets.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [targets[i], targets[j]] = [targets[j], targets[i]];
    }
    const changes: Change[] = [];
    const controlMs: number[] = [];
    await o.control.resetCounters();
    const windowStart = performance.now();
    const windowEnd = windowStart + o.windowSeconds * 1000;
    for (let k = 0; performance.now() < windowEnd; k++) {
      const { slot, ch } = targets[k % targets.length];
      const kind: ChangeKind = random() < o.tripShare ? 'trip' : 'set';
      const value = 100 + k; // I0Set (uA), unique per change
      const change: Change = { kind, slot, ch, startMs: 0, wallMs: 0, arrivals: new Map() };
      for (const spec of specs) {
        void forwarder.watch({ bucket: spec.bucket, matches: lineMatcher(kind, slot, ch, value) }).then((a) => void change.arrivals.set(spec.bucket, a));
      }
      change.startMs = performance.now();
      change.wallMs = Date.now();
      if (kind === 'trip') await o.control.trip(slot, ch);
      else await o.control.setChannel(slot, ch, 'I0Set', value);
      controlMs.push(performance.now() - change.startMs);
      changes.push(change);
      const gap = o.gapMs[0] + random() * (o.gapMs[1] - o.gapMs[0]);
      await sleep(Math.max(0, Math.min(gap, windowEnd - performance.now())));
    }
    const snap = await o.control.counters();
    const windowSeconds = (performance.now() - windowStart) / 1000;
    // drain: every change seen by every daemon, or 15 s after the window
    const drainEnd = performance.now() + 15_000;
    while (forwarder.waiting > 0 && performance.now() < drainEnd) await sleep(50);
    forwarder.forgetWatches();
    const after = await Promise.all(daemons.map((d) => d.health()));
    say(`      ${changes.length} changes (${changes.filter((c) => c.kind === 'trip').length} trips) in ${windowSeconds.toFixed(1)} s; stopping the daemons...`);

    const result: EventBenchResult = {
      windowSeconds,
      changes: changes.length,
      trips: changes.filter((c) => c.kind === 'trip').length,
      controlMedianMs: median(controlMs),
      reconcileSeconds: o.reconcileSeconds,
      daemons: [],
    };
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i];
      const d = daemons[i];
      const seen = changes.filter((c) => c.arrivals.has(spec.bucket));
      const delays = (cs: readonly Change[]) => cs.map((c) => c.arrivals.get(spec.bucket)!.ackedMs - c.startMs);
      const busy = callFigures(snap, d.child.pid, windowSeconds);
      const quiet = callFigures(quietSnap, d.child.pid, quietSeconds);
      const crate = after[i].crates[0];
      const crateBefore = before[i].crates[0];
      result.daemons.push({
        spec,
        delay: figures(delays(seen)),
        arrival: figures(seen.map((c) => c.arrivals.get(spec.bucket)!.arrivedMs - c.startMs)),
        reading: figures(seen.map((c) => c.arrivals.get(spec.bucket)!.pointTimeMs - c.wallMs)),
        byKind: { set: figures(delays(seen.filter((c) => c.kind === 'set'))), trip: figures(delays(seen.filter((c) => c.kind === 'trip'))) },
        samples: changes.map((c) => ({ atMs: c.startMs - windowStart, wallMs: c.wallMs, slot: c.slot, ch: c.ch, kind: c.kind, delayMs: c.arrivals.has(spec.bucket) ? c.arrivals.get(spec.bucket)!.ackedMs - c.startMs : NaN })),
        missed: changes.length - seen.length,
        quiet,
        busy,
        mode: crate?.mode ?? 'polling',
        reconciles: (crate?.events?.reconciles ?? 0) - (crateBefore?.events?.reconciles ?? 0),
        differences: crate?.events?.differences ?? 0,
        fallbacks: crate?.events?.fallbacks ?? 0,
        sessions: snap.sessions.filter((x) => x.pid === d.child.pid).length,
        exitCode: null,
        warnings: [],
      });
    }
    const codes = await Promise.all(daemons.map((d) => d.stop('SIGTERM', 20_000)));
    codes.forEach((c, i) => {
      result.daemons[i].exitCode = c;
      result.daemons[i].warnings = daemons[i].lines.filter((l) => / (warn|error) /.test(l) && /event mode|reconcile/.test(l));
    });
    return result;
  } finally {
    await Promise.allSettled(daemons.map((d) => d.stop('SIGKILL', 5_000)));
    await forwarder.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}
