// Pure decoders for the three list layouts of the wrapper (docs/caen-wrapper.md §3) and for value buffers.
// They work on Buffers that hold a copy of the C memory; library.ts copies lib-alloc memory into Buffers.

/** Text of a NUL-terminated C string starting at `offset`, stopping at `end` if no NUL comes first. */
export function cString(buf: Buffer, offset = 0, end = buf.length): string {
  const stop = Math.min(end, buf.length);
  let i = offset;
  while (i < stop && buf[i] !== 0) i++;
  return buf.toString('latin1', offset, i);
}

/**
 * Packed NUL-separated strings (`p += strlen(p) + 1`), `count` of them: ModelList and DescriptionList of
 * GetCrateMap, system property names, command names. Throws RangeError if the buffer ends early.
 */
export function decodePacked(buf: Buffer, count: number): string[] {
  const out: string[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    const nul = buf.indexOf(0, p);
    if (nul < 0) throw new RangeError(`packed string list: ${count} strings expected, the data ends after ${i}`);
    out.push(buf.toString('latin1', p, nul));
    p = nul + 1;
  }
  return out;
}

/** Number of bytes taken by `count` packed strings (each with its NUL), or -1 if the buffer ends early. */
export function packedLength(buf: Buffer, count: number): number {
  let p = 0;
  for (let i = 0; i < count; i++) {
    const nul = buf.indexOf(0, p);
    if (nul < 0) return -1;
    p = nul + 1;
  }
  return p;
}

/**
 * Fixed-size records (10 bytes for parameter names, 12 for channel names). With `count`, exactly that many;
 * without, records up to the first empty one (the end marker of GetBdParamInfo/GetChParamInfo).
 */
export function decodeRecords(buf: Buffer, recordSize: number, count?: number): string[] {
  const out: string[] = [];
  const available = Math.floor(buf.length / recordSize);
  const n = count === undefined ? available : count;
  if (n > available) throw new RangeError(`record list: ${n} records of ${recordSize} bytes expected, buffer holds ${available}`);
  for (let i = 0; i < n; i++) {
    const start = i * recordSize;
    const name = cString(buf, start, start + recordSize);
    if (count === undefined && name === '') break;
    out.push(name);
  }
  return out;
}

/** How the 4-byte elements of a Get*Param value buffer are read (by the parameter's Type). */
export type ValueKind = 'float32' | 'uint32' | 'int32';

/**
 * The caller's value buffer of GetChParam/GetBdParam (`void *ParValList`: one 4-byte element per channel or
 * slot), made once and reused for every read. The library writes C `float`/`unsigned`/`int` in the host's
 * byte order, which is what typed-array views read; `bytes` is what the C function is given.
 */
export class ValueBuffer {
  readonly capacity: number;
  readonly bytes: Buffer;
  readonly #f32: Float32Array;
  readonly #u32: Uint32Array;
  readonly #i32: Int32Array;

  constructor(capacity: number) {
    const memory = new ArrayBuffer(capacity * 4);
    this.capacity = capacity;
    this.bytes = Buffer.from(memory);
    this.#f32 = new Float32Array(memory);
    this.#u32 = new Uint32Array(memory);
    this.#i32 = new Int32Array(memory);
  }

  /** Zeroes the first `count` elements (a library that writes fewer leaves zeros, never the last read's values). */
  zero(count: number): void {
    const u32 = this.#u32;
    for (let i = 0; i < count; i++) u32[i] = 0;
  }

  /** The first `count` elements as numbers. */
  decode(kind: ValueKind, count: number): number[] {
    const out: number[] = [];
    if (kind === 'float32') {
      const f32 = this.#f32;
      for (let i = 0; i < count; i++) out.push(f32[i]!);
    } else if (kind === 'uint32') {
      const u32 = this.#u32;
      for (let i = 0; i < count; i++) out.push(u32[i]!);
    } else {
      const i32 = this.#i32;
      for (let i = 0; i < count; i++) out.push(i32[i]!);
    }
    return out;
  }
}

/** "maj.min" from the two firmware bytes. */
export function firmwareText(major: number, minor: number): string {
  return `${major}.${minor.toString().padStart(2, '0')}`;
}
