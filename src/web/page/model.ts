// What the page shows, built from what the daemon already knows (config, state, latest readings):
// the snapshot a new stream starts with and the views of its events. No call to any crate.
import type { GemcaenConfig, SetupConfig } from '../../config/types.js';
import { electrodeAlias, electrodeSuffixOf, resistorOf } from '../../gem/resistors.js';
import type { ChannelReading } from '../../protocol.js';
import { BDSTATUS_BITS, CHSTATUS_BITS } from '../../status-bits.js';
import type { CrateHealth, SetupHealth } from '../../supervisor/state.js';

/** What the page reads of the daemon's state (the extension context's state view satisfies it). */
export interface StateView {
  readonly crates: ReadonlyMap<string, Readonly<CrateHealth>>;
  readonly setups: ReadonlyMap<string, Readonly<SetupHealth>>;
  readonly latest: ReadonlyMap<string, ChannelReading>;
}

/** The latest board values per setup (from scan events). */
export type BoardValues = ReadonlyMap<string, { timeMs: number; values: Readonly<Record<string, number>> }>;

export interface CrateView {
  id: string;
  address: string;
  systemType: string;
  state: string;
  sinceMs: number;
  detail?: string;
  lastScanMs?: number;
  setups: string[];
}

export interface SetupView {
  name: string;
  mainframe: string;
  slot: number;
  isGEM: boolean;
  layer?: number;
  channels: number[];
  monitorables: string[];
  holdOffSeconds: number;
  lastScanMs?: number;
  scans: number;
  paused: boolean;
  reason?: string;
  board?: { timeMs: number; values: Readonly<Record<string, number>> };
  /** GEM setups: divider resistor (MOhm) and alias per channel, from the channel names read */
  electrodes?: { channel: number; alias: string; resistorMOhm?: number }[];
}

export interface ReadingView {
  channel: number;
  name: string;
  timeMs: number;
  values: Readonly<Record<string, number>>;
}

/** One alarm as the page lists it. */
export interface AlarmView {
  id: string;
  state: 'raised' | 'cleared' | 'acknowledged';
  active: boolean;
  acknowledged: boolean;
  severity: string;
  mainframe?: string;
  setup?: string;
  slot?: number;
  channel?: number;
  name?: string;
  bits?: readonly string[];
  text: string;
  timeMs: number;
  acknowledgedBy?: string;
}

/** One audit line (a set made by anyone, or a change seen at the crate). */
export interface AuditView {
  timeMs: number;
  who: string;
  from?: string;
  mainframe?: string;
  setup?: string;
  slot?: number;
  channel?: number;
  param: string;
  before?: number | null;
  after?: number | null;
  code: string;
  external: boolean;
}

export interface PageSettings {
  grafanaUrl?: string;
  confirmStepVolts: number;
  historyMinutes: number;
  readOnly: boolean;
}

export interface Snapshot {
  serverTimeMs: number;
  settings: PageSettings;
  crates: CrateView[];
  setups: SetupView[];
  readings: Record<string, ReadingView[]>;
  alarms: AlarmView[];
  audit: AuditView[];
  /** the Status and BdStatus bit tables (one place: src/status-bits.ts), so the page decodes as the CLI does */
  statusBits: { channel: StatusBitView[]; board: StatusBitView[] };
}

export interface StatusBitView {
  bit: number;
  name: string;
  alarm: boolean;
}

const bitViews = (table: readonly StatusBitView[]) => table.map((b) => ({ bit: b.bit, name: b.name, alarm: b.alarm }));

export function crateView(c: Readonly<CrateHealth>): CrateView {
  return { id: c.id, address: c.address, systemType: c.systemType, state: c.state, sinceMs: c.sinceMs, ...(c.detail ? { detail: c.detail } : {}), ...(c.lastScanMs ? { lastScanMs: c.lastScanMs } : {}), setups: c.setups };
}

export function setupView(config: SetupConfig | undefined, h: Readonly<SetupHealth>, state: StateView, boards: BoardValues): SetupView {
  const readings = readingsOf(state, h.name);
  const board = boards.get(h.name);
  const view: SetupView = {
    name: h.name,
    mainframe: h.mainframe,
    slot: config?.slot ?? readings[0]?.slot ?? 0,
    isGEM: config?.isGEM ?? false,
    ...(config?.layer ? { layer: config.layer } : {}),
    channels: [...(config?.channels ?? readings.map((r) => r.channel))],
    monitorables: [...(config?.monitorables ?? [])],
    holdOffSeconds: h.holdOffSeconds,
    ...(h.lastScanMs ? { lastScanMs: h.lastScanMs } : {}),
    scans: h.scans,
    paused: h.paused,
    ...(h.reason ? { reason: h.reason } : {}),
    ...(board ? { board } : {}),
  };
  if (config?.isGEM) {
    const names = new Map(readings.map((r) => [r.channel, r.name]));
    view.electrodes = config.channels.map((ch) => {
      const suffix = electrodeSuffixOf(names.get(ch) ?? '');
      const r = suffix && config.gem ? resistorOf(suffix, config.gem.resistorsMOhm) : undefined;
      return { channel: ch, alias: electrodeAlias(ch), ...(r !== undefined ? { resistorMOhm: r } : {}) };
    });
  }
  return view;
}

function readingsOf(state: StateView, setup: string): ChannelReading[] {
  const out: ChannelReading[] = [];
  for (const r of state.latest.values()) if (r.setup === setup) out.push(r);
  return out.sort((a, b) => a.channel - b.channel);
}

export function readingView(r: ChannelReading): ReadingView {
  return { channel: r.channel, name: r.name, timeMs: r.timeMs, values: r.values };
}

export function buildSnapshot(config: GemcaenConfig, state: StateView, boards: BoardValues, settings: PageSettings, alarms: AlarmView[], audit: AuditView[]): Snapshot {
  const readings: Record<string, ReadingView[]> = {};
  for (const name of state.setups.keys()) readings[name] = readingsOf(state, name).map(readingView);
  return {
    serverTimeMs: Date.now(),
    settings,
    crates: [...state.crates.values()].map(crateView),
    setups: [...state.setups.values()].map((h) => setupView(config.setups.get(h.name), h, state, boards)),
    readings,
    alarms,
    audit,
    statusBits: { channel: bitViews(CHSTATUS_BITS), board: bitViews(BDSTATUS_BITS) },
  };
}
