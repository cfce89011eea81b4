// The writer thread's CPU per 1 000 lines (issue 16), checkouts side by side. Measured by hand, not by
// `npm run bench`:
//
//   node dist/scripts/profile/writer-cost.js [--crates 4] [--seconds 20] [--rounds 3] [--root DIR]...
//
// Starts one simulator (full SY4527 crates, 2 ms per call) and one VictoriaMetrics, then runs the daemon of
// each `--root` (a gemcaen checkout, built; default: this one) as bench part 5 does (measureDaemon: a child
// process logging every crate at 1 Hz, /proc sampled), the roots alternating round by round (A/B/A/B), so
// that a busy machine hurts them alike. Per run: the writer thread's CPU (% of one core, /proc/<pid>/task),
// the lines it wrote per second, CPU per 1 000 lines, lines per setup scan (the same for the same rules),
// the daemon's CPU and RSS. A checkout of an older commit next to this one compares before and after.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSim } from '../../test/helpers/sim.js';
import { startVictoria } from '../../test/helpers/victoria.js';
import { measureDaemon } from '../bench/daemon-bench.js';
import { crateName, cratesYaml } from '../bench/fixtures.js';

/** dist/scripts/profile → the repository root */
const here = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function arg(name: string): string[] {
  const out: string[] = [];
  for (let i = 2; i < process.argv.length; i++) if (process.argv[i] === name && process.argv[i + 1] !== undefined) out.push(process.argv[++i]!);
  return out;
}

function count(name: string, fallback: number): number {
  const text = arg(name).at(-1);
  const n = text === undefined ? fallback : Number(text);
  if (!(n > 0)) throw new RangeError(`--${name.replace(/^--/, '')} must be a positive number`);
  return n;
}

const crates = count('--crates', 4);
const seconds = count('--seconds', 20);
const rounds = count('--rounds', 3);
const roots = arg('--root').map((r) => resolve(r));
if (roots.length === 0) roots.push(here);

const sim = await startSim({ cratesYaml: cratesYaml(crates), timeoutMs: 30_000, extraArgs: [] });
const vm = await startVictoria();
try {
  const names = Array.from({ length: crates }, (_, c) => crateName(c));
  await Promise.all(names.map((n) => sim.control.latency(2, n)));
  const addresses = names.map((n) => sim.crates[n]!);
  console.log(`writer cost: ${crates} full crates at 1 Hz, ${seconds} s per run, ${rounds} rounds of ${roots.length} checkout(s), alternating`);
  for (let r = 0; r < rounds; r++) {
    for (const root of roots) {
      const d = await measureDaemon({ cli: join(root, 'dist', 'src', 'cli', 'main.js'), addresses, library: sim.libraryPath, victoriaUrl: vm.url, warmupSeconds: 5, seconds, simPid: sim.process.pid });
      // part 5's name for the gc-writer thread (NaN for a checkout older than the thread names)
      const writer = d.threads.find(([name]) => name === 'writer')?.[1] ?? Number.NaN;
      const perThousand = ((writer / 100) * 1000) / (d.linesPerSecond / 1000);
      const perScan = d.linesPerSecond / d.scansPerSetupPerSecond / d.setups;
      console.log(
        `${root}  round ${r + 1}: writer ${writer.toFixed(2)} % of one core, ${d.linesPerSecond.toFixed(0)} lines/s, ` +
          `${perThousand.toFixed(1)} ms CPU per 1 000 lines, ${perScan.toFixed(2)} lines per setup scan; ` +
          `daemon ${d.daemon.cpuMeanPercent.toFixed(1)} %, RSS ${d.daemon.rssMeanMiB.toFixed(1)} MiB; health ok ${d.healthOk}, exit ${d.exitCode}`,
      );
    }
  }
} finally {
  await Promise.allSettled([sim.stop(), vm.dispose()]);
}
