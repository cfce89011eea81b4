// InfluxDB line protocol for one Point: escaped names, sorted tags, typed fields, explicit ms timestamp.
// The spool is line-based, so no serialized line may contain a raw newline: newlines are escaped everywhere.
import type { FieldValue, Point } from '../protocol.js';

// A name ending in a backslash cannot be written: the backslash would escape the comma, equals sign or
// space after it (InfluxDB 1.x checks only the byte before a delimiter, so `\\` + space is refused as
// well). InfluxData's own encoders (telegraf, influxdata/line-protocol) call such names not encodable;
// gemcaen cuts the trailing backslashes off, and a name that is then empty is left out.

/** Measurement names: escape backslash-less specials (comma, space) and control characters; trailing backslashes cut. */
export function escapeMeasurement(s: string): string {
  const t = trimBackslashes(s);
  return MEASUREMENT_SPECIAL.test(t) ? t.replace(/[, \n\r\t]/g, escapeChar) : t;
}
const MEASUREMENT_SPECIAL = /[, \n\r\t]/;
const KEY_SPECIAL = /[,= \n\r\t]/;

/**
 * Tag keys, tag values and field keys: comma, equals sign, space and control characters escaped;
 * trailing backslashes cut (see above), so the result may be '' (then the tag or field is left out).
 */
export function escapeKey(s: string): string {
  const t = trimBackslashes(s);
  return KEY_SPECIAL.test(t) ? t.replace(/[,= \n\r\t]/g, escapeChar) : t;
}

function trimBackslashes(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x5c) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** String field values: double-quoted, with backslash and double quote escaped; newlines written as \n. */
export function quoteString(s: string): string {
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c).replace(/\n/g, '\\n').replace(/\r/g, '\\r') + '"';
}

function escapeChar(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return '\\' + c;
}

/** The line-protocol text of one field value, or undefined when it cannot be written (NaN, ±Infinity, unsafe integer). */
export function formatField(v: FieldValue): string | undefined {
  switch (v.type) {
    case 'float':
      return formatFloat(v.value);
    case 'int':
      return formatInt(v.value);
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'string':
      return quoteString(v.value);
  }
}

/** A float field's text, or undefined (NaN, ±Infinity). String(1) is "1": a float in line protocol (integers carry the `i` suffix). */
export function formatFloat(n: number): string | undefined {
  return Number.isFinite(n) ? String(n) : undefined;
}

/** An integer field's text (`42i`), or undefined when it is not a safe integer. */
export function formatInt(value: number): string | undefined {
  const n = Math.trunc(value);
  return Number.isSafeInteger(n) ? `${n}i` : undefined;
}

/**
 * One line of line protocol (without the trailing newline), or undefined when no field can be written.
 * Tags are sorted by key (the order InfluxDB stores them in); empty tag values are left out (not allowed).
 */
export function toLine(p: Point, head = seriesHead(p)): string | undefined {
  const fieldsOf = p.fields;
  const layout = FIELD_LAYOUTS.of(Object.keys(fieldsOf));
  const values = Object.values(fieldsOf);
  // the parts are joined once: a line built with `+=` is a tree of small strings until something
  // flattens it, and lines wait in batches long enough for the garbage collector to copy those trees
  const parts: string[] = [head, ' '];
  for (let i = 0; i < layout.order.length; i++) {
    const text = formatField(values[layout.order[i]]);
    if (text === undefined) continue;
    if (parts.length > 2) parts.push(',');
    parts.push(layout.names[i], text);
  }
  if (parts.length === 2) return undefined;
  parts.push(' ', String(Math.round(p.timeMs)));
  return parts.join('');
}

/** How the fields of points with one list of field keys are written: which key goes where, escaped once. */
export interface FieldLayout {
  /** the keys in the object's own order (what Object.keys gives) */
  readonly keys: readonly string[];
  /** positions in `keys`, in sorted key order; keys whose escaped name is empty are left out */
  readonly order: readonly number[];
  /** per entry of `order`: the escaped key and '=' */
  readonly names: readonly string[];
}

