// Part 4: lines per second into VictoriaMetrics through the real Writer (the compact readings the
// workers send, dedup, line protocol, durable spool with fsync, the v2 sink over the official client's
// transport, gzip) against raw POSTs of the same line protocol with node's fetch, same batch size. Each
// run writes its own time range of the same series (the series exist already: VictoriaMetrics' cost of
// new series is left out of both).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Secret } from '../../src/config/secret.js';
import type { PointsMessage, ReadingsMessage } from '../../src/protocol.js';
import type { DedupPolicy } from '../../src/writer/dedup.js';
import { toLine } from '../../src/writer/line-protocol.js';
import { Writer } from '../../src/writer/writer.js';
import { CHANNELS, SLOTS } from './fixtures.js';
import { benchSetups, roundMessages, roundReadingsMessages } from './points-fixture.js';
import { median } from './stats.js';
import { countSamples } from './victoria-count.js';

export type WriteMethod = 'writer' | 'raw' | 'raw-gzip';

export interface WriteRun {
  method: WriteMethod;
  lines: number;
  seconds: number;
  linesPerSecond: number;
  requests: number;
  /** VMon samples VictoriaMetrics holds for the run's time range, and how many were sent */
  storedVMon: number;
  expectedVMon: number;
}

export interface WriterBenchResult {
  batchLines: number;
  linesPerRun: number;
  bytesPerLine: number;
  runs: WriteRun[];
  /** median lines/s over the repeats */
  writerMean: number;
  rawMean: number;
  rawGzipMean: number;
}

const SINK = 'vm';
const WRITE_PATH = '/api/v2/write?org=bench&bucket=bench&precision=ms';

interface RunPlan {
  method: WriteMethod;
  startMs: number;
  /** the points of each round (the raw POSTs' lines) */
  messages: PointsMessage[][];
  /** the writer's input: the same rounds as the workers send them (compact, the layout with the first) */
  readings: ReadingsMessage[][];
}

function plan(method: WriteMethod, startMs: number, rounds: number, crates: number): RunPlan {
  const setups = benchSetups(crates, SINK);
  const messages: PointsMessage[][] = [];
  const readings: ReadingsMessage[][] = [];
  for (let r = 0; r < rounds; r++) {
    messages.push(roundMessages(setups, startMs + r * 1000, r));
    // structured clones, as they arrive from the workers through a MessagePort
    if (method === 'writer') readings.push(roundReadingsMessages(setups, startMs + r * 1000, r, r === 0).map((m) => structuredClone(m)));
  }
  return { method, startMs, messages, readings };
}

function linesOf(p: RunPlan): string[] {
  const out: string[] = [];
  for (const round of p.messages) for (const m of round) for (const pt of m.points) out.push(toLine(pt)!);
  return out;
}

async function post(url: string, lines: readonly string[], gzip: boolean): Promise<void> {
  const text = lines.join('\n');
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8', authorization: 'Token bench-token' };
  if (gzip) headers['content-encoding'] = 'gzip';
  const r = await fetch(url + WRITE_PATH, { method: 'POST', headers, body: gzip ? gzipSync(text) : text });
  if (r.status !== 204) throw new Error(`bench: raw POST answered ${r.status}: ${await r.text()}`);
}

async function runRaw(url: string, p: RunPlan, batchLines: number, gzip: boolean): Promise<{ seconds: number; lines: number; requests: number }> {
  const lines = linesOf(p);
  const t0 = performance.now();
  let requests = 0;
  for (let i = 0; i < lines.length; i += batchLines) {
    await post(url, lines.slice(i, i + batchLines), gzip);
    requests++;
  }
  return { seconds: (performance.now() - t0) / 1000, lines: lines.length, requests };
}

