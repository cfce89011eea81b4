// The equivalent divider current of a triple-GEM stack: each electrode's voltage divided by the
// resistor it would have in a resistive divider (uA = V / MOhm), and the way back: the V0Set that
// gives a target Ieq.
import { electrodeSuffixOf, resistorOf } from './resistors.js';

/**
 * Decimals of every Ieq gemcaen writes or shows: what the reading supports. An A1515 reports VMon in
 * 0.1 V steps and the divider resistors are 0.44-1.13 MOhm, so one VMon step is 0.09-0.23 uA of Ieq.
 */
export const IEQ_DECIMALS = 1;

/** Ieq in uA of one electrode: VMon (V) / R (MOhm), to IEQ_DECIMALS (the original truncated it to an integer). */
export function ieqMicroAmps(volts: number, resistorMOhm: number): number {
  return roundToDecimals(volts / resistorMOhm, IEQ_DECIMALS);
}

/**
 * Ieq in uA of a channel by its name: R chosen by the name's electrode suffix after the last `_`
 * (e.g. `ME0_L1_G3BOT` → G3BOT). Undefined when the suffix has no resistor.
 */
export function channelIeqMicroAmps(vmon: number, channelName: string, resistorsMOhm: Readonly<Record<string, number>>): number | undefined {
  const suffix = electrodeSuffixOf(channelName);
  const r = suffix === undefined ? undefined : resistorOf(suffix, resistorsMOhm);
  return r === undefined ? undefined : ieqMicroAmps(vmon, r);
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
  return { volts, resistorMOhm: r, ieqMicroAmps: r > 0 ? ieqMicroAmps(volts, r) : Number.NaN };
}
