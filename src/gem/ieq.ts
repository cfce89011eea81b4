// The equivalent divider current of a triple-GEM stack: each electrode's voltage divided by the
// resistor it would have in a resistive divider (uA = V / MOhm), and the way back: the V0Set that
// gives a target Ieq.

/** Ieq in uA of one electrode: VMon (V) / R (MOhm). Not truncated (the original truncated to an integer). */
export function ieqMicroAmps(volts: number, resistorMOhm: number): number {
  return volts / resistorMOhm;
}

/** A value rounded to `decimals` digits (the board's Decimal property); integers when undefined or < 0. */
export function roundToDecimals(value: number, decimals: number | undefined): number {
  const d = decimals !== undefined && Number.isInteger(decimals) && decimals > 0 ? Math.min(decimals, 6) : 0;
  return Number(value.toFixed(d));
}

/** V0Set (V) of an electrode for a target Ieq (uA): UA x R, rounded to the board's precision. */
export function v0SetForIeq(microAmps: number, resistorMOhm: number, decimals: number | undefined): number {
  return roundToDecimals(microAmps * resistorMOhm, decimals);
}

export interface StackTotals {
  /** sum of the electrodes' voltages, V */
  volts: number;
  /** sum of the resistors, MOhm */
  resistorMOhm: number;
  /** Ieq of the whole stack: total volts / total resistance, uA */
  ieqMicroAmps: number;
}

/** The stack as one divider: total voltage, total resistance, and their Ieq. */
export function stackTotals(electrodes: readonly { volts: number; resistorMOhm: number }[]): StackTotals {
  let volts = 0;
  let r = 0;
  for (const e of electrodes) {
    volts += e.volts;
    r += e.resistorMOhm;
  }
  return { volts, resistorMOhm: r, ieqMicroAmps: r > 0 ? volts / r : Number.NaN };
}
