// Counting what VictoriaMetrics stored: samples of one metric in a time range (/api/v1/export).
import { sleep } from './stats.js';

/**
 * Samples of `match` in [startMs, endMs]; `distinct`: distinct (series, timestamp) pairs, for runs where a
 * batch may be stored twice (the one in flight when a connection is cut is sent again).
 */
async function countOnce(url: string, match: string, startMs: number, endMs: number, distinct: boolean): Promise<number> {
  await fetch(`${url}/internal/force_flush`);
  const body = new URLSearchParams({ 'match[]': match, start: String(startMs / 1000), end: String(endMs / 1000) });
  const r = await fetch(`${url}/api/v1/export`, { method: 'POST', body });
  if (!r.ok) throw new Error(`bench: victoria export ${match}: HTTP ${r.status} ${await r.text()}`);
  let n = 0;
  for (const line of (await r.text()).split('\n')) {
    if (line.trim() === '') continue;
    const series = JSON.parse(line) as { values: unknown[]; timestamps: number[] };
    n += distinct ? new Set(series.timestamps).size : series.values.length;
  }
  return n;
}

/** Samples of `match` in [startMs, endMs], polled until `expected` shows up or `timeoutMs` passes. */
export async function countSamples(url: string, match: string, startMs: number, endMs: number, expected: number, opts: { timeoutMs?: number; distinct?: boolean } = {}): Promise<number> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    const n = await countOnce(url, match, startMs, endMs, opts.distinct ?? false);
    if (n >= expected || Date.now() > deadline) return n;
    await sleep(250);
  }
}
