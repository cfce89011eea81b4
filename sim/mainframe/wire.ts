// The line protocol between the drop-in libcaenhvwrapper.so and the simulated mainframe.
//   request: <seq> \t <Function> \t <arg> ...      reply: <seq> \t <code> \t <field> ...
// Strings are %XX-escaped ('%', control characters, DEL); floats travel as shortest decimal text;
// the 4-byte values of Set*Param buffers travel as 8 hex digits (the library cannot type them).

export interface Request {
  seq: string;
  fn: string;
  args: string[];
}

export function escapeField(s: string): string {
  return s.replace(/[%\x00-\x1f\x7f]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

export function unescapeField(s: string): string {
  return s.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

export function parseRequest(line: string): Request | null {
  const parts = line.split('\t').map(unescapeField);
  if (parts.length < 2 || !/^\d+$/.test(parts[0])) return null;
  return { seq: parts[0], fn: parts[1], args: parts.slice(2) };
}

export type WireValue = string | number;

/** A float32 value as text the C side parses with strtod (exact for float32). */
export function formatFloat(x: number): string {
  return String(Math.fround(x));
}

export function okReply(seq: string, fields: readonly WireValue[]): string {
  const body = fields.map((f) => escapeField(typeof f === 'number' ? String(f) : f));
  return [seq, '0', ...body].join('\t') + '\n';
}

export function errorReply(seq: string, code: number, text: string): string {
  return `${seq}\t${code}\t${escapeField(text)}\n`;
}

/** The 4 bytes a client passed, given as 8 hex digits, read as float32 or uint32. */
export function hexToFloat(hex: string): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setUint32(0, parseInt(hex, 16) >>> 0, true);
  return dv.getFloat32(0, true);
}

export function hexToUint(hex: string): number {
  return parseInt(hex, 16) >>> 0;
}
