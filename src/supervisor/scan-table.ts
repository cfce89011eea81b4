// The supervisor's side of a setup's scans, positional: a worker sends per scan only a Float64Array of
// values, and how to read it (ScanLayout, src/protocol.ts) with the first scan and when it changes.
// Per layout the supervisor makes one SetupTable: a ChannelCell per channel (the same cell for the same
// setup and channel across layouts), the column of Status, the offset of the board's values. A scan then
// costs no string, no Map lookup and no object per channel: the cells point at the scan's values, and a
// ChannelReading (what health, /readings, /metrics, the web page and extensions read) is made only when
// someone asks for it, once per scan and channel.
import type { ScanEvent } from '../events/types.js';
import type { ChannelReading, ScanLayout } from '../protocol.js';

/** One scan of a setup: its values as they arrived (never changed), and the readings made of them so far. */
export class ScanSnapshot {
  #readings: (ChannelReading | undefined)[] | null = null;
  #all: readonly ChannelReading[] | null = null;

  constructor(
    readonly table: SetupTable,
    readonly values: Float64Array,
    readonly timeMs: number,
  ) {}

  /** The reading of row `row` (made on first use, the same object afterwards). */
  reading(row: number): ChannelReading {
    const made = (this.#readings ??= new Array<ChannelReading | undefined>(this.table.layout.channels.length));
    return (made[row] ??= this.table.readingOf(this.values, row, this.timeMs));
  }

  /** Every channel's reading, in the order of the layout. */
  readings(): readonly ChannelReading[] {
    if (this.#all === null) {
      const n = this.table.layout.channels.length;
      const all = new Array<ChannelReading>(n);
      for (let i = 0; i < n; i++) all[i] = this.reading(i);
      this.#all = all;
    }
    return this.#all;
  }
}

/**
 * The `scan` event of one setup scan (a class, not a literal with a getter: V8 builds those slowly).
 * `channels` is made on first read; JSON.stringify gives the readable form (channels and board, not the
 * positional layout and values).
 */
export class ScanEventData implements ScanEvent {
  readonly slot: number;
  readonly board: Readonly<Record<string, number>>;
  readonly layout: ScanLayout;
  readonly values: Float64Array;
  readonly timeMs: number;
  readonly #scan: ScanSnapshot;

  constructor(
    readonly mainframe: string,
    readonly setup: string,
    readonly durationMs: number,
    readonly calls: number,
    readonly points: number,
    scan: ScanSnapshot,
  ) {
    const table = scan.table;
    this.layout = table.layout;
    this.slot = table.layout.channels.length > 0 ? table.layout.slot : 0;
    this.timeMs = scan.timeMs;
    this.values = scan.values;
    this.board = table.board(scan.values);
    this.#scan = scan;
  }

  get channels(): readonly ChannelReading[] {
    return this.#scan.readings();
  }

  toJSON(): Omit<ScanEvent, 'layout' | 'values'> {
    const { mainframe, setup, slot, timeMs, durationMs, calls, points, channels, board } = this;
    return { mainframe, setup, slot, timeMs, durationMs, calls, points, channels, board };
  }
}

/** The latest reading of one channel of a setup: the scan it was last in, and its row there. */
export class ChannelCell {
  /** Status word of the latest reading (undefined: not read, or not a number) */
  status: number | undefined = undefined;
  scan: ScanSnapshot | null = null;
  row = 0;

  constructor(readonly key: string) {}

  reading(): ChannelReading | undefined {
    return this.scan?.reading(this.row);
  }
}

/** How to read a setup's scans of one layout. */
export class SetupTable {
  /** one per channel of the layout, in its order */
  readonly cells: readonly ChannelCell[];
  /** column of the Status parameter, -1 when the setup does not read it */
  readonly statusAt: number;
  /** where the board's values start */
  readonly boardAt: number;
  readonly #emptyBoard: Readonly<Record<string, number>> = Object.freeze({});

  constructor(
    readonly setup: string,
    readonly layout: ScanLayout,
    cellOf: (key: string) => ChannelCell,
  ) {
    this.cells = layout.channels.map((channel) => cellOf(`${setup}/${channel}`));
    this.statusAt = layout.params.indexOf('Status');
    this.boardAt = layout.channels.length * layout.stride;
  }

  /** Whether `values` has the length this layout reads. */
  fits(values: Float64Array): boolean {
    return values.length === this.boardAt + this.layout.board.length;
  }

  /** Status word of row `row` (undefined when not read or not a number), as status-change compares it. */
  statusOf(values: Float64Array, row: number): number | undefined {
    if (this.statusAt < 0) return undefined;
    const v = values[row * this.layout.stride + this.statusAt]!;
    return Number.isFinite(v) ? v >>> 0 : undefined;
  }

  /** The board's values of a scan by parameter ({} when the setup reads none). */
  board(values: Float64Array): Readonly<Record<string, number>> {
    const names = this.layout.board;
    if (names.length === 0) return this.#emptyBoard;
    const out: Record<string, number> = {};
    for (let j = 0; j < names.length; j++) out[names[j]!] = values[this.boardAt + j]!;
    return out;
  }

  readingOf(values: Float64Array, row: number, timeMs: number): ChannelReading {
    const { params, stride, slot, channels, names } = this.layout;
    const v: Record<string, number> = {};
    const at = row * stride;
    for (let j = 0; j < params.length; j++) v[params[j]!] = values[at + j]!;
    return { setup: this.setup, slot, channel: channels[row]!, name: names[row] ?? '', timeMs, values: v };
  }
}

/**
 * The latest reading of every channel, key `setup/channel` (DaemonState.latest): a Map of cells, each
 * pointing at its channel's last scan. A channel that a new layout no longer has keeps its last reading.
 */
export class LatestReadings implements ReadonlyMap<string, ChannelReading> {
  readonly #cells = new Map<string, ChannelCell>();

  /** The cell of `key`, made on first use (layout changes only). */
  cell(key: string): ChannelCell {
    let c = this.#cells.get(key);
    if (!c) this.#cells.set(key, (c = new ChannelCell(key)));
    return c;
  }

  get size(): number {
    let n = 0;
    for (const c of this.#cells.values()) if (c.scan) n++;
    return n;
  }

  get(key: string): ChannelReading | undefined {
    return this.#cells.get(key)?.reading();
  }

  has(key: string): boolean {
    return this.#cells.get(key)?.scan != null;
  }

  *entries(): MapIterator<[string, ChannelReading]> {
    for (const c of this.#cells.values()) {
      const r = c.reading();
      if (r) yield [c.key, r];
    }
  }

  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<ChannelReading> {
    for (const [, r] of this.entries()) yield r;
  }

  [Symbol.iterator](): MapIterator<[string, ChannelReading]> {
    return this.entries();
  }

  forEach(fn: (value: ChannelReading, key: string, map: ReadonlyMap<string, ChannelReading>) => void, thisArg?: unknown): void {
    for (const [k, r] of this.entries()) fn.call(thisArg, r, k, this);
  }
}
