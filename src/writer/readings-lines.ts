// Lines straight from a setup's compact readings (src/readings.ts), without making Point objects. Per
// layout, once: each template's series head (escaped measurement and sorted tags), each field's escaped
// `name=` in key order, and each field bound to its dedup memory. Per scan: each finite value becomes its
// field number by the rule expandReadings applies (fieldNumber, statusBit), Dedup.due decides it against
// the memory, and the due fields are formatted (formatFloat, formatInt) and written as bytes with the
// series head and names encoded once, into the batch a sink queue gathers (line-bytes.ts). The
// lines are the ones toLine(dedup.filter(point)) gives for the points expandReadings makes of the same
// values, on the same dedup memories (test/writer/readings-lines.test.ts holds the two paths side by side).
import type { ReadingsLayout, ValueKind } from '../protocol.js';
import { fieldNumber, fieldType, statusBit } from '../readings.js';
import { Dedup, type Written } from './dedup.js';
import { bodyLines, LineBytes } from './line-bytes.js';
import { fieldLayout, formatFloat, formatInt, seriesHead } from './line-protocol.js';

/** One template of the layout, ready to write. Slots: its fields in value order, a status word's bits after it. */
interface TemplateLines {
  /** escaped measurement and sorted tags, UTF-8 */
  readonly head: Buffer;
  /** per FieldSpec: how its raw value is read, and the slot of its field */
  readonly kinds: readonly ValueKind[];
  readonly firstSlot: readonly number[];
  /** per FieldSpec of kind status: the number of bit fields after its slot (0 for other kinds) */
  readonly bitCount: readonly number[];
  /** per slot: the dedup memory and the deadband of its field */
  readonly memories: readonly Written[];
  readonly deadbands: readonly (number | undefined)[];
  /** the slots in line order (sorted field keys; keys that escape to '' left out), and each one's `name=` */
  readonly order: readonly number[];
  readonly names: readonly Buffer[];
}

export class ReadingsLines {
  readonly sink: string;
  readonly setup: string;
  readonly #templates: readonly TemplateLines[];
  readonly #heartbeatMs: number;
  /** per slot of the template being written: the text of its field when due this scan, else undefined */
  readonly #texts: (string | undefined)[];
  private constructor(sink: string, setup: string, templates: TemplateLines[], heartbeatMs: number, maxSlots: number) {
    this.sink = sink;
    this.setup = setup;
    this.#templates = templates;
    this.#heartbeatMs = heartbeatMs;
    this.#texts = new Array<string | undefined>(maxSlots).fill(undefined);
  }

  /**
   * The layout of a setup's readings for one sink, bound to the writer's dedup memories; undefined when
   * the layout cannot be written this way (a template naming one field twice: a point would keep one
   * value for both, the points path writes it).
   */
  static compile(layout: ReadingsLayout, dedup: Dedup, sink: string, setup: string): ReadingsLines | undefined {
    const policy = dedup.policy(setup);
    const templates: TemplateLines[] = [];
    let maxSlots = 0;
    for (const t of layout.templates) {
      const head = seriesHead(t);
      const keys: string[] = [];
      const kinds: ValueKind[] = [];
      const firstSlot: number[] = [];
      const bitCount: number[] = [];
      for (const f of t.fields) {
        kinds.push(f.kind);
        firstSlot.push(keys.length);
        keys.push(f.name);
        const bits = f.kind === 'status' ? (f.bits ?? []) : [];
        bitCount.push(bits.length);
        keys.push(...bits);
      }
      if (new Set(keys).size !== keys.length) return undefined;
      const fl = fieldLayout(keys);
      templates.push({
        head: Buffer.from(head),
        kinds,
        firstSlot,
        bitCount,
        memories: keys.map((k) => dedup.memory(sink, setup, head, k)),
        deadbands: keys.map((k) => policy.deadbands[k]),
        order: fl.order,
        names: fl.names.map((n) => Buffer.from(n)),
      });
      maxSlots = Math.max(maxSlots, keys.length);
    }
    return new ReadingsLines(sink, setup, templates, policy.heartbeatSeconds * 1000, maxSlots);
  }

  /** appends to `out` the line of each template with a field due at timeMs (values: one per FieldSpec, NaN: not read) */
  lines(values: ArrayLike<number>, timeMs: number, out: string[]): void {
    const bytes = new LineBytes();
    this.write(values, timeMs, bytes);
    for (const l of bodyLines(bytes.take())) out.push(l);
  }

  /** writes into `out` the line of each template with a field due at timeMs, as bytes (the lines of lines()) */
  write(values: ArrayLike<number>, timeMs: number, out: LineBytes): void {
    const texts = this.#texts;
    const hb = this.#heartbeatMs;
    const time = String(Math.round(timeMs));
    let at = 0;
    for (const t of this.#templates) {
      let due = 0;
      for (let j = 0; j < t.kinds.length; j++) {
        const raw = values[at++];
        if (raw === undefined || !Number.isFinite(raw)) continue;
        const kind = t.kinds[j];
        const slot = t.firstSlot[j];
        const type = fieldType(kind);
        const value = fieldNumber(kind, raw);
        if (Dedup.due(t.memories[slot], type, value, timeMs, hb, t.deadbands[slot])) {
          texts[slot] = type === 'float' ? formatFloat(value) : formatInt(value);
          due++;
        }
        for (let b = 0; b < t.bitCount[j]; b++) {
          const s = slot + 1 + b;
          const bit = statusBit(value, b);
          if (Dedup.due(t.memories[s], 'int', bit, timeMs, hb, t.deadbands[s])) {
            texts[s] = bit === 0 ? '0i' : '1i';
            due++;
          }
        }
      }
      if (due === 0) continue;
      out.begin(t.head);
      const order = t.order;
      for (let k = 0; k < order.length; k++) {
        const s = order[k];
        const text = texts[s];
        if (text === undefined) continue;
        texts[s] = undefined;
        out.field(t.names[k], text);
      }
      // slots left out of the line (a key that escapes to ''): their texts are cleared too
      if (order.length !== t.memories.length) texts.fill(undefined, 0, t.memories.length);
      out.end(time); // a line without a field that can be written (an unsafe integer) is taken back
    }
  }
}
