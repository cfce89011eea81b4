// Where the CPU of a CAEN call goes (issue 16): the calling thread's CPU time per GetChParam, from the C
// floor to the daemon's poller, against one simulated full crate. Measured by hand, not by `npm run bench`:
//
//   node dist/scripts/profile/call-cost.js [--latency 0,2] [--calls 2000] [--rounds 3] [--seconds 8] [--warmup 2]
//                                          [--root DIR]... [--only c,koffi,binding,setup,poller,poller-1hz]
//
// Each variant runs in a child process of its own (a fresh isolate, nothing else on the thread), one after
// the other, the rounds alternating variant by variant (A/B/A/B), so that a busy machine hurts them alike:
//   c           scripts/profile/call-loop.c (gcc), dlopen of the simulator's library: the floor
//   koffi       the same call through koffi with the binding's prototype, nothing around it
//   binding     CaenMainframe.readChParam (src/caen/mainframe.ts): the binding as the poller calls it
//   setup       scanSetup (src/poll/plan.ts) of one setup: 6 GetChParam + 2 GetBdParam, back to back
//   poller      the daemon's real mainframe worker (MainframeWorkers → piscina → workers/mainframe.worker →
//               MainframePoller) polling the 16 setups back to back (HoldOffTime ~0)
//   poller-1hz  the same at HoldOffTime 1 s, as the daemon runs: CPU per call and % of one core
// Node flags given to this script (--cpu-prof, --trace-deopt…) are passed to the children.
// CPU time: /proc/thread-self/schedstat (the scheduler's run time of the thread, ns) for the loops; for the
// pollers the worker thread found by its name (gc-mf-*) in /proc/self/task. Each `--root` is a gemcaen
// checkout whose dist/ is used for binding, setup and the pollers (default: this one): a checkout of an
// older commit next to this one compares before and after in one run.
import { MAINFRAME_THREAD_PREFIX } from '../../src/thread-name.js';
import { compileCallLoop } from './call-loop.js';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** dist/scripts/profile → the repository root */
const here = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

type Variant = 'c' | 'koffi' | 'binding' | 'setup' | 'poller' | 'poller-1hz';
const VARIANTS: readonly Variant[] = ['c', 'koffi', 'binding', 'setup', 'poller', 'poller-1hz'];

interface Sample {
  /** CPU time of the calling thread per wrapper call, µs */
  cpuUsPerCall: number;
  wallUsPerCall: number;
  /** pollers: CPU per full scan of the crate (128 calls), ms, and % of one core over the window */
  cpuMsPerScan?: number;
  corePercent?: number;
  calls: number;
}

function arg(name: string): string[] {
  const out: string[] = [];
  for (let i = 2; i < process.argv.length; i++) if (process.argv[i] === name && process.argv[i + 1] !== undefined) out.push(process.argv[++i]!);
  return out;
}

