// Part 9: the web page with 20 viewers. The real daemon logs N full crates at 1 Hz into VictoriaMetrics
// with gemcaen.Web on; alternating windows without and with 20 event streams open (plain HTTP clients
// signed in as the page signs in). Figures: the daemon's CPU with streams against without, the wrapper
// calls per setup scan with against without (crate counters), and the delay from a change at the crate
// (simulator control API) to the scan message carrying it on every stream.
import { crateName } from '../fixtures.js';
import type { BenchPart, PartResult } from '../part.js';
import { fmt, median } from '../stats.js';
import { measureWebStreams, quantile } from '../web-bench.js';

const STREAMS = 20;
const PAIRS = 2;

export const webPart: BenchPart = {
  ids: ['9'],
  title: `the web page with ${STREAMS} event streams open: daemon CPU, calls per scan, change → page delay`,
  crates: (opt) => opt.daemonCrates,
  async run(ctx): Promise<PartResult> {
    const { opt, say, env } = ctx;
    const vm = await ctx.victoria();
    const n = opt.daemonCrates;
    const windowSeconds = Math.max(5, Math.round(opt.daemonSeconds / 2));
    say(`[9]   the daemon logging ${n} full crates at 1 Hz with the web page on: ${PAIRS * 2} windows of ${windowSeconds} s, without / with / with / without ${STREAMS} event streams, a change at a crate every 0.5 s...`);
    await Promise.all(Array.from({ length: n }, (_, c) => env.control.latency(opt.latencyMs, crateName(c))));
    const r = await measureWebStreams({
      cli: opt.cli,
      addresses: env.addresses.slice(0, n),
      library: env.library,
      control: env.control,
      sink: { kind: 'influx-v2', url: vm.url },
      streams: STREAMS,
      windowSeconds,
      pairs: PAIRS,
      warmupSeconds: opt.quick ? 3 : 10,
      probeEveryMs: 500,
      onCleanup: (fn) => ctx.onCleanup(fn),
    });
    const without = r.windows.filter((w) => w.streams === 0);
    const withS = r.windows.filter((w) => w.streams > 0);
    const cpuList = (ws: typeof r.windows) => ws.map((w) => fmt((100 * w.cpuSeconds) / w.seconds)).join(', ');
    const changeMedian = median(r.changeDelaysMs);
    const changeP99 = quantile(r.changeDelaysMs, 0.99);
    const scanMedian = median(r.scanDelaysMs);
    const scanP99 = quantile(r.scanDelaysMs, 0.99);
    const arrivals = r.changeDelaysMs.length;
    say(`      daemon CPU: ${fmt(r.cpuWithout)} % without streams (windows ${cpuList(without)}), ${fmt(r.cpuWith)} % with ${STREAMS} (windows ${cpuList(withS)}); RSS ${fmt(r.rss.meanMiB)} MiB mean, ${fmt(r.rss.maxMiB)} MiB max`);
    say(`      wrapper calls per setup scan: ${fmt(r.callsPerScanWithout, 3)} without, ${fmt(r.callsPerScanWith, 3)} with streams (crate counters)`);
    say(`      calls by function without / with streams: ${(['without', 'with'] as const).map((k) => Object.entries(r.byFunction[k]).filter(([, c]) => c > 0).map(([f, c]) => `${f.replace('CAENHV_', '')} ${c}`).join(', ')).join(' / ')}`);
    say(`      change at the crate → on the streams: ${fmt(changeMedian, 0)} ms median, ${fmt(changeP99, 0)} ms p99 (${r.changes} changes, ${arrivals} arrivals, ${r.missed} missed)`);
    say(`      scan start → on the streams: ${fmt(scanMedian, 0)} ms median, ${fmt(scanP99, 0)} ms p99 (${r.scanDelaysMs.length} messages); a setup scan itself takes ${fmt(r.scanDurationMedianMs)} ms (median); ${fmt(r.bytesPerStreamPerSecond / 1024, 0)} KiB/s per stream`);
    const holdOffMs = 1000;
    return {
      rows: [
        { part: '9', figure: `daemon CPU with ${STREAMS} streams open`, measured: r.cpuWith, ideal: r.cpuWithout, unit: '%', idealIs: 'the same daemon, web page on, no stream (alternating windows)' },
        { part: '9', figure: `wrapper calls per setup scan, ${STREAMS} streams`, measured: r.callsPerScanWith, ideal: r.callsPerScanWithout, unit: '', idealIs: 'the same without streams (crate counters)', digits: 2 },
        { part: '9', figure: 'change at the crate → page, median', measured: changeMedian, ideal: holdOffMs / 2 + r.scanDurationMedianMs, unit: 'ms', idealIs: 'half a HoldOffTime (waiting for the next scan) + a setup scan', digits: 0 },
        { part: '9', figure: 'scan start → page, median', measured: scanMedian, ideal: r.scanDurationMedianMs, unit: 'ms', idealIs: 'the setup scan itself (reading the crate)', digits: 0 },
      ],
      details: [
        ['9', `daemon CPU per window, without / with ${STREAMS} streams`, `${cpuList(without)} / ${cpuList(withS)} % of one core (${windowSeconds} s each)`],
        ['9', `extra CPU of ${STREAMS} streams`, `${fmt(r.cpuWith - r.cpuWithout)} % of one core (${fmt((r.cpuWith - r.cpuWithout) / STREAMS, 2)} % per stream)`],
        ['9', 'daemon RSS with the web page on', `${fmt(r.rss.meanMiB)} MiB mean, ${fmt(r.rss.maxMiB)} MiB max`],
        ['9', 'wrapper calls per setup scan, without / with streams', `${fmt(r.callsPerScanWithout, 3)} / ${fmt(r.callsPerScanWith, 3)} (${without.reduce((a, w) => a + w.scans, 0)} / ${withS.reduce((a, w) => a + w.scans, 0)} scans)`],
        ['9', 'wrapper calls by function, without / with streams', (['without', 'with'] as const).map((k) => Object.entries(r.byFunction[k]).filter(([, c]) => c > 0).map(([f, c]) => `${f.replace('CAENHV_', '')} ${c}`).join(', ')).join(' / ')],
        ['9', 'change at the crate (I0Set) → on every stream: median / p99', `${fmt(changeMedian, 0)} / ${fmt(changeP99, 0)} ms (${r.changes} changes × ${STREAMS} streams: ${arrivals} arrivals, ${r.missed} missed)`],
        ['9', 'scan start → on the streams: median / p99', `${fmt(scanMedian, 0)} / ${fmt(scanP99, 0)} ms (${r.scanDelaysMs.length} scan messages); setup scan ${fmt(r.scanDurationMedianMs)} ms median`],
        ['9', 'what a stream carries', `${fmt(r.bytesPerStreamPerSecond / 1024, 0)} KiB/s (${r.setups} setups at 1 Hz); SIGTERM exit ${r.exitCode}`],
      ],
    };
  },
};
