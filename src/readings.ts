// The compact form of a scan's database points, as it crosses from a mainframe worker to the writer
// thread: the series and field names of a setup (its layout) once, and per scan only a Float64Array of
// raw values. The one rule that turns a raw value into typed fields (float32 as its shortest decimal,
// integers, the 16 Status_* bits) is `expandReadings`: the writer applies it to every scan, and the
// poller's toPoints (src/poll/points.ts) is the same function, so both give the same points.
// The shapes (ReadingsLayout, PointTemplate, FieldSpec) are in src/protocol.ts; this module imports only
// them and the float32 rule.
import { float32Decimal } from './float32.js';
import type { FieldValue, Point, ReadingsLayout, ReadingsMessage } from './protocol.js';

/** Number of values a scan of this layout carries. */
export function layoutWidth(layout: ReadingsLayout): number {
  let n = 0;
  for (const t of layout.templates) n += t.fields.length;
  return n;
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
      const value = values[at++];
      if (value === undefined || !Number.isFinite(value)) continue;
      fields ??= {};
      switch (f.kind) {
        case 'float32':
          fields[f.name] = { type: 'float', value: float32Decimal(value) };
          break;
        case 'double':
          fields[f.name] = { type: 'float', value };
          break;
        case 'int':
          fields[f.name] = { type: 'int', value: Math.trunc(value) };
          break;
        case 'status': {
          fields[f.name] = { type: 'int', value: Math.trunc(value) };
          const bits = f.bits ?? [];
          for (let bit = 0; bit < bits.length; bit++) fields[bits[bit]!] = { type: 'int', value: (value >>> bit) & 1 };
          break;
        }
      }
    }
    if (fields !== undefined) points.push({ measurement: t.measurement, tags: t.tags, fields, timeMs });
  }
  return points;
}

/**
 * The writer's side of one worker's channel: the last layout of each setup, and the points of each
 * readings message. A message whose setup has no layout yet, or whose values do not fit its layout,
 * gives no points and an error text (a worker always sends the layout first: it would be a bug).
 */
export class ReadingsIntake {
  readonly #layouts = new Map<string, { layout: ReadingsLayout; width: number }>();

  points(msg: ReadingsMessage): Point[] | { error: string } {
    let known = this.#layouts.get(msg.setup);
    if (msg.layout) {
      known = { layout: msg.layout, width: layoutWidth(msg.layout) };
      this.#layouts.set(msg.setup, known);
    }
    if (!known) return { error: `readings of setup ${msg.setup} before its layout: not written` };
    if (msg.values.length !== known.width) return { error: `readings of setup ${msg.setup}: ${msg.values.length} values for a layout of ${known.width}: not written` };
    return expandReadings(known.layout, msg.values, msg.timeMs);
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
