// `gemcaen status <setup> [--json]`: one reading of a setup's channels × monitorables, with channel names,
// the Status word decoded into its bits, Pw as On/Off, Ieq for GEM setups, and the board's Temp/BdStatus.
// Cost: one GetChParam per channel parameter for all the setup's channels, one GetBdParam per board
// parameter; metadata (parameter names and properties, channel names, board presence) once.
import type { Command } from 'commander';
import type { CaenMainframe } from '../caen/mainframe.js';
import { decodeBdStatus, decodeChStatus, chStatusHasAlarm } from '../caen/status-bits.js';
import type { BoardInfo, ParamMeta } from '../caen/types.js';
import type { SetupConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import { float32Decimal } from '../float32.js';
import { channelIeqMicroAmps, DEFAULT_RESISTORS_MOHM, IEQ_DECIMALS } from '../gem/index.js';
import { setupReads } from '../setup-reads.js';
import { action } from './command.js';
import { withSetupCrate, type SetupCrateContext } from './open-setup.js';
import { headerText, numberText, table, unitText } from './render/format.js';
import { isoTime } from '../time.js';

interface StatusOptions {
  config?: string;
  json?: boolean;
}

/** Board parameters shown for every board that has them, besides the setup's board monitorables. */
const ALWAYS_BOARD = ['Temp', 'BdStatus'] as const;

/** One column of the channel table. */
export interface StatusColumn {
  name: string;
  /** PARAM_TYPE name, or DERIVED for a value gemcaen computes (Ieq) */
  type: string;
  /** "V", "uA", … ('' when none) */
  unit: string;
  decimal?: number;
  /** ONOFF only */
  onState?: string;
  offState?: string;
}

export interface StatusChannel {
  channel: number;
  name: string;
  /** raw values by parameter (NUMERIC to float32 precision); Ieq null when the name has no electrode suffix */
  values: Record<string, number | null>;
  /** Status as its bit names, ONOFF parameters as their texts, BDSTATUS as bit names */
  decoded: Record<string, string | string[]>;
  /** true when any alarm bit of Status is set */
  alarm?: boolean;
}

export interface StatusReport {
  setup: string;
  mainframe: { address: string; systemType: string };
  slot: number;
  board: BoardInfo & { values: Record<string, number>; decoded: Record<string, string[]>; units: Record<string, string> };
  columns: StatusColumn[];
  channels: StatusChannel[];
  /** ISO time of the reading */
  time: string;
}

export function register(program: Command): void {
  program
    .command('status')
    .description("read a setup's channels once: monitorables, decoded Status, Pw, Ieq (GEM), board Temp and BdStatus")
    .argument('<setup>', 'setup name from the config')
    .option('--json', 'print the reading as one JSON document')
    .action(
      action(async (name: string, _opts: StatusOptions, command: Command) => {
        const opts = command.optsWithGlobals<StatusOptions>();
        const report = await withSetupCrate(opts, name, readStatus);
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderStatus(report));
      }),
    );
}

/** The setup's monitorables the board lacks → UsageError UNKNOWN_PARAMETER listing what the board has. */
function checkParameters(crate: CaenMainframe, setup: SetupConfig, board: BoardInfo, chParams: readonly string[], bdParams: readonly string[], bdNames: readonly string[]): void {
  const chNames = crate.chParamNames(setup.slot, setup.channels[0] as number);
  const missing = [...chParams.filter((p) => !chNames.includes(p)), ...bdParams.filter((p) => !bdNames.includes(p))];
  if (missing.length === 0) return;
  throw new UsageError(
    'UNKNOWN_PARAMETER',
    `setup ${setup.name}: the ${board.model} in slot ${setup.slot} has no parameter ${missing.join(', ')}; ` +
      `its channel parameters: ${chNames.join(' ')}; board parameters: ${bdNames.join(' ') || 'none'}; fix Monitorables`,
    { details: { setup: setup.name, slot: setup.slot, missing, channelParameters: chNames, boardParameters: [...bdNames] } },
  );
}

function columnOf(meta: ParamMeta): StatusColumn {
  const col: StatusColumn = { name: meta.name, type: meta.type, unit: meta.type === 'NUMERIC' ? unitText(meta) : '' };
  if (meta.decimal !== undefined) col.decimal = meta.decimal;
  if (meta.onState !== undefined) col.onState = meta.onState;
  if (meta.offState !== undefined) col.offState = meta.offState;
  return col;
}