export function fieldLayout(keys: readonly string[]): FieldLayout {
  const sorted = keys.map((k, i) => ({ k, i })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const order: number[] = [];
  const names: string[] = [];
  for (const { k, i } of sorted) {
    const name = escapeKey(k);
    if (name === '') continue;
    order.push(i);
    names.push(name + '=');
  }
  return { keys: keys.slice(), order, names };
}

/**
 * Something built per list of keys, for the last few lists seen, most recent first. Points of one
 * stream share a handful of key lists (a channel's parameters and status bits, a board, Ieq, the fields
 * dedup kept; the tags of a measurement), and property keys are internalized strings, so a hit costs a
 * few pointer comparisons instead of sorting and escaping every key of every point.
 */
class RecentKeyLists<T> {
  readonly #recent: { keys: readonly string[]; value: T }[] = [];
  readonly #max: number;
  readonly #make: (keys: readonly string[]) => T;

  constructor(max: number, make: (keys: readonly string[]) => T) {
    this.#max = max;
    this.#make = make;
  }

  of(keys: readonly string[]): T {
    const recent = this.#recent;
    for (let i = 0; i < recent.length; i++) {
      const e = recent[i];
      if (!sameKeys(e.keys, keys)) continue;
      if (i > 0) {
        recent[i] = recent[0];
        recent[0] = e;
      }
      return e.value;
    }
    const e = { keys: keys.slice(), value: this.#make(keys) };
    if (recent.length >= this.#max) recent.pop();
    recent.unshift(e);
    return e.value;
  }
}

/** the same strings in the same order */
export function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const FIELD_LAYOUTS = new RecentKeyLists<FieldLayout>(16, fieldLayout);

/** measurement and sorted tags, escaped: the series part of a line (also the series identity for dedup) */
export function seriesHead(p: Pick<Point, 'measurement' | 'tags'>): string {
  let head = escapeMeasurement(p.measurement);
  for (const key of sortedKeys(p.tags)) {
    const value = p.tags[key];
    if (value === '' || value === undefined) continue;
    const k = escapeKey(key);
    const v = escapeKey(value);
    if (k !== '' && v !== '') head += ',' + k + '=' + v;
  }
  return head;
}

/**
 * The keys of o in code-unit order (what Array.prototype.sort does for strings). Points have a handful
 * of keys, usually already in order: a check and an insertion sort in place are cheaper than sort().
 */
function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    if (keys[i - 1] <= k) continue;
    let j = i - 1;
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

/** A level of SeriesHeadCache's tree: the next tag value (or, at the top, the measurement) to the level below. */
interface HeadNode {
  next: Map<string | undefined, HeadNode>;
  /** the head of the series whose tag values lead here (at the last level) */
  head?: string;
}

/**
 * seriesHead per series, remembered: escaping and sorting the tags of every point is most of the
 * cost of a line. Per list of tag keys (in the tags' own order; tags in another order are another
 * entry with the same head), a tree: measurement, then each tag value in that order, to the head.
 * A lookup builds no key string, only the values are hashed. Bounded: past maxEntries series the cache
 * starts over.
 */
export class SeriesHeadCache {
  #byKeys = new RecentKeyLists<HeadNode>(16, () => ({ next: new Map() }));
  #size = 0;
  readonly #maxEntries: number;

  constructor(maxEntries = 100_000) {
    this.#maxEntries = maxEntries;
  }

  head(p: Pick<Point, 'measurement' | 'tags'>): string {
    if (this.#size >= this.#maxEntries) {
      this.#byKeys = new RecentKeyLists<HeadNode>(16, () => ({ next: new Map() }));
      this.#size = 0;
    }
    const tags = p.tags;
    const keys = Object.keys(tags);
    let node = step(this.#byKeys.of(keys), p.measurement);
    for (let i = 0; i < keys.length; i++) node = step(node, tags[keys[i]]);
    if (node.head === undefined) {
      node.head = seriesHead(p);
      this.#size++;
    }
    return node.head;
  }

  get size(): number {
    return this.#size;
  }
}

function step(node: HeadNode, value: string | undefined): HeadNode {
  let n = node.next.get(value);
  if (n === undefined) node.next.set(value, (n = { next: new Map() }));
  return n;
}

/** The ms timestamp at the end of a line written by toLine. */
export function timestampOf(line: string): number {
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}
