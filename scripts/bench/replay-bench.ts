// Part 7: the spool's replay rate after an outage against the live rate. A live load of N full crates
// at 1 Hz (a round of synthetic scans every second, structured clones as the workers send them) goes
// through the real Writer (dedup, line protocol, fsync'd spool, gzip, the v2 sink) into VictoriaMetrics
// behind a TCP proxy. The proxy refuses connections for a while (the database down: the lines pile up
// in the spool), then lets them through again: the backlog is replayed while the live load goes on.
// Replay rate: lines acknowledged per second from the first write after the outage until the backlog is
// caught up; the first batch is left out of both (its request also holds whatever delay the first
// connection after the outage had: up to 2 s in our runs). Then
// VictoriaMetrics must hold every VMon sample of every round (counted as distinct series and timestamp:
// the batch in flight when the connections were cut may have been stored and is sent again, and
// VictoriaMetrics keeps such duplicates as samples of their own).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '../../src/config/secret.js';
import type { SinkStatus } from '../../src/protocol.js';
import type { DedupPolicy } from '../../src/writer/dedup.js';
import { Writer } from '../../src/writer/writer.js';
import { startTcpProxy } from '../../test/helpers/tcp-proxy.js';
import { CHANNELS, SLOTS } from './fixtures.js';
import { benchSetups, roundMessages } from './points-fixture.js';
import { sleep } from './stats.js';
import { countSamples } from './victoria-count.js';

export interface ReplayBenchOptions {
  /** VictoriaMetrics, e.g. http://127.0.0.1:8428 */
  url: string;
  crates: number;
  /** live seconds before the outage */
  beforeSeconds: number;
  /** seconds the database refuses connections */
  outageSeconds: number;
  /** longest wait for the backlog to be caught up after the outage */
  catchUpTimeoutSeconds: number;
}

export interface ReplayBenchResult {
  crates: number;
  linesPerRound: number;
  /** lines accepted per second by the live load, over the whole run */
  liveLinesPerSecond: number;
  /** lines in the spool when the database came back */
  backlogLines: number;
  outageSeconds: number;
  /** seconds from the database's return to the first acknowledged write (the wait for the next attempt and one request) */
  firstWriteSeconds: number;
  /** lines acknowledged after the first write until caught up, and how long that took */
  replayLines: number;
  replaySeconds: number;
  replayLinesPerSecond: number;
  rounds: number;
  storedVMon: number;
  expectedVMon: number;
  droppedLines: number;
}

const SINK = 'vm';

export async function measureReplay(o: ReplayBenchOptions): Promise<ReplayBenchResult> {
  const vm = new URL(o.url);
  const proxy = await startTcpProxy({ host: vm.hostname, port: Number(vm.port) });
  const dir = mkdtempSync(join(tmpdir(), 'gemcaen-bench-replay-'));
  const setups = benchSetups(o.crates, SINK);
  // every field is written every round (a heartbeat below the 1 s between rounds): the live rate is the full load
  const policies: Record<string, DedupPolicy> = Object.fromEntries(setups.map((s) => [s.name, { heartbeatSeconds: 0.001, deadbands: {} }]));
  const problems: string[] = [];
  const writer = new Writer({
    sinks: [{ kind: 'influx-v2', id: SINK, url: `http://${proxy.address}`, token: new Secret('bench-token'), org: 'bench', bucket: 'bench' }],
    policies,
    // the daemon's defaults (gemcaen.schema.json), except a short back-off (0.1 s doubling to 0.2 s) so
    // the bench is bounded: the replay starts soon after the database is back
    settings: { spoolDirectory: dir, spoolMaxBytes: 1024 * 2 ** 20, batchMaxLines: 5000, batchMaxMs: 1000, backoff: { initialMs: 100, maxMs: 200 } },
    log: (level, message) => {
      if (level === 'error') problems.push(message);
    },
  });
  await writer.start();
  const status = (): SinkStatus => writer.status()[0] as SinkStatus;
  const t0 = Date.now();
  const firstRoundMs = Math.ceil(t0 / 1000) * 1000;
  let rounds = 0;
  let accepted = 0;
  let live = true;
  // one round per second, timestamps of the round's own second (as the pollers stamp their reads)
  const liveLoop = (async () => {
    while (live) {
      const at = firstRoundMs + rounds * 1000;
      const wait = at - Date.now();
      if (wait > 0) await sleep(wait);
      if (!live) break;
      for (const m of roundMessages(setups, at, rounds)) {
        const clone = structuredClone(m);
        writer.accept(clone);
        accepted += clone.points.length;
      }
      rounds++;
    }
  })();
  const linesPerRound = setups.length * (CHANNELS + 1);
  try {
    await sleep(o.beforeSeconds * 1000);
    proxy.cut();
    await sleep(o.outageSeconds * 1000);
    const backlogLines = status().spooledLines;
    const restoredAt = performance.now();
    proxy.restore();
    const writtenBefore = status().writtenLines;
    const deadline = restoredAt + o.catchUpTimeoutSeconds * 1000;
    // the first acknowledged write after the outage
    let firstAt = 0;
    let firstWritten = 0;
    for (;;) {
      const s = status();
      if (s.writtenLines > writtenBefore) {
        firstAt = performance.now();
        firstWritten = s.writtenLines;
        break;
      }
      if (performance.now() > deadline) throw new Error(`bench: nothing written within ${o.catchUpTimeoutSeconds} s after the outage (${s.state}: ${s.lastError ?? ''})`);
      await sleep(5);
    }
    // caught up: no more than one round's lines waiting (the live batch being gathered)
    let caughtAt = 0;
    let caughtWritten = 0;
    for (;;) {
      const s = status();
      if (s.spooledLines <= linesPerRound) {
        caughtAt = performance.now();
        caughtWritten = s.writtenLines;
        break;
      }
      if (performance.now() > deadline) throw new Error(`bench: backlog not caught up within ${o.catchUpTimeoutSeconds} s (${s.spooledLines} lines left)`);
      await sleep(5);
    }
    live = false;
    await liveLoop;
    await writer.flush();
    const end = status();
    if (end.spooledLines !== 0 || end.state !== 'ok') throw new Error(`bench: writer left ${end.spooledLines} lines (state ${end.state}) ${problems.join('; ')}`);
    const liveSeconds = (Date.now() - t0) / 1000;
    const expectedVMon = rounds * setups.length * CHANNELS;
    const storedVMon = await countSamples(o.url, '{__name__="CAEN_Board_Monitor_VMon"}', firstRoundMs, firstRoundMs + (rounds - 1) * 1000, expectedVMon, { distinct: true });
    // a backlog the first request took whole: counted from the database's return instead
    const from = caughtWritten > firstWritten ? { at: firstAt, written: firstWritten } : { at: restoredAt, written: writtenBefore };
    const replaySeconds = (caughtAt - from.at) / 1000;
    return {
      crates: o.crates,
      linesPerRound,
      liveLinesPerSecond: accepted / liveSeconds,
      backlogLines,
      outageSeconds: o.outageSeconds,
      firstWriteSeconds: (firstAt - restoredAt) / 1000,
      replayLines: caughtWritten - from.written,
      replaySeconds,
      replayLinesPerSecond: (caughtWritten - from.written) / replaySeconds,
      rounds,
      storedVMon,
      expectedVMon,
      droppedLines: end.droppedLines,
    };
  } finally {
    live = false;
    await liveLoop.catch(() => undefined);
    await writer.stop(5000);
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