/** Reads the setup once (the callback of withSetupCrate). */
export function readStatus({ crate, setup, mainframe, board }: SetupCrateContext): StatusReport {
  const { chParams, bdParams, derived } = setupReads(setup.monitorables);
  const bdNames = crate.bdParamNames(setup.slot);
  checkParameters(crate, setup, board, chParams, bdParams, bdNames);
  const channels = setup.channels;
  const names = crate.channelNames(setup.slot, channels).map((n) => n.trim());
  const columns: StatusColumn[] = [];
  const values = new Map<string, number[]>();
  for (const p of chParams) {
    values.set(p, crate.readChParam(setup.slot, p, channels));
    columns.push(columnOf(crate.paramMeta(setup.slot, p, channels[0])));
  }
  const resistors = setup.gem?.resistorsMOhm ?? DEFAULT_RESISTORS_MOHM;
  if (derived.includes('Ieq')) columns.push({ name: 'Ieq', type: 'DERIVED', unit: 'uA', decimal: IEQ_DECIMALS });

  const rows: StatusChannel[] = channels.map((channel, i) => {
    const row: StatusChannel = { channel, name: names[i] ?? '', values: {}, decoded: {} };
    for (const col of columns) {
      if (col.name === 'Ieq') {
        const vmon = values.get('VMon')?.[i];
        row.values.Ieq = (vmon === undefined ? undefined : channelIeqMicroAmps(float32Decimal(vmon), row.name, resistors)) ?? null;
        continue;
      }
      const v = values.get(col.name)?.[i] as number;
      row.values[col.name] = col.type === 'NUMERIC' ? float32Decimal(v) : v;
      if (col.type === 'CHSTATUS') {
        row.decoded[col.name] = decodeChStatus(v);
        if (col.name === 'Status') row.alarm = chStatusHasAlarm(v);
      } else if (col.type === 'BDSTATUS') row.decoded[col.name] = decodeBdStatus(v);
      else if (col.type === 'ONOFF') row.decoded[col.name] = (v ? col.onState : col.offState) ?? String(v);
    }
    return row;
  });

  const boardValues: Record<string, number> = {};
  const boardDecoded: Record<string, string[]> = {};
  const boardUnits: Record<string, string> = {};
  const boardParams = [...ALWAYS_BOARD.filter((p) => bdNames.includes(p)), ...bdParams.filter((p) => !(ALWAYS_BOARD as readonly string[]).includes(p))];
  for (const p of boardParams) {
    const [v] = crate.readBdParam([setup.slot], p);
    if (v === undefined) continue;
    const meta = crate.bdParamMeta(setup.slot, p);
    boardValues[p] = meta.type === 'NUMERIC' ? float32Decimal(v) : v;
    if (meta.type === 'NUMERIC') boardUnits[p] = unitText(meta);
    if (meta.type === 'BDSTATUS') boardDecoded[p] = decodeBdStatus(v);
  }
  return {
    setup: setup.name,
    mainframe: { address: mainframe.address, systemType: mainframe.systemType },
    slot: setup.slot,
    board: { ...board, values: boardValues, decoded: boardDecoded, units: boardUnits },
    columns,
    channels: rows,
    time: isoTime(),
  };
}

function cellText(row: StatusChannel, col: StatusColumn): string {
  const v = row.values[col.name];
  if (v === null || v === undefined) return '-';
  const decoded = row.decoded[col.name];
  if (Array.isArray(decoded)) return decoded.length === 0 ? (col.type === 'CHSTATUS' ? 'OFF' : 'OK') : decoded.join(' ');
  if (decoded !== undefined) return decoded;
  if (col.type === 'NUMERIC' || col.type === 'DERIVED') return numberText(v, col.decimal);
  if (col.type === 'BINARY') return `0x${v.toString(16)}`;
  return String(v);
}

export function renderStatus(r: StatusReport): string {
  const b = r.board;
  const boardParts = Object.entries(b.values).map(([k, v]) => {
    const decoded = b.decoded[k];
    if (decoded) return `${k} ${decoded.length === 0 ? 'OK' : decoded.join(' ')}`;
    return `${k} ${numberText(v, 1)}${b.units[k] ? ` ${b.units[k]}` : ''}`;
  });
  const lines = [
    `${r.setup}: ${r.mainframe.systemType} ${r.mainframe.address}, slot ${r.slot} ${b.model}${b.description ? ` (${b.description})` : ''}` +
      (boardParts.length ? `, ${boardParts.join(', ')}` : ''),
  ];
  lines.push(
    table(
      ['ch', 'name', ...r.columns.map((c) => headerText(c.name, c.unit))],
      r.channels.map((row) => [String(row.channel), row.name, ...r.columns.map((c) => cellText(row, c))]),
    ),
  );
  const alarms = r.channels.filter((c) => c.alarm);
  if (alarms.length > 0) {
    lines.push(`${alarms.length} channel${alarms.length > 1 ? 's' : ''} in alarm: ${alarms.map((c) => `${c.channel} (${(c.decoded.Status as string[]).join(' ')})`).join(', ')}`);
  }
  lines.push(`read at ${r.time}`);
  return `${lines.join('\n')}\n`;
}
