// `npm run bench`: the performance figures of gemcaen, measured side by side in one run on the simulated
// mainframe with latency injected per call, printed as a table of ratios (measured / ideal). The parts are
// listed in scripts/bench/parts/index.ts (one module each; `--help` lists them).
// A benchmark, not a test: it prints figures. Every part is bounded in time; servers run on 127.0.0.1
// free ports and are stopped at the end (also on Ctrl-C and after a watchdog). Options: --parts 1,3,4
// --latency-ms 2 --daemon-seconds 30 --window-seconds 8 --quick --write BENCHMARKS.md
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '../src/log.js';
import { startSim, type SimHandle } from '../test/helpers/sim.js';
import { startVictoria, type VictoriaServer } from '../test/helpers/victoria.js';
import { crateName, cratesYaml, CHANNELS, MONITORABLES, SLOTS } from './bench/fixtures.js';
import type { BenchContext, BenchOptions, PartResult } from './bench/part.js';
import { PARTS } from './bench/parts/index.js';
import { markdownTable, ratioMarkdown, ratioTable, writeResults, type RatioRow } from './bench/report.js';
import { fmt } from './bench/stats.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** the whole run is abandoned (servers stopped, exit 1) after this long */
const WATCHDOG_MS = 20 * 60_000;
const ALL_IDS = PARTS.flatMap((p) => p.ids);

const { values: opt } = parseArgs({
  options: {
    parts: { type: 'string', default: ALL_IDS.join(',') },
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
  console.log(`usage: npm run bench [-- --parts ${ALL_IDS.join(',')}] [--latency-ms 2] [--window-seconds 8] [--parallel-crates 8]\n` +
    '                     [--daemon-seconds 30] [--daemon-crates 4] [--rounds 5] [--quick] [--write BENCHMARKS.md]\nparts:');
  for (const p of PARTS) console.log(`  ${p.ids.join(',').padEnd(5)} ${p.title}`);
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

const selected = new Set((opt.parts ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''));
const unknown = [...selected].filter((id) => !ALL_IDS.includes(id));
if (unknown.length > 0) {
  console.error(`bench: --parts ${unknown.join(',')}: no such part; the parts are ${ALL_IDS.join(',')} (--help lists them)`);
  process.exit(2);
}
const quick = opt.quick === true;
const options: BenchOptions = {
  latencyMs: positive('latency-ms', opt['latency-ms']),
  quick,
  windowSeconds: quick ? 4 : positive('window-seconds', opt['window-seconds']),
  daemonSeconds: quick ? 10 : positive('daemon-seconds', opt['daemon-seconds']),
  daemonCrates: positive('daemon-crates', opt['daemon-crates'], true),
  parallelCrates: positive('parallel-crates', opt['parallel-crates'], true),
  rounds: quick ? 3 : positive('rounds', opt.rounds, true),
  cli: join(repoRoot, 'dist', 'src', 'cli', 'main.js'),
};
const parts = PARTS.filter((p) => p.ids.some((id) => selected.has(id)));
const simCrates = Math.max(1, ...parts.map((p) => p.crates(options)));

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
let vm: Promise<VictoriaServer> | undefined;
const cleanups: (() => Promise<void>)[] = [];
async function cleanup(): Promise<void> {
  const fns = cleanups.splice(0).reverse();
  await Promise.allSettled([...fns.map((fn) => fn()), sim?.stop(), vm?.then((v) => v.dispose())]);
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
  say(`simulated crates: ${simCrates} × SY4527 with ${SLOTS} × A1535 (${CHANNELS} channels, all on); setups read ${MONITORABLES.join(', ')}; injected latency ${options.latencyMs} ms per call\n`);

  const log = createLogger({ level: 'warn', colors: false });
  const started_ = await startSim({ cratesYaml: cratesYaml(simCrates), timeoutMs: 30_000, extraArgs: [] });
  sim = started_;
  const addresses = Array.from({ length: simCrates }, (_, c) => started_.crates[crateName(c)]);
  const ctx: BenchContext = {
    opt: options,
    log,
    selected,
    say,
    sim: started_,
    env: { control: started_.control, addresses, library: started_.libraryPath, log },
    victoria: () => (vm ??= startVictoria()),
    onCleanup: (fn) => cleanups.push(fn),
  };

  const rows: RatioRow[] = [];
  const details: string[][] = [];
  for (const part of parts) {
    const r: PartResult = await part.run(ctx);
    rows.push(...r.rows);
    details.push(...r.details);
  }

  await cleanup();
  const elapsed = (Date.now() - started) / 1000;
  say(`\nratios (measured / ideal), ${fmt(elapsed, 0)} s in total:`);
  say(ratioTable(rows));

  const md: string[] = [];
  md.push(`Command: \`${command}\`  `);
  md.push(`Date: ${new Date().toISOString()} (${fmt(elapsed, 0)} s)  `);
  md.push(`Machine: ${m.nproc} cores (${m.cpu}), ${m.memGiB} GiB, node ${m.node}, commit ${m.commit}; load average at start ${m.load}, at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}  `);
  md.push(`Crates: SY4527 with ${SLOTS} × A1535 (${CHANNELS} channels, all on), setups reading ${MONITORABLES.join(', ')}; injected latency ${options.latencyMs} ms per call\n`);
  md.push(ratioMarkdown(rows));
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
