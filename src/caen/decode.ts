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

/** Float32 values of a GetChParam/GetBdParam buffer (NUMERIC parameters). */
export function decodeFloat32(buf: Buffer, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(buf.readFloatLE(i * 4));
  return out;
}

/** 32-bit unsigned values (ONOFF, CHSTATUS, BDSTATUS, BINARY). */
export function decodeUint32(buf: Buffer, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(buf.readUInt32LE(i * 4));
  return out;
}

/** 32-bit signed values (ENUM). */
export function decodeInt32(buf: Buffer, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(buf.readInt32LE(i * 4));
  return out;
}

/** "maj.min" from the two firmware bytes. */
export function firmwareText(major: number, minor: number): string {
  return `${major}.${minor.toString().padStart(2, '0')}`;
}
