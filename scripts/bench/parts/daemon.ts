// Part 5: CPU and RSS of the real daemon (a child process) logging N full crates at 1 Hz into VictoriaMetrics,
// and next to it the CPU of exactly the same CAEN calls at the same pace made from C (the floor of the calls)
// and through koffi from node worker threads with nothing around them (the floor of the design).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCallLoop, runPacedCalls, type PacedCalls } from '../../profile/call-loop.js';
import { runPacedKoffi } from '../../profile/koffi-loop.js';
import { measureDaemon } from '../daemon-bench.js';
import { crateName } from '../fixtures.js';
import { GOALS } from '../goals.js';
import type { BenchContext, BenchPart, PartResult } from '../part.js';
import type { RatioRow } from '../report.js';
import { fmt } from '../stats.js';

export const daemonPart: BenchPart = {
  ids: ['5'],
  title: 'CPU and RSS of the daemon logging N full crates at 1 Hz',
  crates: (opt) => opt.daemonCrates,
  async run(ctx): Promise<PartResult> {
    const { opt, say, env, sim } = ctx;
    const vm = await ctx.victoria();
    const n = opt.daemonCrates;
    say(`[5]   the daemon (real CLI child process) logging ${n} full crates at 1 Hz into VictoriaMetrics, ${opt.daemonSeconds} s sampled from /proc...`);
    await Promise.all(Array.from({ length: n }, (_, c) => env.control.latency(opt.latencyMs, crateName(c))));
    const d = await measureDaemon({ cli: opt.cli, addresses: env.addresses.slice(0, n), library: env.library, victoriaUrl: vm.url, warmupSeconds: opt.quick ? 3 : 30, seconds: opt.daemonSeconds, simPid: sim.process.pid });
    say(`      CPU ${fmt(d.daemon.cpuMeanPercent)} % mean, ${fmt(d.daemon.cpuMaxPercent)} % max (1 s intervals); RSS ${fmt(d.daemon.rssMeanMiB)} MiB mean, ${fmt(d.daemon.rssMaxMiB)} MiB max`);
    say(`      ${d.setups} setups, ${d.channels} channels: ${fmt(d.scansPerSetupPerSecond, 3)} scans per setup per second, ${fmt(d.linesPerSecond, 0)} lines/s written, ${d.callsPerSecond} calls/s; health ok: ${d.healthOk}; exit ${d.exitCode}`);
    if (d.sim) say(`      (the simulator meanwhile: CPU ${fmt(d.sim.cpuMeanPercent)} % mean, RSS ${fmt(d.sim.rssMaxMiB)} MiB max)`);
    say(`      daemon logging ${d.crates} full crates (${d.channels} channels) at 1 Hz: CPU ${fmt(d.daemon.cpuMeanPercent)} % mean / ${fmt(d.daemon.cpuMaxPercent)} % max of one core, RSS ${fmt(d.daemon.rssMeanMiB)} MiB mean / ${fmt(d.daemon.rssMaxMiB)} MiB max`);
    const details = [
      ['5', `daemon CPU, ${d.crates} crates at 1 Hz (${fmt(d.daemon.seconds, 0)} s)`, `${fmt(d.daemon.cpuMeanPercent)} % mean, ${fmt(d.daemon.cpuMaxPercent)} % max of one core`],
      ['5', 'daemon RSS', `${fmt(d.daemon.rssMeanMiB)} MiB mean, ${fmt(d.daemon.rssMaxMiB)} MiB max; of the mean, ${fmt(d.daemon.rssFileMeanMiB)} MiB file-backed (the node binary and shared libraries) and ${fmt(d.daemon.rssMeanMiB - d.daemon.rssFileMeanMiB)} MiB anonymous (V8 heaps, malloc, stacks)`],
      ['5', 'what it did meanwhile', `${d.setups} setups, ${d.channels} channels, ${d.callsPerSecond} calls/s, ${fmt(d.linesPerSecond, 0)} lines/s written; health ok ${d.healthOk}; SIGTERM exit ${d.exitCode}`],
    ];
    const byThread = d.threads.map(([name, pct]) => `${name} ${fmt(pct)} %`).join(', ');
    say(`      by thread: ${byThread}`);
    details.push(['5', 'daemon CPU by thread (% of one core)', byThread]);
    if (d.sim) details.push(['5', 'the simulator (not the daemon)', `CPU ${fmt(d.sim.cpuMeanPercent)} % mean, RSS ${fmt(d.sim.rssMaxMiB)} MiB max`]);
    const rows: RatioRow[] = [
      { part: '5', figure: `setup scans/s at 1 Hz (${d.setups} setups)`, measured: d.scansPerSetupPerSecond, ideal: 1, unit: '', idealIs: 'HoldOffTime 1 s: one scan per setup per second', digits: 3 },
      { part: '5', figure: `daemon CPU, ${d.crates} crates at 1 Hz (mean)`, measured: d.daemon.cpuMeanPercent, ideal: GOALS.daemonCpuPercent, unit: '%', idealIs: `the goal: ${GOALS.daemonCpuPercent} % of one core (issue 16)` },
    ];
    // the daemon has stopped: the same calls, same simulator, latency, crates and seconds, from C (the floor
    // of the calls) and through koffi from node worker threads with nothing around them (the floor of the design)
    const addresses = env.addresses.slice(0, n);
    const floors: [Floor, PacedCalls | undefined][] = [
      [FLOORS.c, await callsFromC(ctx, addresses)],
      [FLOORS.koffi, await callsThroughKoffi(ctx, addresses)],
    ];
    for (const [floor, c] of floors) {
      if (!c) continue;
      const above = d.daemon.cpuMeanPercent - c.corePercent;
      const figures = `CPU ${fmt(c.corePercent, 2)} % of one core, ${fmt(c.cpuUsPerCall)} µs per call, ${fmt(c.callsPerSecond, 0)} calls/s, ${c.lateRounds} late rounds; the daemon above it: ${fmt(above, 2)} % of one core`;
      say(`      the same calls ${floor.what}: ${figures}`);
      rows.push({
        part: '5',
        figure: `daemon CPU, ${d.crates} crates at 1 Hz vs the same calls ${floor.what}`,
        measured: d.daemon.cpuMeanPercent,
        ideal: c.corePercent,
        unit: '%',
        idealIs: `the same ${fmt(c.callsPerSecond, 0)} calls/s ${floor.what}, one thread per crate, same pace: ${floor.is}`,
        digits: 2,
      });
      details.push(['5', `the same calls ${floor.what}, ${c.crates} crates at 1 Hz (${fmt(c.wallSeconds, 0)} s, ${floor.program})`, figures]);
    }
    rows.push({ part: '5', figure: `daemon RSS, ${d.crates} crates at 1 Hz (mean)`, measured: d.daemon.rssMeanMiB, ideal: GOALS.daemonRssMiB, unit: 'MiB', idealIs: `the goal: ${GOALS.daemonRssMiB} MiB (issue 16)` });
    return { rows, details };
  },
};

