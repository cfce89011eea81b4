// Readings → database points, in the final schema (docs/daemon.md "Schema").
//   channels: measurement `HV` (GEM) or `CAEN_Board_Monitor` (others),
//             tags ChannelName, setup, mainframe, slot, channel ("03"), board [, layer]
//   boards:   measurement `CAEN_Board`, tags setup, mainframe, slot, board
// Fields are typed: float for NUMERIC parameters, integer for Status/Pw/ONOFF/BINARY/ENUM/BDSTATUS,
// and the Status word is also decoded into 16 integer 0/1 fields Status_<BIT>.
// Ieq (GEM) is a point of its own (same measurement, tags and time, field Ieq only): the Python
// gemcaen wrote it as an integer, so an old bucket may hold Ieq as integer, and InfluxDB refuses a
// whole line with a field-type conflict. On its own line a conflict costs only Ieq, never the
// VMon/IMon/Status of the channel; InfluxDB merges the fields of one series and time, so queries
// are the same.
import type { FieldValue, Point } from '../protocol.js';
import type { SetupConfig } from '../config/types.js';
import { CHSTATUS_BITS } from '../caen/status-bits.js';
import { float32Decimal } from '../float32.js';
import { channelIeqMicroAmps, electrodeAlias } from './gem-mapping.js';

export const GEM_MEASUREMENT = 'HV';
export const CHANNEL_MEASUREMENT = 'CAEN_Board_Monitor';
export const BOARD_MEASUREMENT = 'CAEN_Board';

/** How a parameter's value is written: float, integer, or integer plus the decoded status bits. */
export type FieldKind = 'float' | 'int' | 'status';

/** Channel status bit names of SY1527/2527/4527/5527 (docs/caen-wrapper.md §8), bit 0 first: Status_ON … Status_TEMPERR. */
export const CHANNEL_STATUS_BITS: readonly string[] = CHSTATUS_BITS.map((b) => b.name);

/** What one scan of a setup read from its board. */
export interface SetupReading {
  setup: SetupConfig;
  mainframe: string;
  /** board model, e.g. "A1515TG" */
  model: string;
  /** channel indices, in the order of every values array */
  channels: readonly number[];
  /** channel names read from the board, same order */
  names: readonly string[];
  /** parameter → one value per channel */
  values: ReadonlyMap<string, readonly number[]>;
  kinds: ReadonlyMap<string, FieldKind>;
  /** board parameter (Temp, BdStatus) → value */
  board: ReadonlyMap<string, { value: number; kind: FieldKind }>;
  /** time of the read, ms since the epoch */
  timeMs: number;
}

export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function field(kind: FieldKind, value: number): FieldValue {
  return kind === 'float' ? { type: 'float', value: float32Decimal(value) } : { type: 'int', value: Math.trunc(value) };
}

/** The fields of one channel: every read parameter and the Status bits (Ieq is separate: channelIeq). */
export function channelFields(r: SetupReading, index: number): Record<string, FieldValue> {
  const fields: Record<string, FieldValue> = {};
  for (const [param, values] of r.values) {
    const value = values[index];
    if (value === undefined || !Number.isFinite(value)) continue;
    const kind = r.kinds.get(param) ?? 'float';
    fields[param] = field(kind, value);
    if (kind === 'status') {
      for (let bit = 0; bit < CHANNEL_STATUS_BITS.length; bit++) {
        fields[`${param}_${CHANNEL_STATUS_BITS[bit]}`] = { type: 'int', value: (value >>> bit) & 1 };
      }
    }
  }
  return fields;
}

/** Ieq (µA, float) of a GEM channel, or undefined (not a GEM setup, not monitored, no VMon, no resistor). */
export function channelIeq(r: SetupReading, index: number): FieldValue | undefined {
  const setup = r.setup;
  if (!setup.isGEM || !setup.monitorables.includes('Ieq')) return undefined;
  const raw = r.values.get('VMon')?.[index];
  const vmon = raw === undefined || !Number.isFinite(raw) ? undefined : float32Decimal(raw);
  const resistors = setup.gem?.resistorsMOhm;
  if (vmon === undefined || !resistors) return undefined;
  const ieq = channelIeqMicroAmps(vmon, r.names[index] ?? '', resistors);
  return ieq === undefined ? undefined : { type: 'float', value: ieq };
}

/** The tags of one channel. `ChannelName` keeps the original's meaning so existing dashboards work. */
export function channelTags(r: SetupReading, index: number): Record<string, string> {
  const setup = r.setup;
  const channel = r.channels[index];
  const tags: Record<string, string> = {
    ChannelName: setup.isGEM ? electrodeAlias(channel) : (r.names[index] ?? '').trim() || `CH${pad2(channel)}`,
    setup: setup.name,
    mainframe: r.mainframe,
    slot: String(setup.slot),
    channel: pad2(channel),
    board: r.model,
  };
  if (setup.isGEM && setup.layer !== undefined) tags.layer = String(setup.layer);
  return tags;
}

/**
 * All points of one scan: one per channel, then (GEM) one Ieq-only point per channel with the same
 * measurement, tags and time, plus one for the board (if a board parameter was read).
 */
export function toPoints(r: SetupReading): Point[] {
  const measurement = r.setup.isGEM ? GEM_MEASUREMENT : CHANNEL_MEASUREMENT;
  const points: Point[] = [];
  for (let i = 0; i < r.channels.length; i++) {
    const fields = channelFields(r, i);
    const ieq = channelIeq(r, i);
    if (Object.keys(fields).length === 0 && ieq === undefined) continue;
    const tags = channelTags(r, i);
    if (Object.keys(fields).length > 0) points.push({ measurement, tags, fields, timeMs: r.timeMs });
    if (ieq !== undefined) points.push({ measurement, tags: { ...tags }, fields: { Ieq: ieq }, timeMs: r.timeMs });
  }
  if (r.board.size > 0) {
    const fields: Record<string, FieldValue> = {};
    for (const [param, { value, kind }] of r.board) if (Number.isFinite(value)) fields[param] = field(kind, value);
    points.push({
      measurement: BOARD_MEASUREMENT,
      tags: { setup: r.setup.name, mainframe: r.mainframe, slot: String(r.setup.slot), board: r.model },
      fields,
      timeMs: r.timeMs,
    });
  }
  return points;
}
