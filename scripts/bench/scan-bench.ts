// Parts 1-3 of the benchmark: wrapper calls per full scan, scan time against calls × latency, and the
// scan period of 8 crates in parallel against 1. Runs the daemon's real mainframe workers (ScanRecorder)
// against the simulator with latency injected through its control API, and counts calls on the crate side.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import type { GemcaenConfig, SetupConfig } from '../../src/config/types.js';
import type { Logger } from '../../src/log.js';
import type { SimControlClient } from '../../sim/control-client.js';
import { BOARD_PARAMS, CHANNELS, configYaml, crateName, MONITORABLES, SLOTS } from './fixtures.js';
import { ScanRecorder, type ScanRecord } from './scan-recorder.js';
import { max, mean, median, sleep } from './stats.js';


export interface SimEnv {
  control: SimControlClient;
  /** crate index → its loopback address "127.x.y.z" */
  addresses: readonly string[];
  library: string;
  log: Logger;
}

/** Config of the first `n` crates (HoldOffTime 1 s, file sink never reached: no writer here). */
function benchConfig(env: SimEnv, n: number, dir: string): GemcaenConfig {
  const text = configYaml({ addresses: env.addresses.slice(0, n), library: env.library, dir, sink: { kind: 'file', directory: join(dir, 'data') } });
  return parseConfig(text, join(dir, 'bench-config.yml'));
}

async function setLatency(env: SimEnv, crates: number, ms: number): Promise<void> {
  await Promise.all(Array.from({ length: crates }, (_, c) => env.control.latency(ms, crateName(c))));
}

