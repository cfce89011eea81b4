// The crate's NUMERIC values travel as 32-bit floats (GetChParam reads them, SetChParam writes them).
// One rule for showing and storing them, used by the poller's points, `status`, `set` and `ieq`: the
// shortest decimal that is the same float32 (433.4, not its double widening 433.3999938964844).

/** float32 → its shortest decimal, for the values seen lately (bounded: cleared when full). */
const recent = new Map<number, number>();
const RECENT_MAX = 16_384;

/** The shortest decimal number whose float32 is the float32 of `value`. */
export function float32Decimal(value: number): number {
  const f = Math.fround(value);
  if (!Number.isFinite(f) || f === 0) return f === 0 ? 0 : f;
  // set points and most readings repeat from scan to scan: the search below is up to nine
  // toPrecision + parse round trips, a lookup is one
  const known = recent.get(f);
  if (known !== undefined) return known;
  let d = f;
  for (let p = 1; p <= 9; p++) {
    const c = Number(f.toPrecision(p));
    if (Math.fround(c) === f) {
      d = c;
      break;
    }
  }
  if (recent.size >= RECENT_MAX) recent.clear();
  recent.set(f, d);
  return d;
}

/** float32Decimal as text: "450.1" for 450.1 typed or read back, "450.12344" for 450.123456789. */
export function float32Text(value: number): string {
  return String(float32Decimal(value));
}
