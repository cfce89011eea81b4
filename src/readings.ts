// The compact form of a scan's database points, as it crosses from a mainframe worker to the writer
// thread: the series and field names of a setup (its layout) once, and per scan only a Float64Array of
// raw values. The one rule that turns a raw value into typed fields (float32 as its shortest decimal,
// integers, the 16 Status_* bits) is `fieldType`, `fieldNumber` and `statusBit`: `expandReadings` (the
// poller's toPoints, src/poll/points.ts) makes points by it, and the writer makes its lines by it
// (src/writer/readings-lines.ts) without making points.
// The shapes (ReadingsLayout, PointTemplate, FieldSpec) are in src/protocol.ts; this module imports only
// them and the float32 rule.
import { float32Decimal } from './float32.js';
import type { FieldValue, Point, ReadingsLayout, ReadingsMessage, ValueKind } from './protocol.js';

/** Number of values a scan of this layout carries. */
export function layoutWidth(layout: ReadingsLayout): number {
  let n = 0;
  for (const t of layout.templates) n += t.fields.length;
  return n;
}

/** The field type a raw value of this kind is written as. */
export function fieldType(kind: ValueKind): 'float' | 'int' {
  return kind === 'float32' || kind === 'double' ? 'float' : 'int';
}

/** The number a finite raw value of this kind is written as: a float32 as its shortest decimal, integers truncated. */
export function fieldNumber(kind: ValueKind, raw: number): number {
  switch (kind) {
    case 'float32':
      return float32Decimal(raw);
    case 'double':
      return raw;
    case 'int':
    case 'status':
      return Math.trunc(raw);
  }
}

/** Bit `bit` (0 = the first of FieldSpec.bits) of a status word, as its 0/1 field value. */
export function statusBit(word: number, bit: number): number {
  return (word >>> bit) & 1;
}

/**
 * The points of one scan: per template, a field for each finite value (a status word also gives its
 * 16 bit fields); a template none of whose values is finite gives no point.
 */
export function expandReadings(layout: ReadingsLayout, values: ArrayLike<number>, timeMs: number): Point[] {
  const points: Point[] = [];
  let at = 0;
  for (const t of layout.templates) {
    let fields: Record<string, FieldValue> | undefined;
    for (const f of t.fields) {
      const raw = values[at++];
      if (raw === undefined || !Number.isFinite(raw)) continue;
      fields ??= {};
      const value = fieldNumber(f.kind, raw);
      fields[f.name] = { type: fieldType(f.kind), value };
      if (f.kind === 'status') {
        const bits = f.bits ?? [];
        for (let bit = 0; bit < bits.length; bit++) fields[bits[bit]!] = { type: 'int', value: statusBit(value, bit) };
      }
    }
    if (fields !== undefined) points.push({ measurement: t.measurement, tags: t.tags, fields, timeMs });
  }
  return points;
}

/**
 * One channel's layouts (a worker's port to the writer): the last layout of each setup, in the form its
 * user keeps (`compile`), and the one rule for a message: a message whose setup has no layout yet, or whose
 * values do not fit its layout, is an error (a worker always sends the layout first: it would be a bug).
 */
export class ReadingsIntake<T = ReadingsLayout> {
  readonly #layouts = new Map<string, { compiled: T; width: number }>();
  readonly #compile: (layout: ReadingsLayout, msg: ReadingsMessage) => T;

  constructor(compile: (layout: ReadingsLayout, msg: ReadingsMessage) => T = (l) => l as T) {
    this.#compile = compile;
  }

  /** the (compiled) layout this message's values belong to (a layout it carries replaces the last), or an error text */
  layoutOf(msg: ReadingsMessage): { layout: T } | { error: string } {
    let known = this.#layouts.get(msg.setup);
    if (msg.layout) {
      known = { compiled: this.#compile(msg.layout, msg), width: layoutWidth(msg.layout) };
      this.#layouts.set(msg.setup, known);
    }
    if (!known) return { error: `readings of setup ${msg.setup} before its layout: not written` };
    if (msg.values.length !== known.width) return { error: `readings of setup ${msg.setup}: ${msg.values.length} values for a layout of ${known.width}: not written` };
    return { layout: known.compiled };
  }
}

/** The number of points a scan gives (templates with at least one finite value), without making them. */
export function pointCount(layout: ReadingsLayout, values: ArrayLike<number>): number {
  let n = 0;
  let at = 0;
  for (const t of layout.templates) {
    const end = at + t.fields.length;
    for (let i = at; i < end; i++) {
      if (Number.isFinite(values[i])) {
        n++;
        break;
      }
    }
    at = end;
  }
  return n;
}