async function withRecorder<T>(env: SimEnv, crates: number, holdOffSeconds: number | null, body: (r: ScanRecorder) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'gemcaen-bench-scan-'));
  const config = benchConfig(env, crates, dir);
  const setups: SetupConfig[] = [...config.setups.values()].map((s) => (holdOffSeconds === null ? s : { ...s, holdOffSeconds }));
  const recorder = new ScanRecorder(config, setups, env.log);
  recorder.start();
  try {
    return await body(recorder);
  } finally {
    await recorder.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface FullScanResult {
  latencyMs: number;
  rounds: number;
  /** wrapper calls per full scan of the crate, counted by the simulated crate */
  simCallsPerScan: number;
  /** per wrapper function, per full scan (crate side) */
  simCallsByFunction: Record<string, number>;
  /** the poller's own count (sum of the 16 setups' calls per scan) */
  pollerCallsPerScan: number;
  /** minimum: slots × channel parameters, and slots × (channel + board parameters) */
  minChannelReads: number;
  minWithBoardReads: number;
  /** time spent reading one full scan: the sum of the 16 setups' own scan durations, ms */
  scanMsMedian: number;
  scanMsMax: number;
  /**
   * wall time from the first setup's read to the end of the last one's, ms: the setups of a crate share
   * one phase, so at HoldOffTime 1 s a round is read back to back and this is about the full scan time
   */
  spreadMsMedian: number;
  points: number;
  /** what each of `alongside` measured, one per gap between two measured rounds */
  alongsideMs: number[][];
}

/**
 * One full crate at HoldOffTime 1 s: after two warm-up rounds (names and metadata are read on the
 * first) and `warmupSeconds` more, the crate's counters are reset between two rounds, `rounds` full
 * scans run, and the counters are read in the idle gap before the next round. A worker's code runs 16
 * times a second at 1 Hz, and V8 takes tens of seconds to optimise it (a full scan at 0 ms/call took
 * about twice as long in the first 10 s as after 40 s): the warm-up is the steady state of a daemon.
 */
export async function measureFullScan(
  env: SimEnv,
  latencyMs: number,
  rounds: number,
  warmupSeconds = 0,
  /** each run `afterMs` after a measured round ends, in the idle gap before the next (comparisons side by side); each returns ms */
  alongside: readonly { afterMs: number; run: () => number | Promise<number> }[] = [],
): Promise<FullScanResult> {
  await setLatency(env, 1, latencyMs);
  return withRecorder(env, 1, null, async (rec) => {
    const crate = crateName(0);
    await rec.waitForScans(2 * SLOTS, 30_000);
    if (warmupSeconds > 0) {
      await sleep(warmupSeconds * 1000);
      // to the end of the round in progress
      await rec.waitForScans((Math.floor(rec.records.length / SLOTS) + 1) * SLOTS, 10_000);
    }
    // a round of 16 scans just ended; the next starts HoldOffTime after the first scan of this one
    await env.control.resetCounters(crate);
    const first = rec.records.length;
    const alongsideMs: number[][] = alongside.map(() => []);
    if (alongside.length > 0) {
      for (let r = 1; r < rounds; r++) {
        await rec.waitForScans(first + r * SLOTS, 10_000);
        const roundEnd = performance.now();
        for (const [i, a] of alongside.entries()) {
          await sleep(Math.max(0, a.afterMs - (performance.now() - roundEnd)));
          alongsideMs[i]!.push(await a.run());
        }
      }
    }
    await rec.waitForScans(first + rounds * SLOTS, 10_000 + rounds * 2_000);
    const counters = await env.control.counters(crate);
    const measured = rec.records.slice(first, first + rounds * SLOTS);
    const extra = rec.records.length - (first + rounds * SLOTS);
    if (extra !== 0) throw new Error(`bench: ${extra} scans arrived while the crate's counters were read: the counts would be off`);
    const perRound: ScanRecord[][] = [];
    for (let i = 0; i < rounds; i++) perRound.push(measured.slice(i * SLOTS, (i + 1) * SLOTS));
    for (const round of perRound) {
      if (new Set(round.map((r) => r.setup)).size !== SLOTS) throw new Error('bench: a round did not scan each of the 16 setups once');
    }
    const wall = perRound.map((round) => max(round.map((r) => r.timeMs + r.durationMs)) - Math.min(...round.map((r) => r.timeMs)));
    const busy = perRound.map((round) => round.reduce((a, r) => a + r.durationMs, 0));
    const byFunction: Record<string, number> = {};
    for (const [fn, n] of Object.entries(counters.calls)) byFunction[fn] = n / rounds;
    return {
      latencyMs,
      rounds,
      simCallsPerScan: counters.totalCalls / rounds,
      simCallsByFunction: byFunction,
      pollerCallsPerScan: measured.reduce((a, r) => a + r.calls, 0) / rounds,
      minChannelReads: SLOTS * MONITORABLES.length,
      minWithBoardReads: SLOTS * (MONITORABLES.length + BOARD_PARAMS.length),
      scanMsMedian: median(busy),
      scanMsMax: max(busy),
      spreadMsMedian: median(wall),
      points: measured.reduce((a, r) => a + r.points, 0) / rounds,
      alongsideMs,
    };
  });
}

export interface ParallelResult {
  crates: number;
  latencyMs: number;
  windowSeconds: number;
  /** full-scan period of each crate (16 setup scans back to back), ms */
  periodsMs: number[];
  periodMeanMs: number;
  periodMaxMs: number;
  /** wrapper calls per second, all crates together (poller count) */
  callsPerSecond: number;
  /** median duration of one setup scan (8 calls) */
  setupScanMedianMs: number;
}

/**
 * `crates` full crates polled as fast as they answer (HoldOffTime ~0: each worker scans its 16 setups
 * back to back), one worker per mainframe as in the daemon. After a warm-up, every crate's full-scan
 * period is measured over `windowSeconds`.
 */
export async function measureParallel(env: SimEnv, crates: number, latencyMs: number, windowSeconds: number): Promise<ParallelResult> {
  await setLatency(env, crates, latencyMs);
  return withRecorder(env, crates, 0.001, async (rec) => {
    await rec.waitForScans(crates * SLOTS * 2, 60_000);
    const from = rec.records.length;
    await sleep(windowSeconds * 1000);
    const window = rec.records.slice(from);
    const byCrate = new Map<string, ScanRecord[]>();
    for (const r of window) byCrate.set(r.mainframe, [...(byCrate.get(r.mainframe) ?? []), r]);
    const periodsMs: number[] = [];
    for (const list of byCrate.values()) {
      if (list.length < 2) continue;
      const spanMs = list[list.length - 1].timeMs - list[0].timeMs;
      periodsMs.push((spanMs / (list.length - 1)) * SLOTS);
    }
    if (periodsMs.length !== crates) throw new Error(`bench: only ${periodsMs.length} of ${crates} crates scanned during the window`);
    return {
      crates,
      latencyMs,
      windowSeconds,
      periodsMs,
      periodMeanMs: mean(periodsMs),
      periodMaxMs: max(periodsMs),
      callsPerSecond: window.reduce((a, r) => a + r.calls, 0) / windowSeconds,
      setupScanMedianMs: median(window.map((r) => r.durationMs)),
    };
  });
}

/** Channels read per full scan of one crate (for the report). */
export const CHANNELS_PER_CRATE = SLOTS * CHANNELS;
