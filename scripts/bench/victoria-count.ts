// Counting what VictoriaMetrics stored: samples of one metric in a time range (/api/v1/export).
import { sleep } from './stats.js';

async function countOnce(url: string, match: string, startMs: number, endMs: number): Promise<number> {
  await fetch(`${url}/internal/force_flush`);
  const body = new URLSearchParams({ 'match[]': match, start: String(startMs / 1000), end: String(endMs / 1000) });
  const r = await fetch(`${url}/api/v1/export`, { method: 'POST', body });
  if (!r.ok) throw new Error(`bench: victoria export ${match}: HTTP ${r.status} ${await r.text()}`);
  let n = 0;
  for (const line of (await r.text()).split('\n')) {
    if (line.trim() === '') continue;
    n += (JSON.parse(line) as { values: unknown[] }).values.length;
  }
  return n;
}

/** Samples of `match` in [startMs, endMs], polled until `expected` shows up or `timeoutMs` passes. */
export async function countSamples(url: string, match: string, startMs: number, endMs: number, expected: number, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await countOnce(url, match, startMs, endMs);
    if (n >= expected || Date.now() > deadline) return n;
    await sleep(250);
  }
}
