// Part 5: CPU and memory of the real daemon (`node dist/src/cli/main.js start`, a child process) logging
// full crates at 1 Hz into VictoriaMetrics, sampled from /proc/<pid>/stat and /proc/<pid>/status.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DAEMON_NODE_FLAGS } from '../../src/cli/node-flags.js';
import { configYaml, setupName, SLOTS } from './fixtures.js';
import { cpuByThreadName, sampleProc, summarise, threadShares, type ProcSample, type ProcSummary } from './proc-stats.js';
import { sleep, waitUntil } from './stats.js';

export interface DaemonBenchOptions {
  cli: string;
  addresses: readonly string[];
  library: string;
  victoriaUrl: string;
  warmupSeconds: number;
  seconds: number;
  /** pid of the simulator, whose CPU is reported alongside (it is not part of the daemon) */
  simPid?: number;
}

interface Health {
  ok: boolean;
  setups: { name: string; scans: number; callsPerScan?: number; scanDurationMs?: number }[];
  sinks: { id: string; state: string; written?: number }[];
  problems: string[];
}

export interface DaemonBenchResult {
  crates: number;
  setups: number;
  channels: number;
  daemon: ProcSummary;
  /** the daemon's CPU by thread over the window, % of one core, busiest first */
  threads: [string, number][];
  sim?: ProcSummary;
  /** setup scans per second per setup over the window (1.0 = every setup every second) */
  scansPerSetupPerSecond: number;
  linesPerSecond: number;
  callsPerSecond: number;
  healthOk: boolean;
  problems: string[];
  exitCode: number | null;
}

export async function measureDaemon(o: DaemonBenchOptions): Promise<DaemonBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gemcaen-bench-daemon-'));
  const file = join(dir, 'config.yml');
  writeFileSync(file, configYaml({ addresses: o.addresses, library: o.library, dir, sink: { kind: 'influx-v2', url: o.victoriaUrl } }));
  const names: string[] = [];
  o.addresses.forEach((_, c) => {
    for (let s = 0; s < SLOTS; s++) names.push(setupName(c, s));
  });
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, o.cli, '-c', file, 'start', ...names], {
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const output: string[] = [];
  let healthUrl: string | undefined;
  const onLine = (l: string): void => {
    output.push(l);
    if (output.length > 200) output.shift();
    const m = /health: GET (http:\/\/\S+\/health)/.exec(l);
    if (m) healthUrl = m[1];
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  const health = async (): Promise<Health> => (await (await fetch(healthUrl!)).json()) as Health;
  try {
    await waitUntil(() => healthUrl !== undefined || child.exitCode !== null, 30_000, 'the daemon announcing its health endpoint');
    if (healthUrl === undefined) throw new Error(`bench: the daemon exited with ${child.exitCode}:\n${output.join('\n')}`);
    await waitUntil(async () => (await health()).setups.every((s) => s.scans > 0), 60_000, 'a first scan of every setup');
    await sleep(o.warmupSeconds * 1000);
    const before = await health();
    const samples: ProcSample[] = [];
    const simSamples: ProcSample[] = [];
    const pid = child.pid!;
    const threadsBefore = cpuByThreadName(pid);
    const end = performance.now() + o.seconds * 1000;
    while (performance.now() < end) {
      samples.push(sampleProc(pid));
      if (o.simPid !== undefined) simSamples.push(sampleProc(o.simPid));
      await sleep(1000);
    }
    samples.push(sampleProc(pid));
    if (o.simPid !== undefined) simSamples.push(sampleProc(o.simPid));
    const threadsAfter = cpuByThreadName(pid);
    const after = await health();
    const seconds = (samples[samples.length - 1].atMs - samples[0].atMs) / 1000;
    const scans = sum(after.setups.map((s) => s.scans)) - sum(before.setups.map((s) => s.scans));
    const calls = sum(after.setups.map((s) => s.callsPerScan ?? 0)); // per second at 1 Hz
    const written = sum(after.sinks.map((s) => s.written ?? 0)) - sum(before.sinks.map((s) => s.written ?? 0));
    const result: DaemonBenchResult = {
      crates: o.addresses.length,
      setups: names.length,
      channels: names.length * 24,
      daemon: summarise(samples),
      threads: threadShares(threadsBefore, threadsAfter, (samples[samples.length - 1].atMs - samples[0].atMs) / 1000),
      scansPerSetupPerSecond: scans / names.length / seconds,
      linesPerSecond: written / seconds,
      callsPerSecond: calls,
      healthOk: after.ok,
      problems: after.problems,
      exitCode: null,
    };
    if (o.simPid !== undefined) result.sim = summarise(simSamples);
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    result.exitCode = await exited;
    clearTimeout(killer);
    return result;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
