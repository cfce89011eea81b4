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
import type { FieldSpec, Point, PointTemplate, ReadingsLayout, ScanLayout, ValueKind } from '../protocol.js';
import { expandReadings } from '../readings.js';
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

/** Ieq (µA) of a GEM channel, or undefined (not a GEM setup, not monitored, no VMon, no resistor). */
export function channelIeq(r: SetupReading, index: number): number | undefined {
  const setup = r.setup;
  if (!writesIeq(setup)) return undefined;
  const raw = r.values.get('VMon')?.[index];
  const vmon = raw === undefined || !Number.isFinite(raw) ? undefined : float32Decimal(raw);
  const resistors = setup.gem?.resistorsMOhm;
  if (vmon === undefined || !resistors) return undefined;
  return channelIeqMicroAmps(vmon, r.names[index] ?? '', resistors);
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

const VALUE_KIND: Readonly<Record<FieldKind, ValueKind>> = { float: 'float32', int: 'int', status: 'status' };

/** The field names of a status parameter's bits: Status_ON … Status_TEMPERR. */
const statusBitNames = new Map<string, readonly string[]>();
function bitsOf(param: string): readonly string[] {
  let names = statusBitNames.get(param);
  if (!names) statusBitNames.set(param, (names = CHANNEL_STATUS_BITS.map((b) => `${param}_${b}`)));
  return names;
}

/** Whether the setup writes Ieq (a GEM setup with Ieq among its monitorables). */
function writesIeq(setup: SetupConfig): boolean {
  return setup.isGEM && setup.monitorables.includes('Ieq');
}

/**
 * The series and fields of a scan (src/readings.ts): per channel one point with every read parameter
 * (and the Status bits), then (GEM) one Ieq-only point with the same measurement, tags and time; one
 * for the board if a board parameter was read. The values of a scan follow it (readingsValues).
 */
export function readingsLayout(r: SetupReading): ReadingsLayout {
  const measurement = r.setup.isGEM ? GEM_MEASUREMENT : CHANNEL_MEASUREMENT;
  const fields: FieldSpec[] = [];
  for (const param of r.values.keys()) {
    const kind = VALUE_KIND[r.kinds.get(param) ?? 'float'];
    fields.push(kind === 'status' ? { name: param, kind, bits: bitsOf(param) } : { name: param, kind });
  }
  const ieq = writesIeq(r.setup);
  const templates: PointTemplate[] = [];
  for (let i = 0; i < r.channels.length; i++) {
    const tags = channelTags(r, i);
    templates.push({ measurement, tags, fields });
    if (ieq) templates.push({ measurement, tags, fields: IEQ_FIELDS });
  }
  if (r.board.size > 0) {
    const board: FieldSpec[] = [...r.board].map(([name, { kind }]) => ({ name, kind: VALUE_KIND[kind] }));
    templates.push({ measurement: BOARD_MEASUREMENT, tags: { setup: r.setup.name, mainframe: r.mainframe, slot: String(r.setup.slot), board: r.model }, fields: board });
  }
  return { templates };
}
const IEQ_FIELDS: readonly FieldSpec[] = [{ name: 'Ieq', kind: 'double' }];

/**
 * How the supervisor reads the values of readingsValues (the writer's array): per channel the parameters
 * read, then Ieq when the setup writes it (not a parameter: the supervisor skips it), then the board's.
 * It changes exactly when readingsLayout does (layoutKey).
 */
export function scanLayout(r: SetupReading): ScanLayout {
  const params = [...r.values.keys()];
  return {
    slot: r.setup.slot,
    channels: [...r.channels],
    names: r.channels.map((_, i) => r.names[i] ?? ''),
    params,
    stride: params.length + (writesIeq(r.setup) ? 1 : 0),
    board: [...r.board.keys()],
  };
}

/** What decides a scan's layout: a scan with the same key has the same layout. */
export function layoutKey(r: SetupReading): string {
  let key = `${r.setup.name}\u0000${r.mainframe}\u0000${r.model}\u0000${r.channels.join(',')}\u0000${r.names.join('\u0001')}\u0000`;
  for (const param of r.values.keys()) key += `${param}:${r.kinds.get(param) ?? 'float'},`;
  key += '\u0000';
  for (const [param, { kind }] of r.board) key += `${param}:${kind},`;
  return key;
}

/** The values of one scan in the order of its layout (NaN where nothing was read). */
export function readingsValues(r: SetupReading): Float64Array {
  const params = [...r.values.values()];
  const ieq = writesIeq(r.setup);
  const out = new Float64Array(r.channels.length * (params.length + (ieq ? 1 : 0)) + r.board.size);
  let at = 0;
  for (let i = 0; i < r.channels.length; i++) {
    for (const values of params) out[at++] = values[i] ?? NaN;
    if (ieq) out[at++] = channelIeq(r, i) ?? NaN;
  }
  for (const { value } of r.board.values()) out[at++] = value;
  return out;
}

/**
 * All points of one scan: one per channel, then (GEM) one Ieq-only point per channel with the same
 * measurement, tags and time, plus one for the board (if a board parameter was read). The same
 * function the writer applies to the compact readings (expandReadings).
 */
export function toPoints(r: SetupReading): Point[] {
  return expandReadings(readingsLayout(r), readingsValues(r), r.timeMs);
}
