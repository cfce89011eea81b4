// The InfluxQL pieces every dashboard and alert rule is built from, in one place: which measurements
// hold channels, how the template variables filter, and how a Status word becomes a state.
// Variables are always matched as `"tag" =~ /^$var$/`: Grafana formats InfluxQL variables as
// escaped regexes (`(a|b)` for several values), and "All" is `.*`, which also matches a point
// without that tag, so data written by the Python gemcaen (ChannelName only) shows too.
import { BOARD_MEASUREMENT, CHANNEL_MEASUREMENT, CHANNEL_STATUS_BITS, GEM_MEASUREMENT } from '../poll/points.js';

export { BOARD_MEASUREMENT, CHANNEL_MEASUREMENT, GEM_MEASUREMENT };

export { CRATE_MEASUREMENT, EVENT_MEASUREMENT, SINK_MEASUREMENT } from '../daemon-points.js';

/** Both channel measurements (GEM and plain setups) as one regex source. */
export const CHANNELS_FROM = `/^(${GEM_MEASUREMENT}|${CHANNEL_MEASUREMENT})$/`;

/** `"tag" =~ /^$var$/` */
export function matchVar(tag: string, variable: string): string {
  return `"${tag}" =~ /^$${variable}$/`;
}

/** The filter of the chained variables mainframe → setup → channel (those given). */
export function varFilter(vars: ReadonlyArray<'mainframe' | 'setup' | 'channel'>): string {
  const tagOf = { mainframe: 'mainframe', setup: 'setup', channel: 'ChannelName' } as const;
  return vars.map((v) => matchVar(tagOf[v], v)).join(' AND ');
}

/** An InfluxQL string literal. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function bitMask(names: readonly string[]): number {
  let mask = 0;
  for (const n of names) {
    const bit = CHANNEL_STATUS_BITS.indexOf(n);
    if (bit < 0) throw new Error(`unknown status bit ${n}`);
    mask |= 1 << bit;
  }
  return mask;
}

/** Status bits that mean the channel was switched off by a trip. */
export const TRIP_BITS: readonly string[] = ['INTTRIP', 'EXTTRIP'];
export const TRIP_MASK = bitMask(TRIP_BITS);
/** ON, RUP, RDW: states, not alarms */
const STATE_MASK = bitMask(['ON', 'RUP', 'RDW']);
/** every other bit of the 16: an alarm that is not a trip (OVC, OVV, UNV, MAXV, EXTDIS, …) */
export const ALARM_MASK = 0xffff & ~STATE_MASK & ~TRIP_MASK;

/**
 * One number per Status word that orders the channel's state: 0 off, 1 on, 2-7 ramping, 8 up to
 * 65535 an alarm bit (OVC, OVV, …), 1 000 000 and above a trip. Bitwise AND on the integer field.
 */
export function statusStateExpression(agg = 'last'): string {
  const s = `${agg}("Status")`;
  return `(${s} & ${STATE_MASK}) + (${s} & ${ALARM_MASK}) + 1000000 * (${s} & ${TRIP_MASK})`;
}

/** Value mappings of statusStateExpression for a state timeline. */
export const STATUS_STATE_MAPPINGS = [
  { type: 'value', options: { '0': { text: 'OFF', color: 'text', index: 0 }, '1': { text: 'ON', color: 'green', index: 1 } } },
  { type: 'range', options: { from: 2, to: 7, result: { text: 'RAMP', color: 'blue', index: 2 } } },
  { type: 'range', options: { from: 8, to: 999999, result: { text: 'ALARM', color: 'orange', index: 3 } } },
  { type: 'range', options: { from: 1000000, to: null, result: { text: 'TRIP', color: 'red', index: 4 } } },
] as const;

/** The 16 decoded Status fields, `Status_ON` … `Status_TEMPERR`. */
export function statusBitFields(): string[] {
  return CHANNEL_STATUS_BITS.map((b) => `Status_${b}`);
}
