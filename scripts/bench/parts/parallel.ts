// Part 3: the full-scan period of N crates polled in parallel (one worker per mainframe) against one crate alone.
import type { BenchPart, PartResult } from '../part.js';
import { measureParallel } from '../scan-bench.js';
import { fmt } from '../stats.js';

export const parallelPart: BenchPart = {
  ids: ['3'],
  title: 'full-scan period of N crates in parallel vs 1 crate alone',
  crates: (opt) => opt.parallelCrates,
  async run({ env, opt, say }): Promise<PartResult> {
    const n = opt.parallelCrates;
    say(`[3]   full crates polled back to back (HoldOffTime ~0), ${opt.windowSeconds} s windows: 1 crate, then ${n} in parallel...`);
    const p1 = await measureParallel(env, 1, opt.latencyMs, opt.windowSeconds);
    const pN = await measureParallel(env, n, opt.latencyMs, opt.windowSeconds);
    say(`      1 crate: full-scan period ${fmt(p1.periodMeanMs)} ms (${fmt(p1.callsPerSecond, 0)} calls/s)`);
    say(`      ${n} crates: period ${fmt(pN.periodMeanMs)} ms mean, ${fmt(pN.periodMaxMs)} ms slowest crate (${fmt(pN.callsPerSecond, 0)} calls/s in total); periods ${pN.periodsMs.map((p) => fmt(p, 0)).join(', ')} ms`);
    return {
      rows: [
        { part: '3', figure: `full-scan period, ${n} crates in parallel`, measured: pN.periodMeanMs, ideal: p1.periodMeanMs, unit: 'ms', idealIs: 'the period of 1 crate alone' },
        { part: '3', figure: `slowest of the ${n} crates`, measured: pN.periodMaxMs, ideal: p1.periodMeanMs, unit: 'ms', idealIs: 'the period of 1 crate alone' },
      ],
      details: [
        ['3', 'full-scan period, 1 crate back to back', `${fmt(p1.periodMeanMs)} ms, ${fmt(p1.callsPerSecond, 0)} calls/s`],
        ['3', `full-scan period of each of ${pN.crates} crates`, `${pN.periodsMs.map((p) => fmt(p, 0)).join(', ')} ms; ${fmt(pN.callsPerSecond, 0)} calls/s in total`],
      ],
    };
  },
};
