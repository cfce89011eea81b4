// CPU and memory of a process from /proc (Linux): utime+stime of all its threads over wall time, VmRSS.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { MAINFRAME_THREAD_PREFIX, WRITER_THREAD_NAME } from '../../src/thread-name.js';
import { max, mean } from './stats.js';

let clockTicks: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK; 100 on Linux). */
export function clkTck(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface ProcSample {
  /** performance.now() of the sample, ms */
  atMs: number;
  /** user + system CPU of the process (all threads, children not included), seconds */
  cpuSeconds: number;
  /** resident set size, KiB */
  rssKiB: number;
  /** the file-backed part of it (RssFile: the node binary and shared libraries, shared with other processes), KiB */
  rssFileKiB: number;
}

/** The name (comm) and the user + system CPU so far, s, of a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat text. */
function parseStat(stat: string): { comm: string; cpuSeconds: number } {
  // fields after "(comm)": state is field 3; utime 14, stime 15 (1-based)
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), cpuSeconds: (Number(rest[14 - 3]) + Number(rest[15 - 3])) / clkTck() };
}

export function sampleProc(pid: number): ProcSample {
  const atMs = performance.now();
  const { cpuSeconds } = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
  const rssFile = /^RssFile:\s+(\d+) kB/m.exec(status);
  return { atMs, cpuSeconds, rssKiB: rss ? Number(rss[1]) : NaN, rssFileKiB: rssFile ? Number(rssFile[1]) : NaN };
}

export interface ProcSummary {
  seconds: number;
  /** CPU over the whole window, % of one core */
  cpuMeanPercent: number;
  /** the busiest sampling interval, % of one core */
  cpuMaxPercent: number;
  rssMeanMiB: number;
  rssMaxMiB: number;
  /** mean of the file-backed part of the RSS */
  rssFileMeanMiB: number;
  samples: number;
}

/** Summarises consecutive samples of one process (at least two). */
export function summarise(samples: readonly ProcSample[]): ProcSummary {
  const first = samples[0];
  const last = samples[samples.length - 1];
  const perInterval: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const dt = (samples[i].atMs - samples[i - 1].atMs) / 1000;
    if (dt > 0) perInterval.push((100 * (samples[i].cpuSeconds - samples[i - 1].cpuSeconds)) / dt);
  }
  const seconds = (last.atMs - first.atMs) / 1000;
  const rss = samples.map((s) => s.rssKiB / 1024);
  return {
    seconds,
    cpuMeanPercent: seconds > 0 ? (100 * (last.cpuSeconds - first.cpuSeconds)) / seconds : NaN,
    cpuMaxPercent: max(perInterval),
    rssMeanMiB: mean(rss),
    rssMaxMiB: max(rss),
    rssFileMeanMiB: mean(samples.map((s) => s.rssFileKiB / 1024)),
    samples: samples.length,
  };
}

/** CPU seconds of each thread of a process so far, summed by thread name (comm); the main thread is 'main' */
export function cpuByThreadName(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    try {
      const { comm, cpuSeconds: seconds } = parseStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      const name = tid === String(pid) ? 'main' : threadGroup(comm);
      byName.set(name, (byName.get(name) ?? 0) + seconds);
    } catch {
      // the thread ended between readdir and read
    }
  }
  return byName;
}

/** gemcaen's own thread names as they are, mainframe workers together, every other thread by its comm */
function threadGroup(comm: string): string {
  if (comm.startsWith(MAINFRAME_THREAD_PREFIX)) return 'mainframe workers';
  if (comm === WRITER_THREAD_NAME) return 'writer';
  return `other (${comm})`;
}

/** % of one core of each thread group between two cpuByThreadName() samples taken `seconds` apart */
export function threadShares(before: Map<string, number>, after: Map<string, number>, seconds: number): [string, number][] {
  return [...after].map(([name, s]): [string, number] => [name, (100 * (s - (before.get(name) ?? 0))) / seconds]).sort((a, b) => b[1] - a[1]);
}
