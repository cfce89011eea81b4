// The durable spool of one sink: a write-ahead log of line-protocol lines on disk.
//
// Layout of <spoolDirectory>/<sink>/:
//   00000000000000000001.lp …  segments: lines appended (one fsync per batch) before they are sent
//   acked.json                 {"segment": n, "offset": bytes}: everything before this position was
//                              acknowledged by the database; written to a temp file, fsync'd, renamed
// A segment is deleted once it is acknowledged to its end. When the spool exceeds its bound the oldest
// segments are deleted (never the one being written) and their unacknowledged lines counted as dropped.
// The directory is fsync'd after a segment is created and after acked.json is renamed.
// After a crash (SIGKILL, power cut) the last batch may be half written: the partial line is cut off at
// open, and at most the batch that was in flight is sent again.
// The batches appended last (at most TAIL_MAX_BYTES) are also kept in memory, after their fsync: the
// first peek at one returns those bytes instead of reading back what was just written; a retry (and a
// replay after an outage, or after a restart) reads the segment files. A batch carries its bytes as
// they are on disk (`body`): the sinks send them as they are, lines are decoded only when asked for.
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Backlog, Batch, DropListener } from './backlog.js';

export interface SpoolOptions {
  /** directory of this sink's spool (created if missing) */
  directory: string;
  /** bound of the spool on disk, bytes */
  maxBytes: number;
  /** size at which a new segment is started (default maxBytes / 16, between 64 KiB and 16 MiB) */
  segmentBytes?: number;
  onDrop: DropListener;
}

interface Segment {
  seq: number;
  /** bytes in the file */
  size: number;
  /** lines in the file */
  lines: number;
}

const SEGMENT_RE = /^(\d{20})\.lp$/;
const NEWLINE = 0x0a;
const READ_CHUNK = 4 * 1024 * 1024;
/** bound of the batches kept in memory after their append (bytes as written) */
const TAIL_MAX_BYTES = 4 * 1024 * 1024;

/** lines appended (and fsync'd) at [start, end) of segment `seq`, not yet peeked at: their bytes */
interface TailEntry {
  seq: number;
  start: number;
  end: number;
  body: Buffer;
  count: number;
}

/** A batch of the spool: its bytes as on disk; the lines are decoded from them when first asked for. */
class SpoolBatch implements Batch {
  #lines: string[] | undefined;

  constructor(
    readonly body: Buffer,
    readonly count: number,
    readonly end: { readonly segment: number; readonly offset: number },
  ) {}

  get bytes(): number {
    return this.body.length;
  }

  /** a line never holds a raw newline (line-protocol.ts): split at every one */
  get lines(): readonly string[] {
    return (this.#lines ??= this.body.toString('utf8', 0, this.body.length - 1).split('\n'));
  }
}

export class Spool implements Backlog {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #segmentBytes: number;
  readonly #onDrop: DropListener;
  #segments: Segment[] = [];
  /** acknowledged position: inside #segments[0] (or before it) */
  #ackSeq = 0;
  #ackOffset = 0;
  /** lines of #segments[0] before #ackOffset */
  #ackLines = 0;
  /** fd of the last segment, open for appending; undefined until the first append after open */
  #fd: number | undefined;
  /** segment numbers only grow, so an old acked.json can never point into a newer segment */
  #nextSeq = 1;
  #closed = false;
  /** batches appended and not yet peeked at, oldest first; bounded by TAIL_MAX_BYTES */
  #tail: TailEntry[] = [];
  #tailBytes = 0;

  constructor(opts: SpoolOptions) {
    if (!(opts.maxBytes > 0)) throw new RangeError('spool maxBytes must be a positive number');
    this.#dir = opts.directory;
    this.#maxBytes = opts.maxBytes;
    this.#segmentBytes = opts.segmentBytes ?? Math.min(16 * 1024 * 1024, Math.max(64 * 1024, Math.floor(opts.maxBytes / 16)));
    this.#onDrop = opts.onDrop;
    this.#open();
  }

  get directory(): string {
    return this.#dir;
  }

  get location(): string {
    return this.#dir;
  }

