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
      if (!Number.isFinite(v.value)) return undefined;
      // String(1) is "1": a float in line protocol (integers carry the `i` suffix), so it stays a float.
      return String(v.value);
    case 'int': {
      const n = Math.trunc(v.value);
      if (!Number.isSafeInteger(n)) return undefined;
      return `${n}i`;
    }
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'string':
      return quoteString(v.value);
  }
}

/**
 * One line of line protocol (without the trailing newline), or undefined when no field can be written.
 * Tags are sorted by key (the order InfluxDB stores them in); empty tag values are left out (not allowed).
 */
export function toLine(p: Point, head = seriesHead(p)): string | undefined {
  let fields = '';
  for (const key of sortedKeys(p.fields)) {
    const text = formatField(p.fields[key]);
    const name = escapeKey(key);
    if (text !== undefined && name !== '') fields += (fields === '' ? '' : ',') + name + '=' + text;
  }
  if (fields === '') return undefined;
  return head + ' ' + fields + ' ' + Math.round(p.timeMs);
}

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

/**
 * seriesHead per series, remembered: escaping and sorting the tags of every point is most of the
 * cost of a line. The cache key is the measurement and the tags in their own order, each string
 * prefixed by its length (unambiguous whatever the strings hold); tags in another order are another
 * entry with the same head. Bounded: past maxEntries series the cache starts over.
 */
export class SeriesHeadCache {
  readonly #heads = new Map<string, string>();
  readonly #maxEntries: number;

  constructor(maxEntries = 100_000) {
    this.#maxEntries = maxEntries;
  }

  head(p: Pick<Point, 'measurement' | 'tags'>): string {
    let key = p.measurement.length + ':' + p.measurement;
    const tags = p.tags;
    for (const k in tags) {
      if (!Object.hasOwn(tags, k)) continue; // seriesHead reads own keys only
      const v = tags[k];
      key += v === undefined ? '|' + k.length + ':' + k + '!' : '|' + k.length + ':' + k + v.length + ':' + v;
    }
    let head = this.#heads.get(key);
    if (head === undefined) {
      head = seriesHead(p);
      if (this.#heads.size >= this.#maxEntries) this.#heads.clear();
      this.#heads.set(key, head);
    }
    return head;
  }

  get size(): number {
    return this.#heads.size;
  }
}

/** The ms timestamp at the end of a line written by toLine. */
export function timestampOf(line: string): number {
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}
