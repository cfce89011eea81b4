import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, readdirSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Spool, fsyncDirectory } from '../../src/writer/spool.js';
import { tempDir } from './util.js';

const lines = (from: number, n: number) => Array.from({ length: n }, (_, k) => `m v=${from + k} ${from + k}`);

test('appended lines come back in order in batches, are released by ack, and survive a reopen', (t) => {
  const dir = tempDir(t);
  const drops: number[] = [];
  let s = new Spool({ directory: dir, maxBytes: 1 << 20, segmentBytes: 200, onDrop: (n) => drops.push(n) });
  s.append(lines(0, 10));
  s.append(lines(10, 10));
  assert.equal(s.lines, 20);
  const b1 = s.peek(7);
  assert.deepEqual(b1?.lines, lines(0, 7));
  assert.deepEqual(s.peek(7)?.lines, lines(0, 7), 'peek does not consume');
  s.ack(b1!);
  assert.equal(s.lines, 13);
  s.close();
  s = new Spool({ directory: dir, maxBytes: 1 << 20, segmentBytes: 200, onDrop: (n) => drops.push(n) });
  assert.equal(s.lines, 13);
  const got: string[] = [];
  for (let b = s.peek(5); b; b = s.peek(5)) {
    got.push(...b.lines);
    s.ack(b);
  }
  assert.deepEqual(got, lines(7, 13));
  assert.equal(s.lines, 0);
  assert.equal(s.bytes, 0);
  s.append(lines(20, 2));
  assert.deepEqual(s.peek(10)?.lines, lines(20, 2));
  s.close();
  assert.deepEqual(drops, []);
});

test('a half-written last line (crash during append) is cut at reopen', (t) => {
  const dir = tempDir(t);
  let s = new Spool({ directory: dir, maxBytes: 1 << 20, onDrop: () => undefined });
  s.append(lines(0, 3));
  s.close();
  const seg = readdirSync(dir).find((n) => n.endsWith('.lp'))!;
  appendFileSync(join(dir, seg), 'm v=3 3'); // no newline: torn write
  s = new Spool({ directory: dir, maxBytes: 1 << 20, onDrop: () => undefined });
  assert.equal(s.lines, 3);
  assert.deepEqual(s.peek(10)?.lines, lines(0, 3));
  s.close();
});

test('over the bound the oldest segment is dropped and its unacknowledged lines counted', (t) => {
  const dir = tempDir(t);
  const drops: number[] = [];
  // each line is ~ 13 bytes; segments of 130 bytes hold 10 lines; bound 400 bytes → at most ~3 segments
  const s = new Spool({ directory: dir, maxBytes: 400, segmentBytes: 130, onDrop: (n) => drops.push(n) });
  for (let k = 0; k < 10; k++) s.append(lines(1000 + k * 10, 10));
  const total = drops.reduce((a, b) => a + b, 0);
  assert.ok(drops.length > 0);
  assert.equal(total + s.lines, 100, 'every line is either still spooled or counted as dropped');
  assert.ok(s.bytes <= 400);
  // what is left is the newest lines, in order
  const got: string[] = [];
  for (let b = s.peek(1000); b; b = s.peek(1000)) {
    got.push(...b.lines);
    s.ack(b);
  }
  assert.deepEqual(got, lines(1100 - got.length, got.length));
  s.close();
});

test('writer over a full spool (database unreachable): oldest lines dropped, counted in status and logged once per drop', async (t) => {
  const { makeWriter, msg, point, f, collectLogs } = await import('./util.js');
  const { Secret } = await import('../../src/config/secret.js');
  const dir = tempDir(t);
  const logs = collectLogs();
  const w = makeWriter([{ kind: 'influx-v2', id: 'dead', url: 'http://127.0.0.1:9', token: new Secret('x'), org: 'o', bucket: 'b' }], dir, {
    log: logs.log,
    settings: { spoolMaxBytes: 20_000, segmentBytes: 4_000, batchMaxLines: 100, backoff: { initialMs: 1000, maxMs: 1000 } },
  });
  await w.start();
  const N = 2000;
  for (let k = 0; k < N; k += 100)
    w.accept(msg('dead', Array.from({ length: 100 }, (_, j) => point({ ChannelName: 'x' }, { VMon: f(k + j) }, 1_700_000_000_000 + k + j))));
  await w.stop(100);
  const st = w.status()[0];
  assert.ok(st.droppedLines > 0);
  assert.equal(st.droppedLines + st.spooledLines, N, 'every line is either spooled or counted as dropped');
  assert.ok(st.spooledBytes <= 20_000);
  const warns = logs.lines.filter((l) => l.level === 'warn' && l.message.includes('spool full'));
  assert.ok(warns.length >= 1);
  assert.match(warns[warns.length - 1].message, new RegExp(`${st.droppedLines} dropped in total`));
});