  #open(): void {
    mkdirSync(this.#dir, { recursive: true });
    const seqs = readdirSync(this.#dir)
      .map((n) => SEGMENT_RE.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    for (const [i, seq] of seqs.entries()) {
      const path = this.#path(seq);
      if (i === seqs.length - 1) cutPartialLine(path);
      const size = statSync(path).size;
      this.#segments.push({ seq, size, lines: size === 0 ? 0 : countLines(path, 0, size) });
      this.#nextSeq = seq + 1;
    }
    const ack = readAck(join(this.#dir, 'acked.json'));
    if (ack) this.#nextSeq = Math.max(this.#nextSeq, ack.segment + 1);
    const first = this.#segments[0];
    if (first && ack && ack.segment === first.seq) {
      this.#ackSeq = first.seq;
      this.#ackOffset = Math.min(ack.offset, first.size);
      this.#ackLines = this.#ackOffset === 0 ? 0 : countLines(this.#path(first.seq), 0, this.#ackOffset);
    } else if (first && ack && ack.segment > first.seq) {
      // segments older than the acknowledged one survived a crash between ack and delete
      while (this.#segments.length > 0 && this.#segments[0].seq < ack.segment) {
        unlinkQuiet(this.#path(this.#segments[0].seq));
        this.#segments.shift();
      }
      const f = this.#segments[0];
      if (f && f.seq === ack.segment) {
        this.#ackSeq = f.seq;
        this.#ackOffset = Math.min(ack.offset, f.size);
        this.#ackLines = this.#ackOffset === 0 ? 0 : countLines(this.#path(f.seq), 0, this.#ackOffset);
      } else this.#resetAck();
    } else this.#resetAck();
  }

  #resetAck(): void {
    this.#ackSeq = this.#segments[0]?.seq ?? 0;
    this.#ackOffset = 0;
    this.#ackLines = 0;
  }

  #path(seq: number): string {
    return join(this.#dir, String(seq).padStart(20, '0') + '.lp');
  }

  append(lines: readonly string[]): void {
    if (this.#closed) throw new Error(`spool ${this.#dir} is closed`);
    if (lines.length === 0) return;
    // the text and its newline written into one buffer (a `text + '\n'` would copy the whole text again)
    const text = lines.join('\n');
    const length = Buffer.byteLength(text);
    const buf = Buffer.allocUnsafeSlow(length + 1);
    buf.write(text, 0, length, 'utf8');
    buf[length] = NEWLINE;
    this.appendBody(buf, lines.length);
  }

  /** appends `count` lines given as they are stored (UTF-8, each ending in a newline); the spool keeps `body` for its first peek */
  appendBody(body: Buffer, count: number): void {
    if (this.#closed) throw new Error(`spool ${this.#dir} is closed`);
    if (count === 0) return;
    try {
      this.#appendBuffer(body, count);
    } catch (err) {
      // a full disk whose only segment is acknowledged to its end (the database keeps up): that
      // segment holds nothing worth keeping, so it goes and the lines get a fresh one
      if (!this.#freeAcknowledged()) throw err;
      this.#appendBuffer(body, count);
    }
  }

  /**
   * Deletes every segment acknowledged to its end, also the one being written (the next append
   * starts a new one); false when nothing could be freed.
   */
  #freeAcknowledged(): boolean {
    const freed = this.#normalize();
    const last = this.#segments[this.#segments.length - 1];
    if (this.#segments.length !== 1 || last === undefined || last.size === 0 || last.seq !== this.#ackSeq || this.#ackOffset < last.size) return freed > 0;
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    unlinkQuiet(this.#path(last.seq));
    this.#segments.pop();
    this.#resetAck();
    return true;
  }

  #appendBuffer(buf: Buffer, count: number): void {
    let last = this.#segments[this.#segments.length - 1];
    // a new segment when the last is full, or when these lines would take it over the bound: the
    // bound can then drop whole older segments and keep the new lines
    const full = last !== undefined && (last.size >= this.#segmentBytes || (last.size > 0 && last.size + buf.length > this.#maxBytes));
    if (this.#fd === undefined || last === undefined || full) {
      if (this.#fd !== undefined) closeSync(this.#fd);
      this.#fd = undefined;
      const seq = this.#nextSeq++;
      this.#fd = openSync(this.#path(seq), 'a');
      fsyncDirectory(this.#dir); // the new file's name is durable before lines are counted as spooled
      last = { seq, size: 0, lines: 0 };
      this.#segments.push(last);
      if (this.#segments.length === 1) this.#resetAck();
    }
    let done = 0;
    try {
      while (done < buf.length) done += writeSync(this.#fd, buf, done, buf.length - done);
      fsyncSync(this.#fd);
    } catch (err) {
      // a partial write (ENOSPC): cut it back so the next append does not follow half a line
      if (done > 0) {
        try {
          ftruncateSync(this.#fd, last.size);
        } catch {
          // the torn line is cut off at the next open at the latest
        }
      }
      throw err;
    }
    this.#remember({ seq: last.seq, start: last.size, end: last.size + buf.length, body: buf, count });
    last.size += buf.length;
    last.lines += count;
    this.#enforceBound();
  }

  /**
   * Keeps a batch just made durable for its first peek, while the kept ones stay within TAIL_MAX_BYTES:
   * when the sender is behind (a flood, an outage), the batches it sends next stay in memory and the
   * newer ones are read back from the file when their turn comes.
   */
  #remember(e: TailEntry): void {
    const size = e.end - e.start;
    if (this.#tailBytes + size > TAIL_MAX_BYTES) return;
    this.#tail.push(e);
    this.#tailBytes += size;
  }

  #shiftTail(): void {
    const e = this.#tail.shift() as TailEntry;
    this.#tailBytes -= e.end - e.start;
  }

  #dropTail(): void {
    this.#tail = [];
    this.#tailBytes = 0;
  }

  /**
   * The batch at the acknowledged position from memory, when the lines there were appended and not
   * peeked at since (each is taken once: a retry reads the file). Undefined when they are not in memory.
   */
  #peekTail(maxLines: number): Batch | undefined {
    const tail = this.#tail;
    // entries before the acknowledged position are done (or their segment is gone)
    while (tail.length > 0 && (tail[0].seq < this.#ackSeq || (tail[0].seq === this.#ackSeq && tail[0].end <= this.#ackOffset))) this.#shiftTail();
    const first = tail[0];
    if (first === undefined || first.seq !== this.#ackSeq || first.start !== this.#ackOffset || first.count > maxLines) return undefined;
    let n = 0;
    let count = 0;
    // entries that follow each other without a gap (one skipped for the bound is read from the file)
    while (n < tail.length && tail[n].seq === first.seq && (n === 0 || tail[n].start === tail[n - 1].end) && count + tail[n].count <= maxLines) count += tail[n++].count;
    const taken = tail.slice(0, n);
    for (let i = 0; i < n; i++) this.#shiftTail();
    const body = n === 1 ? first.body : Buffer.concat(taken.map((e) => e.body));
    return new SpoolBatch(body, count, { segment: first.seq, offset: taken[n - 1].end });
  }

  /**
   * Over the bound: drops the oldest segments, never the last one (the segment being written holds
   * the newest lines, possibly the batch just appended). A single batch larger than the bound stays
   * until a newer segment exists; the next append starts one since the last is then full.
   */
  #enforceBound(): void {
    let droppedLines = 0;
    let droppedBytes = 0;
    while (this.#diskBytes() > this.#maxBytes && this.#segments.length > 1) {
      const oldest = this.#segments.shift() as Segment;
      const acked = oldest.seq === this.#ackSeq;
      droppedLines += oldest.lines - (acked ? this.#ackLines : 0);
      droppedBytes += oldest.size - (acked ? this.#ackOffset : 0);
      unlinkQuiet(this.#path(oldest.seq));
      this.#resetAck();
    }
    if (droppedLines > 0) this.#onDrop(droppedLines, droppedBytes);
  }

  #diskBytes(): number {
    let n = 0;
    for (const s of this.#segments) n += s.size;
    return n;
  }

  /** moves past (and deletes) segments acknowledged to their end that are no longer written to */
  #normalize(): number {
    let n = 0;
    while (this.#segments.length > 1 && this.#segments[0].seq === this.#ackSeq && this.#ackOffset >= this.#segments[0].size) {
      unlinkQuiet(this.#path(this.#segments[0].seq));
      this.#segments.shift();
      this.#resetAck();
      n++;
    }
    return n;
  }

  peek(maxLines: number): Batch | undefined {
    this.#normalize();
    const seg = this.#segments[0];
    if (!seg || seg.seq !== this.#ackSeq || this.#ackOffset >= seg.size || maxLines < 1) return undefined;
    const fromMemory = this.#peekTail(maxLines);
    if (fromMemory !== undefined) return fromMemory;
    const fd = openSync(this.#path(seg.seq), 'r');
    try {
      // the bytes of up to maxLines whole lines from the acknowledged position
      const parts: Buffer[] = [];
      let count = 0;
      let pos = this.#ackOffset;
      /** bytes at the end of `parts` after the last newline (a line not yet whole) */
      let partial = 0;
      // what maxLines lines take at the segment's mean line length, and a little more: a batch read is
      // usually one read of about its own size (READ_CHUNK would read twice what a 5000-line batch needs)
      const guess = Math.ceil((seg.size / Math.max(1, seg.lines)) * maxLines * 1.1) + 4096;
      while (count < maxLines && pos < seg.size) {
        const len = Math.min(READ_CHUNK, guess, seg.size - pos);
        const buf = Buffer.allocUnsafe(len);
        const got = readSync(fd, buf, 0, len, pos);
        if (got <= 0) break;
        const chunk = buf.subarray(0, got);
        let cut = -1;
        for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) {
          cut = i;
          if (++count === maxLines) break;
        }
        const take = count === maxLines ? cut + 1 : got;
        parts.push(chunk.subarray(0, take));
        partial = cut === -1 ? partial + got : take - cut - 1;
        pos += take;
      }
      if (count === 0) return undefined;
      const all = parts.length === 1 ? parts[0] : Buffer.concat(parts);
      const body = all.subarray(0, all.length - partial);
      return new SpoolBatch(body, count, { segment: seg.seq, offset: this.#ackOffset + body.length });
    } finally {
      closeSync(fd);
    }
  }

  ack(batch: Batch): void {
    const seg = this.#segments[0];
    // the batch's segment may have been dropped by the bound meanwhile
    if (!seg || seg.seq !== batch.end.segment || seg.seq !== this.#ackSeq || batch.end.offset <= this.#ackOffset) return;
    this.#ackOffset = batch.end.offset;
    this.#ackLines += batch.count;
    // segments acknowledged to their end go first: deleting them needs no space, so a full disk
    // frees itself even when acked.json cannot be written (an acked.json pointing into a deleted
    // segment means "the start of the next one" at open, which is right)
    this.#normalize();
    writeAck(this.#dir, this.#ackSeq, this.#ackOffset);
  }

  get lines(): number {
    let n = 0;
    for (const s of this.#segments) n += s.lines;
    return n - (this.#segments[0]?.seq === this.#ackSeq ? this.#ackLines : 0);
  }

  get bytes(): number {
    return this.#diskBytes() - (this.#segments[0]?.seq === this.#ackSeq ? this.#ackOffset : 0);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#dropTail();
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

function readAck(path: string): { segment: number; offset: number } | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof v === 'object' && v !== null) {
      const { segment, offset } = v as Record<string, unknown>;
      if (Number.isSafeInteger(segment) && Number.isSafeInteger(offset)) return { segment: segment as number, offset: offset as number };
    }
  } catch {
    // a torn file cannot happen with rename, but an unreadable one means: start of the spool (replay, never lose)
  }
  return undefined;
}

function writeAck(dir: string, segment: number, offset: number): void {
  const tmp = join(dir, 'acked.json.tmp');
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify({ segment, offset }));
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkQuiet(tmp); // an empty temp file on a full disk: nothing to keep
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, join(dir, 'acked.json'));
  fsyncDirectory(dir); // the rename itself is durable
}

/** fsyncs a directory, so that a file created or renamed in it survives a power cut */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** lines (newlines) in [from, to) of a file */
function countLines(path: string, from: number, to: number): number {
  const fd = openSync(path, 'r');
  try {
    let n = 0;
    const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(1, to - from)));
    for (let pos = from; pos < to; ) {
      const got = readSync(fd, buf, 0, Math.min(buf.length, to - pos), pos);
      if (got <= 0) break;
      for (let i = 0; i < got; i++) if (buf[i] === NEWLINE) n++;
      pos += got;
    }
    return n;
  } finally {
    closeSync(fd);
  }
}

/** cuts a half-written last line (a crash during append) so it is never sent */
function cutPartialLine(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const tail = Buffer.allocUnsafe(Math.min(size, 64 * 1024));
    let end = size;
    for (;;) {
      const start = Math.max(0, end - tail.length);
      const got = readSync(fd, tail, 0, end - start, start);
      const idx = tail.subarray(0, got).lastIndexOf(NEWLINE);
      if (idx >= 0) {
        const keep = start + idx + 1;
        if (keep !== size) {
          ftruncateSync(fd, keep);
          fsyncSync(fd);
        }
        return;
      }
      if (start === 0) {
        ftruncateSync(fd, 0);
        return;
      }
      end = start;
    }
  } finally {
    closeSync(fd);
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