interface Floor {
  /** "from C", "through koffi…" */
  what: string;
  /** what the floor is */
  is: string;
  program: string;
}

const FLOORS = {
  c: { what: 'from C', is: 'the floor of the calls themselves', program: 'scripts/profile/call-loop.c --paced' },
  koffi: { what: 'through koffi from node worker threads', is: 'the floor of this design, nothing around the calls', program: 'scripts/profile/koffi-loop.ts' },
} as const satisfies Record<string, Floor>;

/**
 * The daemon's calls through the binding's koffi functions, one node worker thread per crate, after 10 s of
 * the same rounds; undefined (and one line saying why) when the program failed.
 */
async function callsThroughKoffi(ctx: BenchContext, addresses: readonly string[]): Promise<PacedCalls | undefined> {
  const { opt, say, env } = ctx;
  say(`[5]   the same calls through koffi (scripts/profile/koffi-loop.ts), ${addresses.length} crates at 1 Hz, ${opt.daemonSeconds} s...`);
  try {
    return await runPacedKoffi({ library: env.library, addresses, seconds: opt.daemonSeconds, warmupSeconds: opt.quick ? 2 : 10 });
  } catch (err) {
    say(`      the same calls through koffi failed, the row is left out: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/**
 * The daemon's calls (128 per crate per second) from scripts/profile/call-loop.c for the daemon's window;
 * undefined (and one line saying why) when there is no C compiler or the program failed.
 */
async function callsFromC(ctx: BenchContext, addresses: readonly string[]): Promise<PacedCalls | undefined> {
  const { opt, say, env } = ctx;
  const dir = mkdtempSync(join(tmpdir(), 'gemcaen-bench-call-loop-'));
  try {
    const build = compileCallLoop(dir);
    if ('noCompiler' in build) {
      say(`      ${build.noCompiler}: the row of the same calls from C is left out`);
      return undefined;
    }
    say(`[5]   the same calls from C (scripts/profile/call-loop.c --paced), ${addresses.length} crates at 1 Hz, ${opt.daemonSeconds} s...`);
    return await runPacedCalls({ binary: build.binary, library: env.library, addresses, seconds: opt.daemonSeconds });
  } catch (err) {
    say(`      the same calls from C failed, the row is left out: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
