// The file sink's bounded memory backlog: what the bound drops (count, bytes, which lines) and that
// peek/ack keep the order across drops and compaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBacklog } from '../../src/writer/backlog.js';

const line = (k: number) => `m v=${k} ${k}`; // 'm v=K K': 8 + 2 × digits bytes, plus the newline
const bytesOf = (ls: string[]) => ls.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);

test('over the bound the oldest lines are dropped: count, bytes and the order of what is left', () => {
  const drops: [number, number][] = [];
  const lines = Array.from({ length: 10 }, (_, k) => line(k)); // 8 bytes each ('m v=0 0' and the newline)
  const b = new MemoryBacklog(bytesOf(lines.slice(0, 4)), (n, bytes) => drops.push([n, bytes]));
  b.append(lines.slice(0, 3));
  assert.deepEqual(drops, []);
  b.append(lines.slice(3, 10));
  assert.deepEqual(drops, [[6, bytesOf(lines.slice(0, 6))]], 'one report for the append: the 6 oldest lines');
  assert.equal(b.lines, 4);
  assert.equal(b.bytes, bytesOf(lines.slice(6)));
  assert.deepEqual(b.peek(100)?.lines, lines.slice(6));
});

test('a batch partly dropped while in flight: ack releases only what is left of it; order kept', () => {
  const drops: number[] = [];
  const all = Array.from({ length: 30 }, (_, k) => line(100 + k)); // 12 bytes each
  const b = new MemoryBacklog(12 * 20, (n) => drops.push(n));
  b.append(all.slice(0, 20));
  const batch = b.peek(10)!;
  assert.deepEqual(batch.lines, all.slice(0, 10));
  b.append(all.slice(20, 25)); // the 5 oldest (inside the batch) are dropped
  assert.deepEqual(drops, [5]);
  b.ack(batch); // releases the other 5 of the batch
  assert.equal(b.lines, 15);
  assert.deepEqual(b.peek(100)?.lines, all.slice(10, 25));
  b.ack(batch); // twice: nothing more
  assert.equal(b.lines, 15);
});

test('many drops and acks (past the compaction threshold): every line is either delivered in order or counted as dropped', () => {
  let dropped = 0;
  const b = new MemoryBacklog(13 * 1000, (n) => (dropped += n)); // ~ 720 lines of 18 bytes
  const delivered: string[] = [];
  let next = 100_000;
  for (let round = 0; round < 200; round++) {
    b.append(Array.from({ length: 700 }, () => line(next++)));
    const batch = b.peek(300);
    if (batch) {
      delivered.push(...batch.lines);
      b.ack(batch);
    }
  }
  for (let batch = b.peek(500); batch; batch = b.peek(500)) {
    delivered.push(...batch.lines);
    b.ack(batch);
  }
  assert.equal(b.lines, 0);
  assert.equal(b.bytes, 0);
  assert.equal(delivered.length + dropped, 200 * 700);
  const values = delivered.map((l) => Number(l.split(' ')[2]));
  for (let k = 1; k < values.length; k++) assert.ok(values[k] > values[k - 1], `in order at ${k}`);
  assert.equal(values[values.length - 1], next - 1, 'the newest line is delivered');
});
