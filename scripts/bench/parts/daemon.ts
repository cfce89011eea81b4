// Part 5: CPU and RSS of the real daemon (a child process) logging N full crates at 1 Hz into VictoriaMetrics.
import { measureDaemon } from '../daemon-bench.js';
import { crateName } from '../fixtures.js';
import { GOALS } from '../goals.js';
import type { BenchPart, PartResult } from '../part.js';
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
    return {
      rows: [
        { part: '5', figure: `setup scans/s at 1 Hz (${d.setups} setups)`, measured: d.scansPerSetupPerSecond, ideal: 1, unit: '', idealIs: 'HoldOffTime 1 s: one scan per setup per second', digits: 3 },
        { part: '5', figure: `daemon CPU, ${d.crates} crates at 1 Hz (mean)`, measured: d.daemon.cpuMeanPercent, ideal: GOALS.daemonCpuPercent, unit: '%', idealIs: `the goal: ${GOALS.daemonCpuPercent} % of one core (issue 16)` },
        { part: '5', figure: `daemon RSS, ${d.crates} crates at 1 Hz (mean)`, measured: d.daemon.rssMeanMiB, ideal: GOALS.daemonRssMiB, unit: 'MiB', idealIs: `the goal: ${GOALS.daemonRssMiB} MiB (issue 16)` },
      ],
      details,
    };
  },
};