async function runWriter(url: string, p: RunPlan, batchLines: number, policies: Record<string, DedupPolicy>): Promise<{ seconds: number; lines: number; requests: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'gemcaen-bench-writer-'));
  const problems: string[] = [];
  const writer = new Writer({
    sinks: [{ kind: 'influx-v2', id: SINK, url, token: new Secret('bench-token'), org: 'bench', bucket: 'bench' }],
    policies,
    settings: { spoolDirectory: dir, spoolMaxBytes: 512 * 2 ** 20, batchMaxLines: batchLines, batchMaxMs: 1000, replayBatchLines: batchLines },
    log: (level, message) => {
      if (level === 'error' || level === 'warn') problems.push(message);
    },
  });
  await writer.start();
  try {
    const expected = p.messages.reduce((a, round) => a + round.reduce((b, m) => b + m.points.length, 0), 0);
    const port = {}; // the channel the readings come by (a worker's port in the daemon)
    const t0 = performance.now();
    for (const round of p.readings) {
      for (const m of round) writer.acceptReadings(m, port);
      // let the sender run between rounds, as it does between the workers' messages
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writer.flush();
    const seconds = (performance.now() - t0) / 1000;
    const status = writer.status()[0];
    if (status.writtenLines !== expected || status.state !== 'ok')
      throw new Error(`bench: writer wrote ${status.writtenLines} of ${expected} lines (state ${status.state}) ${problems.join('; ')}`);
    return { seconds, lines: status.writtenLines, requests: status.requests };
  } finally {
    await writer.stop(5000);
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface WriterBenchOptions {
  url: string;
  /** rounds of 8 full crates (3200 lines each) per run */
  rounds: number;
  crates: number;
  batchLines: number;
  /** runs of each method, alternating */
  repeats: number;
}

export async function measureWriter(o: WriterBenchOptions): Promise<WriterBenchResult> {
  const setups = benchSetups(o.crates, SINK);
  // every field passes dedup: a heartbeat shorter than the 1 s between rounds
  const policies: Record<string, DedupPolicy> = Object.fromEntries(setups.map((s) => [s.name, { heartbeatSeconds: 0.001, deadbands: {} }]));
  const seriesPerRound = o.crates * SLOTS * CHANNELS;
  // time ranges in the past, one per run, after a warm-up round that creates the series
  const runMs = (o.rounds + 10) * 1000;
  const t0 = Date.now() - 3600_000;
  // warm-up (not timed): creates the series and lets VictoriaMetrics settle, as a full-size raw run
  const warm = plan('raw', t0, o.rounds, o.crates);
  await runRaw(o.url, warm, o.batchLines, false);
  const methods: WriteMethod[] = [];
  for (let i = 0; i < o.repeats; i++) methods.push('writer', 'raw', 'raw-gzip');
  const runs: WriteRun[] = [];
  let bytesPerLine = 0;
  for (const [i, method] of methods.entries()) {
    const p = plan(method, t0 + (i + 1) * runMs, o.rounds, o.crates);
    if (i === 0) {
      const lines = linesOf(p);
      bytesPerLine = lines.reduce((a, l) => a + l.length + 1, 0) / lines.length;
    }
    const r = method === 'writer' ? await runWriter(o.url, p, o.batchLines, policies) : await runRaw(o.url, p, o.batchLines, method === 'raw-gzip');
    const expectedVMon = seriesPerRound * o.rounds;
    const storedVMon = await countSamples(o.url, '{__name__="CAEN_Board_Monitor_VMon"}', p.startMs, p.startMs + o.rounds * 1000, expectedVMon);
    runs.push({ method, lines: r.lines, seconds: r.seconds, linesPerSecond: r.lines / r.seconds, requests: r.requests, storedVMon, expectedVMon });
  }
  const rate = (m: WriteMethod) => median(runs.filter((r) => r.method === m).map((r) => r.linesPerSecond));
  return {
    batchLines: o.batchLines,
    linesPerRun: runs[0]?.lines ?? 0,
    bytesPerLine,
    runs,
    writerMean: rate('writer'),
    rawMean: rate('raw'),
    rawGzipMean: rate('raw-gzip'),
  };
}
