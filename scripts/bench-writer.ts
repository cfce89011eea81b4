// Writer throughput into a real VictoriaMetrics: the full writer (dedup, line protocol, fsync'd spool,
// official client transport, acknowledgement) against a raw POST of the same line protocol.
// Usage: npm run build && node dist/scripts/bench-writer.js [lines=200000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Secret } from '../src/config/secret.js';
import type { Point } from '../src/protocol.js';
import { toLine } from '../src/writer/line-protocol.js';
import { Writer } from '../src/writer/writer.js';
import { startVictoria } from '../test/helpers/victoria.js';

export interface WriterBenchResult {
  lines: number;
  rawLinesPerSecond: number;
  writerLinesPerSecond: number;
  /** writer / raw */
  ratio: number;
  writerRequests: number;
}

function makePoints(n: number, offset: number): Point[] {
  const t0 = Date.now() - 3_600_000;
  const out: Point[] = [];
  for (let k = 0; k < n; k++) {
    const ch = k % 500;
    out.push({
      measurement: 'bench',
      tags: { ChannelName: `ch${ch}`, Board: 'A1515', run: String(offset) },
      fields: { VMon: { type: 'float', value: 700 + k * 0.01 }, IMon: { type: 'float', value: k * 0.001 }, Status: { type: 'int', value: k % 7 } },
      timeMs: t0 + Math.floor(k / 500) * 1000 + offset,
    });
  }
  return out;
}

/** Measures both paths against a VictoriaMetrics at `url` (or a temporary one). */
export async function benchWriter(lines = 200_000, url?: string): Promise<WriterBenchResult> {
  const vm = url ? undefined : await startVictoria();
  const target = url ?? vm!.url;
  const spool = mkdtempSync(join(tmpdir(), 'gemcaen-bench-'));
  try {
    // raw: the same kind of lines, 5000 per POST, one request at a time
    const rawLines = makePoints(lines, 1).map((p) => toLine(p) as string);
    let t = performance.now();
    for (let k = 0; k < rawLines.length; k += 5000) {
      const r = await fetch(`${target}/api/v2/write?org=o&bucket=b&precision=ms`, { method: 'POST', body: rawLines.slice(k, k + 5000).join('\n') });
      if (r.status !== 204) throw new Error(`raw POST: ${r.status}`);
    }
    const rawSecs = (performance.now() - t) / 1000;

    const w = new Writer({
      sinks: [{ kind: 'influx-v2', id: 'bench', url: target, token: new Secret('bench'), org: 'o', bucket: 'b' }],
      policies: {},
      settings: { spoolDirectory: spool, spoolMaxBytes: 1 << 30, batchMaxLines: 5000, batchMaxMs: 1000 },
      log: () => undefined,
    });
    await w.start();
    const points = makePoints(lines, 2);
    t = performance.now();
    for (let k = 0; k < points.length; k += 500) w.accept({ type: 'points', setup: 'bench', sink: 'bench', points: points.slice(k, k + 500) });
    await w.flush();
    while (w.status()[0].spooledLines > 0) await sleep(5);
    const writerSecs = (performance.now() - t) / 1000;
    const st = w.status()[0];
    await w.stop(5000);
    const raw = lines / rawSecs;
    const writer = st.writtenLines / writerSecs;
    return { lines, rawLinesPerSecond: Math.round(raw), writerLinesPerSecond: Math.round(writer), ratio: Number((writer / raw).toFixed(2)), writerRequests: st.requests };
  } finally {
    rmSync(spool, { recursive: true, force: true });
    await vm?.dispose();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const n = Number(process.argv[2] ?? 200_000);
  const r = await benchWriter(n);
  console.log(`writer bench, ${r.lines} lines (3 fields each) into VictoriaMetrics:`);
  console.log(`  raw POST, 5000 lines/request : ${r.rawLinesPerSecond} lines/s`);
  console.log(`  Writer (dedup+spool+client)  : ${r.writerLinesPerSecond} lines/s in ${r.writerRequests} requests`);
  console.log(`  ratio writer/raw             : ${r.ratio}`);
}