test('the bound never drops the segment being written: a batch larger than the bound is kept until a newer one exists', (t) => {
  const dir = tempDir(t);
  const drops: number[] = [];
  const s = new Spool({ directory: dir, maxBytes: 100, onDrop: (n) => drops.push(n) });
  s.append(lines(0, 20)); // ~ 200 bytes, twice the bound
  assert.deepEqual(drops, [], 'the only segment holds the newest lines: kept');
  assert.equal(s.lines, 20);
  assert.deepEqual(s.peek(100)?.lines, lines(0, 20));
  s.append(lines(20, 2));
  assert.deepEqual(drops, [20], 'the older (complete) segment goes');
  assert.deepEqual(s.peek(100)?.lines, lines(20, 2));
  s.close();
});

test('with one large segment, the bound drops the older lines and always keeps the batch just appended', (t) => {
  const dir = tempDir(t);
  const drops: number[] = [];
  const s = new Spool({ directory: dir, maxBytes: 400, segmentBytes: 1 << 20, onDrop: (n) => drops.push(n) });
  for (let k = 0; k < 10; k++) {
    s.append(lines(1000 + k * 10, 10));
    assert.ok(s.bytes <= 400, `bound kept after append ${k}: ${s.bytes}`);
    assert.ok(s.lines >= 10, `the batch just appended is spooled (append ${k})`);
  }
  assert.equal(drops.reduce((a, b) => a + b, 0) + s.lines, 100, 'every line is either still spooled or counted as dropped');
  const got: string[] = [];
  for (let b = s.peek(1000); b; b = s.peek(1000)) {
    got.push(...b.lines);
    s.ack(b);
  }
  assert.deepEqual(got.slice(-10), lines(1090, 10), 'the newest batch is there');
  assert.deepEqual(got, lines(1100 - got.length, got.length), 'the newest lines, in order');
  s.close();
});

test('fsyncDirectory: a directory is fsync\'d (the spool does it after creating a segment and renaming acked.json)', (t) => {
  const dir = tempDir(t);
  fsyncDirectory(dir);
  assert.throws(() => fsyncDirectory(join(dir, 'missing')), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  const s = new Spool({ directory: join(dir, 'sp'), maxBytes: 1 << 20, onDrop: () => undefined });
  s.append(lines(0, 3));
  s.ack(s.peek(2)!);
  s.close();
  assert.deepEqual(readdirSync(join(dir, 'sp')).sort(), ['00000000000000000001.lp', 'acked.json']);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'sp', 'acked.json'), 'utf8')), { segment: 1, offset: Buffer.byteLength(lines(0, 2).join('\n') + '\n') });
});

test('a full disk (ENOSPC on a small tmpfs): the partial append is cut back and the next append follows whole lines', (t) => {
  const dir = tempDir(t);
  const mnt = join(dir, 'small');
  mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'ignore' });
  } catch {
    t.skip('needs root to mount a tmpfs');
    return;
  }
  const s = new Spool({ directory: join(mnt, 'sp'), maxBytes: 1 << 20, segmentBytes: 1 << 20, onDrop: () => undefined });
  try {
    fullDisk(mnt, s);
  } finally {
    s.close(); // the fd first, or the tmpfs is busy
    execFileSync('umount', [mnt]);
  }
});

function fullDisk(mnt: string, s: Spool): void {
  s.append(lines(0, 5));
  const filler = join(mnt, 'filler');
  let size = 0;
  try {
    for (;;) {
      appendFileSync(filler, Buffer.alloc(1024, 0x41));
      size += 1024;
    }
  } catch {
    // full now: leave 3 KiB free
  }
  truncateSync(filler, Math.max(0, size - 3 * 1024));
  const big = Array.from({ length: 1000 }, (_, k) => `m v=${k} ${k}`); // ~ 10 KB: partially written, then ENOSPC
  assert.throws(() => s.append(big), (e: NodeJS.ErrnoException) => e.code === 'ENOSPC');
  const seg = join(mnt, 'sp', '00000000000000000001.lp');
  assert.equal(readFileSync(seg, 'utf8'), lines(0, 5).join('\n') + '\n', 'no half line left in the segment');
  unlinkSync(filler);
  s.append(lines(5, 2));
  assert.equal(readFileSync(seg, 'utf8'), lines(0, 7).join('\n') + '\n');
  assert.deepEqual(s.peek(100)?.lines, lines(0, 7));
}

