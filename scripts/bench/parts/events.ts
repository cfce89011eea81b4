// Part 8 (issue 15): event mode against polling at HoldOffTime 1 s, side by side on one simulated full
// SY4527 (its own simulator, so the trips and set points it makes touch no other part's crates):
// the delay from a change in the crate to its point being acknowledged by VictoriaMetrics (median, 99th
// percentile), and the wrapper calls per hour each daemon costs the crate.
import { startSim } from '../../../test/helpers/sim.js';
import { crateName, cratesYaml } from '../fixtures.js';
import { measureEventMode, type CallFigures, type DaemonFigures, type DelayFigures } from '../event-bench.js';
import type { BenchPart, PartResult } from '../part.js';
import type { RatioRow } from '../report.js';
import { fmt } from '../stats.js';

/** the goal of issue 15 for event mode, change → database */
const GOAL_MS = 100;
/** BatchMaxMilliseconds of the third daemon (event mode with a short writer batch) */
const FAST_BATCH_MS = 20;

function delayText(d: DelayFigures): string {
  return `${fmt(d.medianMs, 0)} / ${fmt(d.p99Ms, 0)} / ${fmt(d.maxMs, 0)} ms`;
}

function callsText(c: CallFigures): string {
  const fns = Object.entries(c.byFunction)
    .sort((a, b) => b[1] - a[1])
    .map(([f, n]) => `${f.replace('CAENHV_', '')} ${n}`);
  if (c.eventBatches > 0) fns.push(`GetEventData ${c.eventBatches} (one per batch the crate sent)`);
  return `${c.calls} in ${fmt(c.seconds, 0)} s = ${fmt(c.perHour, 0)}/h: ${fns.join(', ') || 'none'}`;
}

export const eventsPart: BenchPart = {
  ids: ['8'],
  title: 'event mode vs polling: change → database delay, wrapper calls per hour (one full crate)',
  crates: () => 0,
  async run(ctx): Promise<PartResult> {
    const { opt, say } = ctx;
    const windowSeconds = opt.quick ? 20 : 60;
    const vm = await ctx.victoria();
    say(`[8]   event mode vs polling on one full crate (own simulator): 3 daemons side by side, a ${windowSeconds} s quiet window and a ${windowSeconds} s window of changes...`);
    const sim = await startSim({ cratesYaml: cratesYaml(1), timeoutMs: 30_000 });
    ctx.onCleanup(() => sim.stop()); // also when the part fails
    await sim.control.latency(opt.latencyMs);
    const r = await measureEventMode({
      cli: opt.cli,
      control: sim.control,
      address: sim.crates[crateName(0)],
      library: sim.libraryPath,
      victoriaUrl: vm.url,
      windowSeconds,
      quietSeconds: windowSeconds,
      reconcileSeconds: windowSeconds,
      fastBatchMs: FAST_BATCH_MS,
      gapMs: [150, 650],
      tripShare: 0.2,
      seed: 15,
      say,
    });
    await sim.stop();
    const [poll, ev, fast] = r.daemons as [DaemonFigures, DaemonFigures, DaemonFigures];
    for (const d of r.daemons) {
      say(`      ${d.spec.label.padEnd(34)} change → database ${delayText(d.delay)} (median / p99 / max, ${d.delay.n} changes, ${d.missed} missed); calls/h ${fmt(d.quiet.perHour, 0)} quiet, ${fmt(d.busy.perHour, 0)} with changes`);
    }
    say(`      event mode: ${ev.reconciles + fast.reconciles} reconcile polls, ${ev.differences + fast.differences} values differed from the events, ${ev.fallbacks + fast.fallbacks} fallbacks to polling`);

    const delayRow = (d: DaemonFigures, which: 'median' | 'p99'): RatioRow => ({
      part: '8',
      figure: `change → database, ${d.spec.label}, ${which}`,
      measured: which === 'median' ? d.delay.medianMs : d.delay.p99Ms,
      ideal: GOAL_MS,
      unit: 'ms',
      idealIs: `goal of event mode (issue 15); ${d.delay.n} changes`,
      digits: 0,
    });
    const rows: RatioRow[] = [
      delayRow(fast, 'median'),
      delayRow(fast, 'p99'),
      delayRow(ev, 'median'),
      delayRow(ev, 'p99'),
      delayRow(poll, 'median'),
      delayRow(poll, 'p99'),
      { part: '8', figure: 'wrapper calls per hour, event mode, quiet crate', measured: ev.quiet.perHour, ideal: poll.quiet.perHour, unit: '/h', idealIs: 'polling at HoldOffTime 1 s, same window (goal: ratio < 0.05)', digits: 0 },
      { part: '8', figure: `wrapper calls per hour, event mode, ${fmt(r.changes / r.windowSeconds, 1)} changes/s`, measured: ev.busy.perHour, ideal: poll.busy.perHour, unit: '/h', idealIs: 'polling at HoldOffTime 1 s, same window (goal: ratio < 0.05)', digits: 0 },
    ];
    const details: string[][] = [
      ['8', 'changes (window of changes)', `${r.changes} in ${fmt(r.windowSeconds, 0)} s at random times: ${r.changes - r.trips} I0Set sets by another client (control API), ${r.trips} trips; control request ${fmt(r.controlMedianMs, 1)} ms median (delays count from its start)`],
    ];
    for (const d of r.daemons) {
      const tag = d.spec.label;
      details.push(['8', `${tag}: change → acknowledged by VictoriaMetrics, median / p99 / max`, `${delayText(d.delay)}; sets ${delayText(d.byKind.set)}, trips ${delayText(d.byKind.trip)}; ${d.missed} missed`]);
      details.push(['8', `${tag}: change → the point's own timestamp (reading taken), median / p99`, `${fmt(d.reading.medianMs, 0)} / ${fmt(d.reading.p99Ms, 0)} ms (ms resolution, wall clock)`]);
      details.push(['8', `${tag}: change → write arrived at the forwarder, median / p99`, `${fmt(d.arrival.medianMs, 0)} / ${fmt(d.arrival.p99Ms, 0)} ms`]);
      details.push(['8', `${tag}: wrapper calls, quiet window`, callsText(d.quiet)]);
      details.push(['8', `${tag}: wrapper calls, window of changes`, callsText(d.busy)]);
      if (d.spec.events) details.push(['8', `${tag}: event mode`, `mode ${d.mode} at the end; ${d.reconciles} reconcile polls (every ${r.reconcileSeconds} s per setup), ${d.differences} values differed, ${d.fallbacks} fallbacks; ${d.quiet.eventRecords.parameter + d.busy.eventRecords.parameter} PARAMETER and ${d.quiet.eventRecords.keepalive + d.busy.eventRecords.keepalive} KEEPALIVE records received; SIGTERM exit ${d.exitCode}`]);
      else details.push(['8', `${tag}: SIGTERM exit`, String(d.exitCode)]);
      for (const w of d.warnings.slice(0, 3)) details.push(['8', `${tag}: warning`, w]);
    }
    return { rows, details };
  },
};
