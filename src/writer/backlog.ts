// What a sink queue takes its batches from: the durable spool (database sinks) or a bounded memory buffer (file sink).
import { bodyLines } from './line-bytes.js';

/** A batch read from a backlog: released only when acknowledged. */
export interface Batch {
  /** the lines, without newlines (a spool batch decodes them from `body` on first use) */
  readonly lines: readonly string[];
  /** how many lines */
  readonly count: number;
  /** bytes of the lines including their newlines */
  readonly bytes: number;
  /** the lines as the spool holds them: UTF-8, each ending in a newline (batches of the spool only) */
  readonly body?: Buffer;
  /** where the batch ends, opaque to the caller */
  readonly end: { readonly segment: number; readonly offset: number };
}

export interface Backlog {
  /** stores lines behind everything not yet acknowledged (durably, for the spool) */
  append(lines: readonly string[]): void;
  /** the same for `count` lines as the spool holds them (UTF-8, each ending in a newline); the backlog may keep `body` */
  appendBody(body: Buffer, count: number): void;
  /** the oldest unacknowledged lines, at most maxLines; undefined when there are none */
  peek(maxLines: number): Batch | undefined;
  /** releases a batch returned by peek (the database acknowledged it, or it was dropped) */
  ack(batch: Batch): void;
  /** lines not yet acknowledged */
  readonly lines: number;
  /** bytes not yet acknowledged */
  readonly bytes: number;
  /** where the lines are kept, for messages: the spool's directory, or "memory" */
  readonly location: string;
  close(): void;
}

/** Called when the bound is reached and the oldest lines are thrown away. */
export type DropListener = (lines: number, bytes: number) => void;

/**
 * A bounded in-memory backlog: for the file sink, whose target is itself a file.
 * Lines live in #lines from #head on; dropping and acknowledging move #head (O(1) per line), and the
 * array is compacted once the released part is at least half of it (amortised O(1)).
 */
export class MemoryBacklog implements Backlog {
  #lines: string[] = [];
  /** index of the oldest line not yet released */
  #head = 0;
  #bytes = 0;
  /** number of lines released (dropped or acknowledged) since the start: the position of #head */
  #base = 0;
  readonly location = 'memory';
  /**
   * @param maxBytes bound in bytes; over it (or over maxLines) the oldest lines are dropped and reported to onDrop
   * @param maxLines bound in lines (default: none)
   */
  constructor(
    private readonly maxBytes: number,
    private readonly onDrop: DropListener,
    private readonly maxLines = Infinity,
  ) {}

  append(lines: readonly string[]): void {
    for (const l of lines) {
      this.#lines.push(l);
      this.#bytes += Buffer.byteLength(l) + 1;
    }
    let dropped = 0;
    let droppedBytes = 0;
    while ((this.#bytes > this.maxBytes || this.#lines.length - this.#head > this.maxLines) && this.#head < this.#lines.length) {
      const b = Buffer.byteLength(this.#lines[this.#head] as string) + 1;
      this.#head++;
      this.#bytes -= b;
      dropped++;
      droppedBytes += b;
    }
    if (dropped > 0) {
      this.#release(dropped);
      this.onDrop(dropped, droppedBytes);
    }
  }

  appendBody(body: Buffer): void {
    this.append(bodyLines(body));
  }

  peek(maxLines: number): Batch | undefined {
    if (this.#head >= this.#lines.length) return undefined;
    const lines = this.#lines.slice(this.#head, this.#head + maxLines);
    let bytes = 0;
    for (const l of lines) bytes += Buffer.byteLength(l) + 1;
    return { lines, count: lines.length, bytes, end: { segment: 0, offset: this.#base + lines.length } };
  }

  ack(batch: Batch): void {
    const n = Math.min(batch.end.offset - this.#base, this.#lines.length - this.#head);
    if (n <= 0) return; // already dropped by the bound
    for (let k = 0; k < n; k++) this.#bytes -= Buffer.byteLength(this.#lines[this.#head + k] as string) + 1;
    this.#head += n;
    this.#release(n);
  }

  /** #head moved past n lines: count them, and compact when the released part is half the array */
  #release(n: number): void {
    this.#base += n;
    if (this.#head === this.#lines.length) {
      this.#lines = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#lines.length) {
      this.#lines = this.#lines.slice(this.#head);
      this.#head = 0;
    }
  }

  /** releases every line (they are lost: the caller counts them); returns how many */
  clear(): number {
    const n = this.lines;
    this.#head = this.#lines.length;
    this.#bytes = 0;
    this.#release(n);
    return n;
  }

  get maxLineCount(): number {
    return this.maxLines;
  }

  get lines(): number {
    return this.#lines.length - this.#head;
  }
  get bytes(): number {
    return this.#bytes;
  }
  close(): void {}
}