test('a batch is taken from memory at its first peek after the append (no read-back); a retry reads the file', (t) => {
  const dir = tempDir(t);
  const s = new Spool({ directory: dir, maxBytes: 1 << 20, onDrop: () => undefined });
  t.after(() => s.close());
  s.append(lines(0, 3));
  s.append(lines(3, 2));
  const [segment] = readdirSync(dir).filter((n) => n.endsWith('.lp'));
  assert.equal(readFileSync(join(dir, segment), 'utf8'), lines(0, 5).join('\n') + '\n', 'on disk before anything is peeked');
  unlinkSync(join(dir, segment)); // what a read-back would now fail on
  const b = s.peek(10);
  assert.deepEqual(b?.lines, lines(0, 5), 'both appends in one batch, from memory');
  assert.equal(b?.bytes, Buffer.byteLength(lines(0, 5).join('\n') + '\n'));
  assert.throws(() => s.peek(10), (e: NodeJS.ErrnoException) => e.code === 'ENOENT', 'the second peek (a retry) reads the file');
});

test('the memory batches stop at maxLines and follow the acknowledged position; what is not in memory is read from the file', (t) => {
  const dir = tempDir(t);
  const s = new Spool({ directory: dir, maxBytes: 1 << 20, onDrop: () => undefined });
  t.after(() => s.close());
  s.append(lines(0, 4));
  s.append(lines(4, 4));
  s.append(lines(8, 4));
  const b1 = s.peek(9)!;
  assert.deepEqual(b1.lines, lines(0, 8), 'whole appends up to maxLines');
  s.ack(b1);
  const b2 = s.peek(2)!;
  assert.deepEqual(b2.lines, lines(8, 2), 'an append larger than maxLines: read from the file');
  s.ack(b2);
  const b3 = s.peek(100)!;
  assert.deepEqual(b3.lines, lines(10, 2), 'from inside an append: the file');
  s.ack(b3);
  assert.equal(s.peek(100), undefined);
  assert.equal(s.lines, 0);
});

test('read back from the file: lines across read chunks (4 MiB) and multi-byte characters come back whole, batch ends exact', (t) => {
  const dir = tempDir(t);
  let s = new Spool({ directory: dir, maxBytes: 64 << 20, segmentBytes: 32 << 20, onDrop: () => undefined });
  const long = (k: number) => `m,t=µ${k} s="${'é'.repeat(200 + (k % 97))}" ${k}`;
  const all = Array.from({ length: 12_000 }, (_, k) => long(k));
  for (let k = 0; k < all.length; k += 1000) s.append(all.slice(k, k + 1000));
  s.close();
  s = new Spool({ directory: dir, maxBytes: 64 << 20, segmentBytes: 32 << 20, onDrop: () => undefined }); // nothing in memory
  t.after(() => s.close());
  const got: string[] = [];
  let bytes = 0;
  for (let b = s.peek(3001); b; b = s.peek(3001)) {
    got.push(...b.lines);
    bytes += b.bytes;
    assert.equal(b.bytes, Buffer.byteLength(b.lines.join('\n') + '\n'), 'bytes of the batch');
    s.ack(b);
  }
  assert.equal(got.length, all.length);
  assert.ok(got.every((l, k) => l === all[k]), 'every line whole and in order');
  assert.ok(bytes > 4 << 20, `more than one read chunk (${bytes} bytes)`);
  assert.equal(s.lines, 0);
});

test('read back: lines much longer than the segment mean take several reads and still come back whole', (t) => {
  const dir = tempDir(t);
  let s = new Spool({ directory: dir, maxBytes: 64 << 20, segmentBytes: 32 << 20, onDrop: () => undefined });
  const short = lines(0, 2000);
  const long = Array.from({ length: 5 }, (_, k) => `m,t=long${k} s="${'ü'.repeat(50_000 + k)}" ${k}`);
  s.append(short);
  s.append(long);
  s.close();
  s = new Spool({ directory: dir, maxBytes: 64 << 20, segmentBytes: 32 << 20, onDrop: () => undefined }); // nothing in memory
  t.after(() => s.close());
  const first = s.peek(2000)!;
  assert.deepEqual(first.lines, short);
  s.ack(first);
  const rest = s.peek(5)!; // about 500 KB where the segment's mean line is about 270 bytes
  assert.equal(rest.count, 5);
  assert.ok(rest.lines.every((l, k) => l === long[k]), 'every long line whole');
  assert.equal(rest.bytes, Buffer.byteLength(long.join('\n') + '\n'));
  s.ack(rest);
  assert.equal(s.lines, 0);
});
