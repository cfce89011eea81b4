// Parts 1 and 2: wrapper calls per full scan of one full crate (counted by the crate) against the minimum, and
// the full scan's time against calls × latency and calls × a bare GetChParam.
import { measureBareCall } from '../bare-call.js';
import { BOARD_PARAMS, crateName, MONITORABLES, SLOTS } from '../fixtures.js';
import { GOALS } from '../goals.js';
import type { BenchPart, PartResult } from '../part.js';
import { measureFullScan } from '../scan-bench.js';
import { fmt } from '../stats.js';

export const scanPart: BenchPart = {
  ids: ['1', '2'],
  title: 'wrapper calls per full scan; full scan time vs calls × latency and calls × a bare call',
  crates: () => 1,
  async run(ctx): Promise<PartResult> {
    const { env, opt, say } = ctx;
    const latencyMs = opt.latencyMs;
    say(`[1-2] one full crate at HoldOffTime 1 s, ${opt.rounds} full scans counted by the crate...`);
    const full = await measureFullScan(env, latencyMs, opt.rounds);
    const base = await measureFullScan(env, 0, opt.rounds);
    const bareArgs = { library: env.library, address: env.addresses[0], crate: crateName(0), control: env.control, calls: 100 };
    const bare = await measureBareCall({ ...bareArgs, latencyMs });
    const bare0 = await measureBareCall({ ...bareArgs, latencyMs: 0 });
    const fns = Object.entries(full.simCallsByFunction).map(([f, n]) => `${f.replace('CAENHV_', '')} ${fmt(n, 1)}`).join(', ');
    say(`      calls per full scan: ${fmt(full.simCallsPerScan, 1)} counted by the crate (${fns}), ${fmt(full.pollerCallsPerScan, 1)} counted by the poller`);
    say(`      full scan: ${fmt(full.scanMsMedian)} ms median, ${fmt(full.scanMsMax)} ms max at ${latencyMs} ms/call; ${fmt(base.scanMsMedian)} ms at 0 ms/call; ${fmt(full.points, 0)} points per scan`);
    say(`      bare GetChParam (24 channels) from one thread: ${fmt(bare.meanMs, 2)} ms mean (${fmt(bare.medianMs, 2)} median) at ${latencyMs} ms/call, ${fmt(bare0.meanMs, 2)} ms mean (${fmt(bare0.medianMs, 2)} median) at 0 ms/call`);
    const out: PartResult = { rows: [], details: [] };
    if (ctx.selected.has('1')) {
      out.rows.push({ part: '1', figure: 'wrapper calls per full scan (crate count)', measured: full.simCallsPerScan, ideal: full.minWithBoardReads, unit: '', idealIs: `${SLOTS} slots × (${MONITORABLES.length} channel + ${BOARD_PARAMS.length} board parameters)` });
      out.rows.push({ part: '1', figure: 'GetChParam per full scan', measured: full.simCallsByFunction.CAENHV_GetChParam ?? 0, ideal: full.minChannelReads, unit: '', idealIs: `${SLOTS} slots × ${MONITORABLES.length} parameters, 24 channels per call` });
      out.details.push(['1', 'calls per full scan by function (crate count)', fns]);
      out.details.push(['1', 'calls per full scan (poller count)', fmt(full.pollerCallsPerScan, 1)]);
    }
    if (ctx.selected.has('2')) {
      out.rows.push({ part: '2', figure: `full scan time at ${latencyMs} ms/call`, measured: full.scanMsMedian, ideal: full.simCallsPerScan * latencyMs, unit: 'ms', idealIs: `${fmt(full.simCallsPerScan, 0)} calls × ${latencyMs} ms` });
      out.rows.push({ part: '2', figure: `full scan time at ${latencyMs} ms/call`, measured: full.scanMsMedian, ideal: full.simCallsPerScan * bare.meanMs, unit: 'ms', idealIs: `${fmt(full.simCallsPerScan, 0)} calls × bare call (mean, ${fmt(bare.meanMs, 2)} ms)` });
      out.rows.push({ part: '2', figure: 'full scan time at 0 ms/call', measured: base.scanMsMedian, ideal: base.simCallsPerScan * bare0.meanMs, unit: 'ms', idealIs: `${fmt(base.simCallsPerScan, 0)} calls × bare call (mean, ${fmt(bare0.meanMs, 2)} ms); goal: ratio ≤ ${GOALS.scanOverBareCall}` });
      out.details.push(['2', `full scan at ${latencyMs} ms/call: median / max (sum of the ${SLOTS} setup scans)`, `${fmt(full.scanMsMedian)} / ${fmt(full.scanMsMax)} ms (${fmt(full.points, 0)} points, ${full.rounds} scans)`]);
      out.details.push(['2', `spread of the ${SLOTS} setup scans within the 1 s HoldOffTime`, `${fmt(full.spreadMsMedian)} ms (each setup keeps the cadence of its first scan)`]);
      out.details.push(['2', 'full scan at 0 ms/call: median / max', `${fmt(base.scanMsMedian)} / ${fmt(base.scanMsMax)} ms (${fmt((base.scanMsMedian / base.simCallsPerScan) * 1000, 0)} µs per call)`]);
      out.details.push(['2', 'bare GetChParam of 24 channels, one thread, mean (median)', `${fmt(bare.meanMs, 2)} (${fmt(bare.medianMs, 2)}) ms at ${latencyMs} ms/call, ${fmt(bare0.meanMs, 2)} (${fmt(bare0.medianMs, 2)}) ms at 0 ms/call (${bare.calls} calls each)`]);
    }
    return out;
  },
};
