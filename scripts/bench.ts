// `npm run bench` (issue 5): the performance figures of gemcaen, measured side by side in one run on the
// simulated mainframe with latency injected per call, printed as a table of ratios (measured / ideal).
//   1. wrapper calls per full scan of a full SY4527 (16 × A1535, 6 monitorables, 24 channels) vs the minimum
//   2. full scan time vs calls × latency
//   3. scan period of 8 crates in parallel vs 1 (one worker per mainframe)
//   4. writer lines/s into VictoriaMetrics (real Writer, spool on) vs raw POSTs of the same lines
//   5. CPU % and RSS of the real daemon logging 4 full crates at 1 Hz
// A benchmark, not a test: it prints figures. Every part is bounded in time; servers run on 127.0.0.1
// free ports and are stopped at the end. Options: --parts 1,3,4 --latency-ms 2 --daemon-seconds 30
// --window-seconds 8 --quick --write BENCHMARKS.md
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '../src/log.js';
import { startSim, type SimHandle } from '../test/helpers/sim.js';
import { startVictoria, type VictoriaServer } from '../test/helpers/victoria.js';
import { measureDaemon, type DaemonBenchResult } from './bench/daemon-bench.js';
import { CHANNELS, crateName, cratesYaml, MONITORABLES, SLOTS } from './bench/fixtures.js';
import { markdownTable, ratioMarkdown, ratioTable, writeResults, type RatioRow } from './bench/report.js';
import { measureFullScan, measureParallel, type FullScanResult, type ParallelResult, type SimEnv } from './bench/scan-bench.js';
import { measureBareCall, type BareCallResult } from './bench/bare-call.js';
import { fmt } from './bench/stats.js';
import { measureWriter, type WriterBenchResult } from './bench/writer-bench.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
/** the whole run is abandoned (servers stopped, exit 1) after this long */
const WATCHDOG_MS = 12 * 60_000;

