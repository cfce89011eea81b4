// Synthetic scans in the daemon's final schema (src/poll/points.ts toPoints): one PointsMessage (or the
// compact ReadingsMessage a worker sends) per (crate, slot) per round, 24 channel points (VMon, IMon, V0Set, I0Set, Pw, Status + 16 Status bits)
// and one board point, exactly what the workers send the writer for the benchmark's full crates.
import type { SetupConfig } from '../../src/config/types.js';
import type { FieldKind } from '../../src/poll/points.js';
import { readingsLayout, readingsValues, toPoints, type SetupReading } from '../../src/poll/points.js';
import type { PointsMessage, ReadingsMessage } from '../../src/protocol.js';
import { BOARD_MODEL, CHANNELS, crateName, MONITORABLES, setupName, SLOTS } from './fixtures.js';

const KINDS: ReadonlyMap<string, FieldKind> = new Map<string, FieldKind>([
  ['VMon', 'float'],
  ['IMon', 'float'],
  ['V0Set', 'float'],
  ['I0Set', 'float'],
  ['Pw', 'int'],
  ['Status', 'status'],
]);

const CHANNEL_LIST = Array.from({ length: CHANNELS }, (_, i) => i);
const NAMES = CHANNEL_LIST.map((i) => `CHANNEL${i < 10 ? '0' : ''}${i}`);

export function benchSetups(crates: number, sink: string): SetupConfig[] {
  const out: SetupConfig[] = [];
  for (let c = 0; c < crates; c++) {
    for (let s = 0; s < SLOTS; s++) {
      out.push({
        name: setupName(c, s),
        monitorables: MONITORABLES,
        holdOffSeconds: 1,
        isGEM: false,
        mainframe: crateName(c),
        slot: s,
        channels: CHANNEL_LIST,
        sink,
        heartbeatSeconds: 300,
        deadbands: {},
      });
    }
  }
  return out;
}

/** What one round (every setup scanned once) at `timeMs` read; values move with `round`. */
export function roundReadings(setups: readonly SetupConfig[], timeMs: number, round: number): SetupReading[] {
  return setups.map((setup, k) => {
    const vmon = CHANNEL_LIST.map((ch) => Math.fround(1500 + ((round * 7 + ch + k) % 10) * 0.1));
    const values = new Map<string, number[]>([
      ['VMon', vmon],
      ['IMon', vmon.map((v, ch) => Math.fround(v / 1000 + ((round + ch) % 5) * 0.01))],
      ['V0Set', CHANNEL_LIST.map(() => 1500)],
      ['I0Set', CHANNEL_LIST.map(() => 20)],
      ['Pw', CHANNEL_LIST.map(() => 1)],
      ['Status', CHANNEL_LIST.map(() => 1)],
    ]);
    const board = new Map<string, { value: number; kind: FieldKind }>([
      ['Temp', { value: Math.fround(30 + (round % 3) * 0.1), kind: 'float' }],
      ['BdStatus', { value: 0, kind: 'int' }],
    ]);
    return { setup, mainframe: setup.mainframe, model: BOARD_MODEL, channels: CHANNEL_LIST, names: NAMES, values, kinds: KINDS, board, timeMs };
  });
}

/** The messages of one round as points (toPoints). */
export function roundMessages(setups: readonly SetupConfig[], timeMs: number, round: number): PointsMessage[] {
  return roundReadings(setups, timeMs, round).map((r) => ({ type: 'points', setup: r.setup.name, sink: r.setup.sink, points: toPoints(r) }));
}

/** The messages of one round as a mainframe worker sends them: compact, the layout with a setup's first scan only. */
export function roundReadingsMessages(setups: readonly SetupConfig[], timeMs: number, round: number, withLayout: boolean): ReadingsMessage[] {
  return roundReadings(setups, timeMs, round).map((r) => {
    const m: ReadingsMessage = { type: 'readings', setup: r.setup.name, sink: r.setup.sink, timeMs: r.timeMs, values: readingsValues(r) };
    if (withLayout) m.layout = readingsLayout(r);
    return m;
  });
}
