// Part 7: the spool's replay rate after a database outage against the live rate of N full crates at 1 Hz.
import type { BenchPart, PartResult } from '../part.js';
import { measureReplay } from '../replay-bench.js';
import { fmt } from '../stats.js';

export const replayPart: BenchPart = {
  ids: ['7'],
  title: 'spool replay rate after a database outage vs the live rate (Writer, N full crates at 1 Hz)',
  crates: () => 0,
  async run(ctx): Promise<PartResult> {
    const { opt, say } = ctx;
    const vm = await ctx.victoria();
    const crates = opt.daemonCrates;
    const outageSeconds = opt.quick ? 10 : 30;
    say(`[7]   ${crates} full crates at 1 Hz through the Writer into VictoriaMetrics behind a proxy refusing connections for ${outageSeconds} s, then the backlog replayed...`);
    const r = await measureReplay({ url: vm.url, crates, beforeSeconds: opt.quick ? 2 : 5, outageSeconds, catchUpTimeoutSeconds: 120 });
    say(`      live ${fmt(r.liveLinesPerSecond, 0)} lines/s (${r.linesPerRound} per round, ${r.rounds} rounds); backlog after ${r.outageSeconds} s: ${r.backlogLines} lines`);
    say(`      replay ${fmt(r.replayLinesPerSecond, 0)} lines/s (${r.replayLines} lines in ${fmt(r.replaySeconds, 2)} s after the first write, which came ${fmt(r.firstWriteSeconds, 2)} s after the database was back); VictoriaMetrics holds ${r.storedVMon}/${r.expectedVMon} VMon samples (distinct series and time), ${r.droppedLines} lines dropped`);
    return {
      rows: [
        { part: '7', figure: 'spool replay vs live rate', measured: r.replayLinesPerSecond, ideal: r.liveLinesPerSecond, unit: '/s', idealIs: `live lines/s of ${crates} full crates at 1 Hz (goal: ratio ≥ 20)`, digits: 0 },
      ],
      details: [
        ['7', `backlog after a ${r.outageSeconds} s outage`, `${r.backlogLines} lines`],
        ['7', 'replay', `${fmt(r.replayLinesPerSecond, 0)} lines/s (${r.replayLines} lines in ${fmt(r.replaySeconds, 2)} s after the first write; that came ${fmt(r.firstWriteSeconds, 2)} s after the return)`],
        ['7', 'VictoriaMetrics holds every line', `${r.storedVMon}/${r.expectedVMon} VMon samples (distinct series and time), ${r.droppedLines} dropped`],
      ],
    };
  },
};
