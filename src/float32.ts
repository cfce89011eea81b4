// The crate's NUMERIC values travel as 32-bit floats (GetChParam reads them, SetChParam writes them).
// One rule for showing and storing them, used by the poller's points, `status`, `set` and `ieq`: the
// shortest decimal that is the same float32 (433.4, not its double widening 433.3999938964844).

/** The shortest decimal number whose float32 is the float32 of `value`. */
export function float32Decimal(value: number): number {
  const f = Math.fround(value);
  if (!Number.isFinite(f) || f === 0) return f === 0 ? 0 : f;
  for (let p = 1; p <= 9; p++) {
    const d = Number(f.toPrecision(p));
    if (Math.fround(d) === f) return d;
  }
  return f;
}

/** float32Decimal as text: "450.1" for 450.1 typed or read back, "450.12344" for 450.123456789. */
export function float32Text(value: number): string {
  return String(float32Decimal(value));
}
