// Lines written as bytes, the way the spool stores them (UTF-8, each ending in a newline), into one
// growing buffer: a sink queue gathers its next batch here, and readings-lines.ts writes a scan's lines
// into it part by part, so a line is never a string of its own, nor the batch one joined string that is
// encoded again. take() hands out a batch's bytes as a buffer of their own (the spool keeps it until it
// is sent), and the buffer is reused for the next batch.

const NEWLINE = 0x0a;
const COMMA = 0x2c;
const SPACE = 0x20;
/** first size of the buffer; it doubles as needed and keeps its size for the next batches */
const INITIAL_BYTES = 64 * 1024;
/** parts shorter than this are copied byte by byte (a call of the typed array's set costs more) */
const SHORT_COPY = 24;

export class LineBytes {
  #buf: Buffer = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  /** bytes written */
  #length = 0;
  /** whole lines written (each ended by endLine or line) */
  #lines = 0;
  /** where the line being written started, and whether it has a field yet */
  #lineStart = 0;
  #fields = 0;

  /** whole lines in the buffer */
  get lines(): number {
    return this.#lines;
  }

  /** bytes of the whole lines in the buffer */
  get bytes(): number {
    return this.#lineStart;
  }

  /** one line (without its newline) as a string: encoded as UTF-8, then its newline */
  line(text: string): void {
    this.#ensure(text.length * 3 + 1);
    this.#length += this.#buf.write(text, this.#length, 'utf8');
    this.#buf[this.#length++] = NEWLINE;
    this.#lines++;
    this.#lineStart = this.#length;
  }

  /** starts a line with its series head (escaped measurement and tags, UTF-8, no trailing space) */
  begin(head: Uint8Array): void {
    this.#length = this.#lineStart;
    this.#fields = 0;
    this.#bytes(head);
    this.#buf[this.#length++] = SPACE;
  }

  /** a field of the line begun: its escaped `name=` (UTF-8) and its value's text (ASCII: a number, `42i`, `1i`) */
  field(name: Uint8Array, ascii: string): void {
    this.#ensure(name.length + ascii.length + 1);
    if (this.#fields++ > 0) this.#buf[this.#length++] = COMMA;
    this.#bytes(name);
    const buf = this.#buf;
    let at = this.#length;
    for (let i = 0; i < ascii.length; i++) buf[at++] = ascii.charCodeAt(i);
    this.#length = at;
  }

  /** ends the line begun with its timestamp (ASCII digits); a line without a field is taken back instead */
  end(time: string): void {
    if (this.#fields === 0) {
      this.#length = this.#lineStart;
      return;
    }
    this.#ensure(time.length + 2);
    const buf = this.#buf;
    let at = this.#length;
    buf[at++] = SPACE;
    for (let i = 0; i < time.length; i++) buf[at++] = time.charCodeAt(i);
    buf[at++] = NEWLINE;
    this.#length = at;
    this.#lineStart = at;
    this.#lines++;
  }

  /** the whole lines written since the last take, in a buffer of their own; the writer starts over */
  take(): Buffer {
    const n = this.#lineStart;
    const out = Buffer.allocUnsafeSlow(n);
    this.#buf.copy(out, 0, 0, n);
    this.#length = 0;
    this.#lineStart = 0;
    this.#lines = 0;
    this.#fields = 0;
    return out;
  }

  #bytes(b: Uint8Array): void {
    this.#ensure(b.length + 1);
    const buf = this.#buf;
    let at = this.#length;
    if (b.length < SHORT_COPY) for (let i = 0; i < b.length; i++) buf[at++] = b[i]!;
    else {
      buf.set(b, at);
      at += b.length;
    }
    this.#length = at;
  }

  #ensure(n: number): void {
    if (this.#length + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#length + n) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.#buf.copy(next, 0, 0, this.#length);
    this.#buf = next;
  }
}

/** the lines of a body as the spool holds them (each ends in a newline; no line holds a raw newline) */
export function bodyLines(body: Buffer): string[] {
  return body.length === 0 ? [] : body.toString('utf8', 0, body.length - 1).split('\n');
}