function threadCpuUs(path = '/proc/thread-self/schedstat'): number {
  return Number(readFileSync(path, 'latin1').split(' ')[0]) / 1000;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// ---- child side: one variant, one JSON line on stdout ----

interface ChildArgs {
  variant: Variant;
  root: string;
  library: string;
  address: string;
  calls: number;
  seconds: number;
  /** pollers: seconds between the first scans and the window (V8 optimises code that runs 16 times a second slowly) */
  warmupSeconds: number;
}

const CHANNELS = Array.from({ length: 24 }, (_, i) => i);
const LOGIN = { systemType: 'SY4527', linkType: 'TCPIP', user: 'admin', password: 'admin' } as const;

/** Runs `fn` `calls` times after a warm-up; CPU and wall time per call. */
function loop(calls: number, perRun: number, fn: () => void): Sample {
  for (let i = 0; i < Math.min(200, calls); i++) fn();
  const c0 = threadCpuUs();
  const w0 = performance.now();
  for (let i = 0; i < calls; i++) fn();
  const cpu = threadCpuUs() - c0;
  const wall = (performance.now() - w0) * 1000;
  return { cpuUsPerCall: cpu / (calls * perRun), wallUsPerCall: wall / (calls * perRun), calls: calls * perRun };
}

async function child(a: ChildArgs): Promise<Sample> {
  const dist = (p: string) => import(pathToFileURL(join(a.root, 'dist', p)).href);
  if (a.variant === 'koffi') {
    const koffi = (await import('koffi')).default;
    const lib = koffi.load(a.library);
    const init = lib.func('int32_t CAENHV_InitSystem(int32_t system, int32_t LinkType, const char *Arg, const char *UserName, const char *Passwd, _Out_ int32_t *handle)');
    const get = lib.func('int32_t CAENHV_GetChParam(int32_t handle, uint16_t slot, const char *ParName, uint16_t ChNum, const void *ChList, void *ParValList)');
    const handle: [number] = [-1];
    if (init(2, 0, a.address, LOGIN.user, LOGIN.password, handle) !== 0) throw new Error('InitSystem failed');
    const list = Uint16Array.from(CHANNELS);
    const values = Buffer.alloc(CHANNELS.length * 4);
    return loop(a.calls, 1, () => {
      if (get(handle[0], 0, 'VMon', CHANNELS.length, list, values) !== 0) throw new Error('GetChParam failed');
    });
  }
  const { CaenLibrary } = await dist('src/caen/library.js');
  const { CaenMainframe } = await dist('src/caen/mainframe.js');
  if (a.variant === 'binding' || a.variant === 'setup') {
    const mf = CaenMainframe.connect(CaenLibrary.open(a.library), { ...LOGIN, address: a.address });
    if (a.variant === 'binding') return loop(a.calls, 1, () => mf.readChParam(0, 'VMon', CHANNELS));
    const { planSetup, scanSetup } = await dist('src/poll/plan.js');
    const setup = { name: 'S0', slot: 0, channels: CHANNELS, monitorables: ['VMon', 'IMon', 'V0Set', 'I0Set', 'Pw', 'Status'], isGEM: false, holdOffSeconds: 1 };
    const { plan } = await planSetup(mf, setup, { slot: 0, model: 'A1535', channels: 24 }, () => false);
    const ctx = { session: mf, mainframe: 'm', shouldStop: () => false, count: () => {}, isRequestError: () => false, onBoardParamDropped: () => {} };
    await scanSetup(plan, ctx);
    const perScan = plan.chParams.length + plan.bdParams.length;
    // scanSetup is async (it awaits nothing once the names are read): the loop awaits each scan
    const n = Math.max(1, Math.round(a.calls / perScan));
    for (let i = 0; i < 20; i++) await scanSetup(plan, ctx);
    const c0 = threadCpuUs();
    const w0 = performance.now();
    for (let i = 0; i < n; i++) await scanSetup(plan, ctx);
    const cpu = threadCpuUs() - c0;
    const wall = (performance.now() - w0) * 1000;
    return { cpuUsPerCall: cpu / (n * perScan), wallUsPerCall: wall / (n * perScan), calls: n * perScan };
  }
  return pollerChild(a, dist);
}

/** The daemon's mainframe worker over a window: CPU of its thread per call, per full scan, per second. */
async function pollerChild(a: ChildArgs, dist: (p: string) => Promise<any>): Promise<Sample> {
  const { parseConfig } = await dist('src/config/load.js');
  const { configYaml } = await dist('scripts/bench/fixtures.js');
  const { ScanRecorder } = await dist('scripts/bench/scan-recorder.js');
  const { createLogger } = await dist('src/log.js');
  const dir = mkdtempSync(join(tmpdir(), 'gemcaen-call-cost-'));
  const holdOff = a.variant === 'poller-1hz' ? 1 : 0.001;
  try {
    const config = parseConfig(configYaml({ addresses: [a.address], library: a.library, dir, sink: { kind: 'file', directory: join(dir, 'data') }, holdOffSeconds: holdOff }), join(dir, 'c.yml'));
    const setups = [...config.setups.values()];
    const rec = new ScanRecorder(config, setups, createLogger({ level: 'error', colors: false }));
    rec.start();
    try {
      await rec.waitForScans(3 * setups.length, 60_000);
      // settle: metadata and names are read, the JIT has seen the loop
      await new Promise((r) => setTimeout(r, a.warmupSeconds * 1000));
      const task = readdirSync('/proc/self/task').find((t) => readFileSync(`/proc/self/task/${t}/comm`, 'latin1').startsWith(MAINFRAME_THREAD_PREFIX));
      if (!task) throw new Error('no gc-mf-* thread: is this checkout older than the thread names?');
      const stat = `/proc/self/task/${task}/schedstat`;
      const from = rec.records.length;
      const c0 = threadCpuUs(stat);
      const w0 = performance.now();
      await new Promise((r) => setTimeout(r, a.seconds * 1000));
      const cpu = threadCpuUs(stat) - c0;
      const wall = (performance.now() - w0) * 1000;
      const window = rec.records.slice(from);
      const calls = window.reduce((n: number, r: { calls: number }) => n + r.calls, 0);
      const fullScans = window.length / setups.length;
      return { cpuUsPerCall: cpu / calls, wallUsPerCall: wall / calls, cpuMsPerScan: cpu / 1000 / fullScans, corePercent: (cpu / wall) * 100, calls };
    } finally {
      await rec.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- parent side ----

function runChild(a: ChildArgs): Promise<Sample> {
  return new Promise((resolveRun, reject) => {
    const p = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', JSON.stringify(a)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.once('exit', (code) => {
      const lines = out.trim().split('\n');
      const line = lines.pop() ?? '';
      // what the child printed besides its result (V8's --trace-* output) goes to stderr
      if (lines.length > 0) process.stderr.write(`${lines.join('\n')}\n`);
      if (code === 0 && line.startsWith('{')) resolveRun(JSON.parse(line) as Sample);
      else reject(new Error(`${a.variant} (${a.root}) exited with ${code}: ${out.trim()}`));
    });
  });
}

function runC(binary: string, library: string, address: string, calls: number): Sample {
  const r = spawnSync(binary, [library, address, String(calls)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`call-loop: ${r.stderr}`);
  return JSON.parse(r.stdout) as Sample;
}

async function main(): Promise<void> {
  const latencies = (arg('--latency')[0] ?? '0,2').split(',').map(Number);
  const calls = Number(arg('--calls')[0] ?? 2000);
  const rounds = Number(arg('--rounds')[0] ?? 3);
  const seconds = Number(arg('--seconds')[0] ?? 8);
  const warmupSeconds = Number(arg('--warmup')[0] ?? 2);
  const roots = arg('--root').map((r) => resolve(r));
  if (roots.length === 0) roots.push(here);
  const only = new Set((arg('--only')[0] ?? VARIANTS.join(',')).split(',') as Variant[]);
  const { startSim } = await import(pathToFileURL(join(here, 'dist', 'test', 'helpers', 'sim.js')).href);
  const { cratesYaml, crateName } = await import(pathToFileURL(join(here, 'dist', 'scripts', 'bench', 'fixtures.js')).href);
  const tmp = mkdtempSync(join(tmpdir(), 'gemcaen-call-loop-'));
  const build = compileCallLoop(tmp);
  const binary = 'binary' in build ? build.binary : '';
  if ('noCompiler' in build) {
    console.error(`${build.noCompiler}: the C row is left out`);
    only.delete('c');
  }
  const sim = await startSim({ cratesYaml: cratesYaml(1), timeoutMs: 30_000 });
  const address: string = sim.crates[crateName(0)];
  const results = new Map<string, Sample[]>();
  const add = (key: string, s: Sample) => results.set(key, [...(results.get(key) ?? []), s]);
  try {
    for (const latencyMs of latencies) {
      await sim.control.latency(latencyMs, crateName(0));
      // at 2 ms a call is 2.5 ms of wall time: fewer calls keep a round short
      const n = latencyMs > 0 ? Math.max(200, Math.round(calls / 5)) : calls;
      for (let round = 0; round < rounds; round++) {
        for (const variant of VARIANTS) {
          if (!only.has(variant)) continue;
          if (variant === 'c') {
            add(`${latencyMs}\tc\t`, runC(binary, sim.libraryPath, address, n));
            continue;
          }
          for (const root of variant === 'koffi' ? [here] : roots) {
            add(`${latencyMs}\t${variant}\t${variant === 'koffi' ? '' : root}`, await runChild({ variant, root, library: sim.libraryPath, address, calls: n, seconds, warmupSeconds }));
          }
        }
        process.stderr.write(`latency ${latencyMs} ms: round ${round + 1} of ${rounds} done\n`);
      }
    }
  } finally {
    await sim.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  const lines = ['latency ms | variant | root | CPU µs/call (median; each round) | wall µs/call | CPU ms per full scan | % of one core'];
  for (const [key, samples] of results) {
    const [latency, variant, root] = key.split('\t');
    const cpu = samples.map((s) => s.cpuUsPerCall);
    const scan = samples.map((s) => s.cpuMsPerScan).filter((x): x is number => x !== undefined);
    const core = samples.map((s) => s.corePercent).filter((x): x is number => x !== undefined);
    lines.push(
      `${latency} | ${variant} | ${root === '' ? '-' : root} | ${median(cpu).toFixed(1)} (${cpu.map((x) => x.toFixed(1)).join(', ')}) | ${median(samples.map((s) => s.wallUsPerCall)).toFixed(0)} | ${scan.length ? median(scan).toFixed(2) : '-'} | ${core.length ? median(core).toFixed(2) : '-'}`,
    );
  }
  console.log(lines.join('\n'));
  const out = arg('--json')[0];
  if (out) writeFileSync(out, JSON.stringify(Object.fromEntries(results), null, 2));
}

if (process.argv[2] === '--child') {
  child(JSON.parse(process.argv[3]!) as ChildArgs).then(
    (s) => {
      console.log(JSON.stringify(s));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
