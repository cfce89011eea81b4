// What a sink queue takes its batches from: the durable spool (database sinks) or a bounded memory buffer (file sink).

/** A batch read from a backlog: released only when acknowledged. */
export interface Batch {
  readonly lines: readonly string[];
  /** bytes of the lines including their newlines */
  readonly bytes: number;
  /** where the batch ends, opaque to the caller */
  readonly end: { readonly segment: number; readonly offset: number };
}

export interface Backlog {
  /** stores lines behind everything not yet acknowledged (durably, for the spool) */
  append(lines: readonly string[]): void;
  /** the oldest unacknowledged lines, at most maxLines; undefined when there are none */
  peek(maxLines: number): Batch | undefined;
  /** releases a batch returned by peek (the database acknowledged it, or it was dropped) */
  ack(batch: Batch): void;
  /** lines not yet acknowledged */
  readonly lines: number;
  /** bytes not yet acknowledged */
  readonly bytes: number;
  close(): void;
}

/** Called when the bound is reached and the oldest lines are thrown away. */
export type DropListener = (lines: number, bytes: number) => void;

/** A bounded in-memory backlog: for the file sink, whose target is itself a file. */
export class MemoryBacklog implements Backlog {
  #lines: string[] = [];
  #bytes = 0;
  #base = 0;
  constructor(
    private readonly maxBytes: number,
    private readonly onDrop: DropListener,
  ) {}

  append(lines: readonly string[]): void {
    for (const l of lines) {
      this.#lines.push(l);
      this.#bytes += Buffer.byteLength(l) + 1;
    }
    let dropped = 0;
    let droppedBytes = 0;
    while (this.#bytes > this.maxBytes && this.#lines.length > 0) {
      const l = this.#lines.shift() as string;
      const b = Buffer.byteLength(l) + 1;
      this.#bytes -= b;
      this.#base++;
      dropped++;
      droppedBytes += b;
    }
    if (dropped > 0) this.onDrop(dropped, droppedBytes);
  }

  peek(maxLines: number): Batch | undefined {
    if (this.#lines.length === 0) return undefined;
    const lines = this.#lines.slice(0, maxLines);
    let bytes = 0;
    for (const l of lines) bytes += Buffer.byteLength(l) + 1;
    return { lines, bytes, end: { segment: 0, offset: this.#base + lines.length } };
  }

  ack(batch: Batch): void {
    const n = batch.end.offset - this.#base;
    if (n <= 0) return; // already dropped by the bound
    const gone = this.#lines.splice(0, n);
    for (const l of gone) this.#bytes -= Buffer.byteLength(l) + 1;
    this.#base += gone.length;
  }

  get lines(): number {
    return this.#lines.length;
  }
  get bytes(): number {
    return this.#bytes;
  }
  close(): void {}
}
