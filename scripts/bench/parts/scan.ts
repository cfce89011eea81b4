// Parts 1 and 2: wrapper calls per full scan of one full crate (counted by the crate) against the minimum, and
// the full scan's time against calls × latency, calls × a bare GetChParam, and the same calls without the poller.
import { measureBareCall, openBareScanner } from '../bare-call.js';
import { BOARD_PARAMS, crateName, MONITORABLES, SLOTS } from '../fixtures.js';
import { GOALS } from '../goals.js';
import type { BenchPart, PartResult } from '../part.js';
import { measureFullScan } from '../scan-bench.js';
import { fmt, median } from '../stats.js';

export const scanPart: BenchPart = {
  ids: ['1', '2'],
  title: 'wrapper calls per full scan; full scan time vs calls × latency and calls × a bare call',
  // the second crate: the same calls without the poller, side by side with it
  crates: () => 2,
  async run(ctx): Promise<PartResult> {
    const { env, opt, say } = ctx;
    const latencyMs = opt.latencyMs;
    say(`[1-2] one full crate at HoldOffTime 1 s, ${opt.rounds} full scans counted by the crate...`);
    const full = await measureFullScan(env, latencyMs, opt.rounds);
    // the goal's figure (0 ms/call: the calls cost little, the code around them shows) after V8 optimised
    // the worker's code; side by side, in each gap between two of the poller's full scans of crate 0, the
    // same calls without the poller on crate 1 from this thread: the same machine load, the same rhythm
    const warmupSeconds = opt.quick ? 10 : 40;
    await env.control.latency(0, crateName(1));
    const bareScanner = await openBareScanner({ library: env.library, address: env.addresses[1], crate: crateName(1), control: env.control, latencyMs: 0 });
    let base: Awaited<ReturnType<typeof measureFullScan>>;
    try {
      base = await measureFullScan(env, 0, opt.rounds, warmupSeconds, [
        { afterMs: 300, run: () => bareScanner.scan() },
        { afterMs: 600, run: () => bareScanner.scanWithTurns() },
      ]);
    } finally {
      bareScanner.close();
    }
    const [plainMs, turnsMs] = base.alongsideMs as [number[], number[]];
    const bareScan0 = { calls: bareScanner.calls, medianMs: median(plainMs), rounds: plainMs.length, withTurnsMs: median(turnsMs) };
    const bareArgs = { library: env.library, address: env.addresses[0], crate: crateName(0), control: env.control, calls: 100 };
    const bare = await measureBareCall({ ...bareArgs, latencyMs });
    const bare0 = await measureBareCall({ ...bareArgs, latencyMs: 0 });
    const fns = Object.entries(full.simCallsByFunction).map(([f, n]) => `${f.replace('CAENHV_', '')} ${fmt(n, 1)}`).join(', ');
    say(`      calls per full scan: ${fmt(full.simCallsPerScan, 1)} counted by the crate (${fns}), ${fmt(full.pollerCallsPerScan, 1)} counted by the poller`);
    say(`      full scan: ${fmt(full.scanMsMedian)} ms median, ${fmt(full.scanMsMax)} ms max at ${latencyMs} ms/call; ${fmt(base.scanMsMedian)} ms at 0 ms/call; ${fmt(full.points, 0)} points per scan`);
    say(`      the same ${bareScan0.calls} calls without the poller (crate 2, this thread, between the poller's scans): ${fmt(bareScan0.medianMs)} ms at 0 ms/call (median of ${bareScan0.rounds})`);
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
      out.rows.push({ part: '2', figure: 'full scan time at 0 ms/call', measured: base.scanMsMedian, ideal: bareScan0.medianMs, unit: 'ms', idealIs: `the same ${bareScan0.calls} calls without the poller, side by side (second crate, one thread)` });
      out.details.push(['2', 'the same calls without the poller at 0 ms/call, side by side: median (each)', `${fmt(bareScan0.medianMs)} ms (${plainMs.map((x) => fmt(x)).join(', ')}), in the gaps between the poller's full scans of the first crate`]);
      out.details.push(['2', 'the same, with a turn of the event loop after each slot (as the poller after each setup)', `${fmt(bareScan0.withTurnsMs)} ms (${turnsMs.map((x) => fmt(x)).join(', ')}): what idle gaps between the calls cost on this machine, ${fmt(bareScan0.withTurnsMs / bareScan0.medianMs, 2)} ×`]);
      out.details.push(['2', `full scan at ${latencyMs} ms/call: median / max (sum of the ${SLOTS} setup scans)`, `${fmt(full.scanMsMedian)} / ${fmt(full.scanMsMax)} ms (${fmt(full.points, 0)} points, ${full.rounds} scans)`]);
      out.details.push(['2', `spread of the ${SLOTS} setup scans within the 1 s HoldOffTime`, `${fmt(full.spreadMsMedian)} ms (the setups share one phase: about the full scan time when a round is read back to back)`]);
      out.details.push(['2', 'full scan at 0 ms/call: median / max', `${fmt(base.scanMsMedian)} / ${fmt(base.scanMsMax)} ms (${fmt((base.scanMsMedian / base.simCallsPerScan) * 1000, 0)} µs per call), after ${warmupSeconds} s of warm-up`]);
      out.details.push(['2', 'bare GetChParam of 24 channels, one thread, mean (median)', `${fmt(bare.meanMs, 2)} (${fmt(bare.medianMs, 2)}) ms at ${latencyMs} ms/call, ${fmt(bare0.meanMs, 2)} (${fmt(bare0.medianMs, 2)}) ms at 0 ms/call (${bare.calls} calls each)`]);
    }
    return out;
  },
};
