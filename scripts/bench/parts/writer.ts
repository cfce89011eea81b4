// Part 4: the real Writer's lines/s into VictoriaMetrics against raw POSTs of the same lines, same batches.
import { CHANNELS, SLOTS } from '../fixtures.js';
import type { BenchPart, PartResult } from '../part.js';
import { fmt } from '../stats.js';
import { measureWriter } from '../writer-bench.js';

export const writerPart: BenchPart = {
  ids: ['4'],
  title: 'writer lines/s (dedup, spool, gzip, v2 sink) vs a raw POST of the same lines',
  crates: () => 0,
  async run(ctx): Promise<PartResult> {
    const { opt, say } = ctx;
    const vm = await ctx.victoria();
    const crates = opt.parallelCrates;
    const writerRounds = opt.quick ? 8 : 24;
    say(`[4]   ${writerRounds} rounds of ${crates} full crates (${writerRounds * crates * SLOTS * (CHANNELS + 1)} lines per run) into VictoriaMetrics, batches of 5000 lines...`);
    const w = await measureWriter({ url: vm.url, rounds: writerRounds, crates, batchLines: 5000, repeats: opt.quick ? 1 : 3 });
    for (const r of w.runs) {
      say(`      ${r.method.padEnd(8)} ${fmt(r.linesPerSecond, 0).padStart(7)} lines/s (${r.lines} lines in ${fmt(r.seconds, 2)} s, ${r.requests} requests; VictoriaMetrics holds ${r.storedVMon}/${r.expectedVMon} VMon samples)`);
    }
    const load = crates * SLOTS * (CHANNELS + 1);
    say(`      median: writer ${fmt(w.writerMean, 0)}, raw ${fmt(w.rawMean, 0)}, raw gzip ${fmt(w.rawGzipMean, 0)} lines/s; ${crates} full crates at 1 Hz make ${load} lines/s`);
    const details = [
      ['4', 'lines per run / bytes per line / batch', `${w.linesPerRun} / ${fmt(w.bytesPerLine, 0)} / ${w.batchLines} lines`],
      ['4', `headroom: writer lines/s ÷ what ${crates} full crates make at 1 Hz (${load} lines/s)`, `${fmt(w.writerMean / load, 1)} ×`],
      ...w.runs.map((r) => ['4', r.method, `${fmt(r.linesPerSecond, 0)} lines/s (${fmt(r.seconds, 2)} s, ${r.requests} requests, ${r.storedVMon}/${r.expectedVMon} VMon samples stored)`]),
    ];
    return {
      rows: [
        { part: '4', figure: 'writer lines/s (Writer, spool, v2 sink)', measured: w.writerMean, ideal: w.rawMean, unit: '/s', idealIs: 'raw POST of the same lines (fetch), same batch', digits: 0 },
        { part: '4', figure: 'writer lines/s vs gzip raw POST', measured: w.writerMean, ideal: w.rawGzipMean, unit: '/s', idealIs: 'raw POST, gzip body (as the writer sends)', digits: 0 },
      ],
      details,
    };
  },
};