const { values: opt } = parseArgs({
  options: {
    parts: { type: 'string', default: '1,2,3,4,5' },
    'latency-ms': { type: 'string', default: '2' },
    'daemon-seconds': { type: 'string', default: '30' },
    'daemon-crates': { type: 'string', default: '4' },
    'window-seconds': { type: 'string', default: '8' },
    'parallel-crates': { type: 'string', default: '8' },
    rounds: { type: 'string', default: '5' },
    quick: { type: 'boolean', default: false },
    write: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (opt.help) {
  console.log('usage: npm run bench [-- --parts 1,2,3,4,5] [--latency-ms 2] [--window-seconds 8] [--parallel-crates 8]\n' +
    '                     [--daemon-seconds 30] [--daemon-crates 4] [--rounds 5] [--quick] [--write BENCHMARKS.md]');
  process.exit(0);
}

function positive(name: string, text: string | undefined, integer = false): number {
  const n = Number(text);
  if (!(n >= 0) || (integer && !Number.isInteger(n))) {
    console.error(`bench: --${name} ${text}: use a ${integer ? 'whole ' : ''}number >= 0`);
    process.exit(2);
  }
  return n;
}

const parts = new Set((opt.parts ?? '').split(',').map((s) => Number(s.trim())));
const latencyMs = positive('latency-ms', opt['latency-ms']);
const quick = opt.quick === true;
const windowSeconds = quick ? 4 : positive('window-seconds', opt['window-seconds']);
const daemonSeconds = quick ? 10 : positive('daemon-seconds', opt['daemon-seconds']);
const daemonCrates = positive('daemon-crates', opt['daemon-crates'], true);
const parallelCrates = positive('parallel-crates', opt['parallel-crates'], true);
const rounds = quick ? 3 : positive('rounds', opt.rounds, true);
const simCrates = Math.max(parts.has(3) ? parallelCrates : 1, parts.has(5) ? daemonCrates : 1);

function machine(): { nproc: number; cpu: string; memGiB: number; node: string; commit: string; load: string } {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return { nproc: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, commit, load: loadavg().map((l) => l.toFixed(2)).join(' ') };
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

let sim: SimHandle | undefined;
let vm: VictoriaServer | undefined;
async function cleanup(): Promise<void> {
  await Promise.allSettled([sim?.stop(), vm?.dispose()]);
  sim = undefined;
  vm = undefined;
}
let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  say('bench: interrupted, stopping the servers');
  void cleanup().finally(() => process.exit(130));
});
const watchdog = setTimeout(() => {
  say(`bench: still running after ${WATCHDOG_MS / 60_000} min, giving up`);
  void cleanup().finally(() => process.exit(1));
}, WATCHDOG_MS);
watchdog.unref();

async function main(): Promise<void> {
  const started = Date.now();
  const m = machine();
  const command = `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`;
  say(`gemcaen benchmark: ${new Date().toISOString()}, ${m.nproc} cores (${m.cpu}), ${m.memGiB} GiB, node ${m.node}, commit ${m.commit}; load average ${m.load}`);
  say(`simulated crates: ${simCrates} × SY4527 with ${SLOTS} × A1535 (${CHANNELS} channels, all on); setups read ${MONITORABLES.join(', ')}; injected latency ${latencyMs} ms per call\n`);

  const log = createLogger({ level: 'warn', colors: false });
  sim = await startSim({ cratesYaml: cratesYaml(simCrates), timeoutMs: 30_000, extraArgs: [] });
  const addresses = Array.from({ length: simCrates }, (_, c) => sim!.crates[crateName(c)]);
  const env: SimEnv = { control: sim.control, addresses, library: sim.libraryPath, log };

  const rows: RatioRow[] = [];
  const md: string[] = [];
  let full: FullScanResult | undefined;
  let base: FullScanResult | undefined;
  let bare: BareCallResult | undefined;
  let bare0: BareCallResult | undefined;

  if (parts.has(1) || parts.has(2)) {
    say(`[1-2] one full crate at HoldOffTime 1 s, ${rounds} full scans counted by the crate...`);
    full = await measureFullScan(env, latencyMs, rounds);
    base = await measureFullScan(env, 0, rounds);
    const bareArgs = { library: sim.libraryPath, address: addresses[0], crate: crateName(0), control: sim.control, calls: 100 };
    bare = await measureBareCall({ ...bareArgs, latencyMs });
    bare0 = await measureBareCall({ ...bareArgs, latencyMs: 0 });
    const fns = Object.entries(full.simCallsByFunction).map(([f, n]) => `${f.replace('CAENHV_', '')} ${fmt(n, 1)}`).join(', ');
    say(`      calls per full scan: ${fmt(full.simCallsPerScan, 1)} counted by the crate (${fns}), ${fmt(full.pollerCallsPerScan, 1)} counted by the poller`);
    say(`      full scan: ${fmt(full.scanMsMedian)} ms median, ${fmt(full.scanMsMax)} ms max at ${latencyMs} ms/call; ${fmt(base.scanMsMedian)} ms at 0 ms/call; ${fmt(full.points, 0)} points per scan`);
    say(`      bare GetChParam (24 channels) from one thread: ${fmt(bare!.medianMs, 2)} ms median at ${latencyMs} ms/call, ${fmt(bare0!.medianMs, 2)} ms at 0 ms/call`);
    if (parts.has(1)) {
      rows.push({ part: '1', figure: 'wrapper calls per full scan (crate count)', measured: full.simCallsPerScan, ideal: full.minWithBoardReads, unit: '', idealIs: `${SLOTS} slots × (${MONITORABLES.length} channel + 2 board parameters)` });
      rows.push({ part: '1', figure: 'GetChParam per full scan', measured: full.simCallsByFunction.CAENHV_GetChParam ?? 0, ideal: full.minChannelReads, unit: '', idealIs: `${SLOTS} slots × ${MONITORABLES.length} parameters, ${CHANNELS} channels per call` });
    }
    if (parts.has(2)) {
      rows.push({ part: '2', figure: `full scan time at ${latencyMs} ms/call`, measured: full.scanMsMedian, ideal: full.simCallsPerScan * latencyMs, unit: 'ms', idealIs: `${fmt(full.simCallsPerScan, 0)} calls × ${latencyMs} ms` });
      rows.push({ part: '2', figure: `full scan time at ${latencyMs} ms/call`, measured: full.scanMsMedian, ideal: full.simCallsPerScan * bare!.medianMs, unit: 'ms', idealIs: `${fmt(full.simCallsPerScan, 0)} calls × bare call (${fmt(bare!.medianMs, 2)} ms)` });
      rows.push({ part: '2', figure: 'full scan time at 0 ms/call', measured: base.scanMsMedian, ideal: base.simCallsPerScan * bare0!.medianMs, unit: 'ms', idealIs: `${fmt(base.simCallsPerScan, 0)} calls × bare call (${fmt(bare0!.medianMs, 2)} ms)` });
    }
  }

  let p1: ParallelResult | undefined;
  let pN: ParallelResult | undefined;
  if (parts.has(3)) {
    say(`[3]   full crates polled back to back (HoldOffTime ~0), ${windowSeconds} s windows: 1 crate, then ${parallelCrates} in parallel...`);
    p1 = await measureParallel(env, 1, latencyMs, windowSeconds);
    pN = await measureParallel(env, parallelCrates, latencyMs, windowSeconds);
    say(`      1 crate: full-scan period ${fmt(p1.periodMeanMs)} ms (${fmt(p1.callsPerSecond, 0)} calls/s)`);
    say(`      ${parallelCrates} crates: period ${fmt(pN.periodMeanMs)} ms mean, ${fmt(pN.periodMaxMs)} ms slowest crate (${fmt(pN.callsPerSecond, 0)} calls/s in total); periods ${pN.periodsMs.map((p) => fmt(p, 0)).join(', ')} ms`);
    rows.push({ part: '3', figure: `full-scan period, ${parallelCrates} crates in parallel`, measured: pN.periodMeanMs, ideal: p1.periodMeanMs, unit: 'ms', idealIs: 'the period of 1 crate alone' });
    rows.push({ part: '3', figure: `slowest of the ${parallelCrates} crates`, measured: pN.periodMaxMs, ideal: p1.periodMeanMs, unit: 'ms', idealIs: 'the period of 1 crate alone' });
  }

  let w: WriterBenchResult | undefined;
  let d: DaemonBenchResult | undefined;
  if (parts.has(4) || parts.has(5)) vm = await startVictoria();
  if (parts.has(4)) {
    const writerRounds = quick ? 8 : 24;
    say(`[4]   ${writerRounds} rounds of ${parallelCrates} full crates (${writerRounds * parallelCrates * SLOTS * (CHANNELS + 1)} lines per run) into VictoriaMetrics, batches of 5000 lines...`);
    w = await measureWriter({ url: vm!.url, rounds: writerRounds, crates: parallelCrates, batchLines: 5000, repeats: quick ? 1 : 3 });
    for (const r of w.runs) {
      say(`      ${r.method.padEnd(8)} ${fmt(r.linesPerSecond, 0).padStart(7)} lines/s (${r.lines} lines in ${fmt(r.seconds, 2)} s, ${r.requests} requests; VictoriaMetrics holds ${r.storedVMon}/${r.expectedVMon} VMon samples)`);
    }
    say(`      median: writer ${fmt(w.writerMean, 0)}, raw ${fmt(w.rawMean, 0)}, raw gzip ${fmt(w.rawGzipMean, 0)} lines/s; ${parallelCrates} full crates at 1 Hz make ${parallelCrates * SLOTS * (CHANNELS + 1)} lines/s`);
    rows.push({ part: '4', figure: 'writer lines/s (Writer, spool, v2 sink)', measured: w.writerMean, ideal: w.rawMean, unit: '/s', idealIs: 'raw POST of the same lines (fetch), same batch', digits: 0 });
    rows.push({ part: '4', figure: 'writer lines/s vs gzip raw POST', measured: w.writerMean, ideal: w.rawGzipMean, unit: '/s', idealIs: 'raw POST, gzip body (as the writer sends)', digits: 0 });
  }
  if (parts.has(5)) {
    say(`[5]   the daemon (real CLI child process) logging ${daemonCrates} full crates at 1 Hz into VictoriaMetrics, ${daemonSeconds} s sampled from /proc...`);
    await Promise.all(Array.from({ length: daemonCrates }, (_, c) => sim!.control.latency(latencyMs, crateName(c))));
    d = await measureDaemon({ cli: CLI, addresses: addresses.slice(0, daemonCrates), library: sim.libraryPath, victoriaUrl: vm!.url, warmupSeconds: quick ? 3 : 5, seconds: daemonSeconds, simPid: sim.process.pid });
    say(`      CPU ${fmt(d.daemon.cpuMeanPercent)} % mean, ${fmt(d.daemon.cpuMaxPercent)} % max (1 s intervals); RSS ${fmt(d.daemon.rssMeanMiB)} MiB mean, ${fmt(d.daemon.rssMaxMiB)} MiB max`);
    say(`      ${d.setups} setups, ${d.channels} channels: ${fmt(d.scansPerSetupPerSecond, 3)} scans per setup per second, ${fmt(d.linesPerSecond, 0)} lines/s written, ${d.callsPerSecond} calls/s; health ok: ${d.healthOk}; exit ${d.exitCode}`);
    if (d.sim) say(`      (the simulator meanwhile: CPU ${fmt(d.sim.cpuMeanPercent)} % mean, RSS ${fmt(d.sim.rssMaxMiB)} MiB max)`);
    rows.push({ part: '5', figure: `setup scans/s at 1 Hz (${d.setups} setups)`, measured: d.scansPerSetupPerSecond, ideal: 1, unit: '', idealIs: 'HoldOffTime 1 s: one scan per setup per second', digits: 3 });
  }

  await cleanup();
  const elapsed = (Date.now() - started) / 1000;
  say(`\nratios (measured / ideal), ${fmt(elapsed, 0)} s in total:`);
  say(ratioTable(rows));
  if (d) say(`daemon logging ${d.crates} full crates (${d.channels} channels) at 1 Hz: CPU ${fmt(d.daemon.cpuMeanPercent)} % mean / ${fmt(d.daemon.cpuMaxPercent)} % max of one core, RSS ${fmt(d.daemon.rssMeanMiB)} MiB mean / ${fmt(d.daemon.rssMaxMiB)} MiB max`);

  // ---- Markdown for BENCHMARKS.md ----
  md.push(`Command: \`${command}\`  `);
  md.push(`Date: ${new Date().toISOString()} (${fmt(elapsed, 0)} s)  `);
  md.push(`Machine: ${m.nproc} cores (${m.cpu}), ${m.memGiB} GiB, node ${m.node}, commit ${m.commit}; load average at start ${m.load}, at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}  `);
  md.push(`Crates: SY4527 with ${SLOTS} × A1535 (${CHANNELS} channels, all on), setups reading ${MONITORABLES.join(', ')}; injected latency ${latencyMs} ms per call\n`);
  md.push(ratioMarkdown(rows));
  const details: string[][] = [];
  if (full && base) {
    details.push(['1', 'calls per full scan by function (crate count)', Object.entries(full.simCallsByFunction).map(([f, n]) => `${f.replace('CAENHV_', '')} ${fmt(n, 1)}`).join(', ')]);
    details.push(['1', 'calls per full scan (poller count)', fmt(full.pollerCallsPerScan, 1)]);
    details.push(['2', `full scan at ${latencyMs} ms/call: median / max (sum of the 16 setup scans)`, `${fmt(full.scanMsMedian)} / ${fmt(full.scanMsMax)} ms (${fmt(full.points, 0)} points, ${full.rounds} scans)`]);
    details.push(['2', 'spread of the 16 setup scans within the 1 s HoldOffTime', `${fmt(full.spreadMsMedian)} ms (each setup keeps the cadence of its first scan)`]);
    details.push(['2', 'full scan at 0 ms/call: median / max', `${fmt(base.scanMsMedian)} / ${fmt(base.scanMsMax)} ms (${fmt((base.scanMsMedian / base.simCallsPerScan) * 1000, 0)} µs per call)`]);
    if (bare && bare0) details.push(['2', 'bare GetChParam of 24 channels, one thread, median', `${fmt(bare.medianMs, 2)} ms at ${latencyMs} ms/call, ${fmt(bare0.medianMs, 2)} ms at 0 ms/call (${bare.calls} calls each)`]);
  }
  if (p1 && pN) {
    details.push(['3', 'full-scan period, 1 crate back to back', `${fmt(p1.periodMeanMs)} ms, ${fmt(p1.callsPerSecond, 0)} calls/s`]);
    details.push(['3', `full-scan period of each of ${pN.crates} crates`, `${pN.periodsMs.map((p) => fmt(p, 0)).join(', ')} ms; ${fmt(pN.callsPerSecond, 0)} calls/s in total`]);
  }
  if (w) {
    details.push(['4', 'lines per run / bytes per line / batch', `${w.linesPerRun} / ${fmt(w.bytesPerLine, 0)} / ${w.batchLines} lines`]);
    const load = parallelCrates * SLOTS * (CHANNELS + 1);
    details.push(['4', `headroom: writer lines/s ÷ what ${parallelCrates} full crates make at 1 Hz (${load} lines/s)`, `${fmt(w.writerMean / load, 1)} ×`]);
    for (const r of w.runs) details.push(['4', r.method, `${fmt(r.linesPerSecond, 0)} lines/s (${fmt(r.seconds, 2)} s, ${r.requests} requests, ${r.storedVMon}/${r.expectedVMon} VMon samples stored)`]);
  }
  if (d) {
    details.push(['5', `daemon CPU, ${d.crates} crates at 1 Hz (${fmt(d.daemon.seconds, 0)} s)`, `${fmt(d.daemon.cpuMeanPercent)} % mean, ${fmt(d.daemon.cpuMaxPercent)} % max of one core`]);
    details.push(['5', 'daemon RSS', `${fmt(d.daemon.rssMeanMiB)} MiB mean, ${fmt(d.daemon.rssMaxMiB)} MiB max`]);
    details.push(['5', 'what it did meanwhile', `${d.setups} setups, ${d.channels} channels, ${d.callsPerSecond} calls/s, ${fmt(d.linesPerSecond, 0)} lines/s written; health ok ${d.healthOk}; SIGTERM exit ${d.exitCode}`]);
    if (d.sim) details.push(['5', 'the simulator (not the daemon)', `CPU ${fmt(d.sim.cpuMeanPercent)} % mean, RSS ${fmt(d.sim.rssMaxMiB)} MiB max`]);
  }
  md.push('\n' + markdownTable(['#', 'detail', 'value'], details));
  if (opt.write) {
    writeResults(resolve(opt.write), md.join('\n'));
    say(`results written into ${opt.write}`);
  }
}

main().then(
  () => clearTimeout(watchdog),
  async (err: unknown) => {
    if (interrupted) return; // the SIGINT handler stops the servers and exits 130
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    await cleanup();
    process.exit(1);
  },
);
