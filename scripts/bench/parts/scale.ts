// Part 6: how the daemon's cost grows with the number of crates. The real daemon (a child process, as in
// part 5) logs 1, 4, 8 and 16 full crates at 1 Hz into VictoriaMetrics, one run per count; per run the
// CPU (% of one core, mean over the window), the CPU per 1000 channel-readings per second, the RSS, the
// RSS per crate and the setup scans per second it kept. Flat CPU per reading and a fixed RSS per crate
// (its worker thread) is the goal.
import { measureDaemon, type DaemonBenchResult } from '../daemon-bench.js';
import { crateName } from '../fixtures.js';
import type { BenchPart, PartResult } from '../part.js';
import { fmt } from '../stats.js';

/** the crate counts of the scale runs */
const COUNTS = [1, 4, 8, 16] as const;

export const scalePart: BenchPart = {
  ids: ['6'],
  title: 'the daemon with 1, 4, 8 and 16 full crates at 1 Hz: CPU per 1000 channel-readings/s, RSS per crate',
  crates: () => Math.max(...COUNTS),
  async run(ctx): Promise<PartResult> {
    const { opt, say, env, sim } = ctx;
    const vm = await ctx.victoria();
    const seconds = opt.quick ? 6 : 20;
    const counts = COUNTS;
    say(`[6]   the daemon (real CLI child process) with ${counts.join(', ')} full crates at 1 Hz, ${seconds} s sampled from /proc each...`);
    await Promise.all(Array.from({ length: Math.max(...counts) }, (_, c) => env.control.latency(opt.latencyMs, crateName(c))));
    const runs: DaemonBenchResult[] = [];
    for (const n of counts) {
      const d = await measureDaemon({ cli: opt.cli, addresses: env.addresses.slice(0, n), library: env.library, victoriaUrl: vm.url, warmupSeconds: opt.quick ? 2 : 20, seconds, simPid: sim.process.pid });
      runs.push(d);
      say(`      ${line(d, runs[0]!)}`);
    }
    const at = (n: number) => runs.find((d) => d.crates === n);
    const base = at(4) ?? runs[0]!;
    const rows = runs
      .filter((d) => d.crates > base.crates)
      .map((d) => ({
        part: '6',
        figure: `CPU per 1000 channel-readings/s, ${d.crates} crates`,
        measured: perThousand(d),
        ideal: perThousand(base),
        unit: '%',
        idealIs: `the same at ${base.crates} crates (flat per reading)`,
        digits: 2,
      }));
    return {
      rows,
      details: runs.map((d) => ['6', `${d.crates} crate${d.crates === 1 ? '' : 's'} (${d.channels} channels) at 1 Hz`, line(d, runs[0]!)]),
    };
  },
};

/** CPU, % of one core, per 1000 channel readings per second */
function perThousand(d: DaemonBenchResult): number {
  return d.daemon.cpuMeanPercent / (readingsPerSecond(d) / 1000);
}

/** channel readings per second: every channel of every setup once per scan */
function readingsPerSecond(d: DaemonBenchResult): number {
  return d.channels * d.scansPerSetupPerSecond;
}

function cells(d: DaemonBenchResult, first: DaemonBenchResult): string[] {
  const perK = perThousand(d);
  const added = d.crates === first.crates ? '' : fmt((d.daemon.rssMeanMiB - first.daemon.rssMeanMiB) / (d.crates - first.crates));
  return [String(d.crates), String(d.channels), fmt(d.daemon.cpuMeanPercent), fmt(perK, 2), fmt(d.daemon.rssMeanMiB), fmt(d.daemon.rssMeanMiB / d.crates), added, fmt(d.scansPerSetupPerSecond, 3)];
}

function line(d: DaemonBenchResult, first: DaemonBenchResult): string {
  const [crates, channels, cpu, perK, rss, perCrate, added, kept] = cells(d, first);
  return `${crates} crates, ${channels} channels: CPU ${cpu} % (${perK} % per 1000 channel-readings/s), RSS ${rss} MiB (${perCrate} per crate${added ? `, +${added} per crate added` : ''}), ${kept} scans per setup per second; health ok ${d.healthOk}, exit ${d.exitCode}`;
}
