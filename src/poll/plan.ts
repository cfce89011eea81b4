// What to read for one setup and how: one GetChParam per (slot, parameter) for all channels of
// interest, one GetBdParam per board parameter, metadata and channel names once per connection
// (names again when the poller asks for a refresh: one GetChName, rarely).
import type { SetupConfig } from '../config/types.js';
import { BOARD_MONITORABLES, setupReads } from '../setup-reads.js';
import type { FieldKind, SetupReading } from './points.js';
import type { BoardInfoLike, CaenSession, ParamMetaLike } from './session.js';

/** Board parameters logged for every board, when the board has them. */
export const BOARD_PARAMS: readonly { name: string; kind: FieldKind }[] = [
  { name: 'Temp', kind: 'float' },
  { name: 'BdStatus', kind: 'int' },
];

const TYPE_NAMES = ['NUMERIC', 'ONOFF', 'CHSTATUS', 'BDSTATUS', 'BINARY', 'STRING', 'ENUM', 'CMD'];

/** How a parameter of this type is stored, or null when it cannot be stored as a number. */
export function kindOf(meta: ParamMetaLike): FieldKind | null {
  const type = typeof meta.type === 'number' ? TYPE_NAMES[meta.type] : String(meta.type).toUpperCase();
  switch (type) {
    case 'NUMERIC':
      return 'float';
    case 'CHSTATUS':
      return 'status';
    case 'ONOFF':
    case 'BDSTATUS':
    case 'BINARY':
    case 'ENUM':
      return 'int';
    default:
      return null;
  }
}

export interface SetupPlan {
  setup: SetupConfig;
  model: string;
  chParams: { name: string; kind: FieldKind }[];
  bdParams: { name: string; kind: FieldKind }[];
  /** channel names, read on the first scan of a connection (and again on the poller's refresh) */
  names?: string[];
  /** [slot]: the slot list of the board reads, the same array every scan */
  slots?: number[];
}

/** Lets the worker's event loop run (messages are delivered only then). */
export const yieldToEvents = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

export type PlanIssue = { level: 'error' | 'warn'; key: string; message: string };

/**
 * Builds the plan of one setup on a present board, reading each parameter's metadata (cached per
 * connection by the binding). A parameter the board does not have is left out and reported.
 * Connection errors propagate.
 */
export async function planSetup(
  session: CaenSession,
  setup: SetupConfig,
  board: BoardInfoLike,
  isRequestError: (err: unknown) => boolean,
  shouldStop: () => boolean = () => false,
): Promise<{ plan: SetupPlan; issues: PlanIssue[] }> {
  const issues: PlanIssue[] = [];
  const chParams: SetupPlan['chParams'] = [];
  const reads = setupReads(setup.monitorables);
  for (const name of reads.chParams) {
    await yieldToEvents();
    if (shouldStop()) break;
    try {
      const kind = kindOf(session.paramMeta(setup.slot, name));
      if (kind === null) {
        issues.push({ level: 'warn', key: `type:${name}`, message: `parameter ${name} of slot ${setup.slot} (${board.model}) is not numeric: not logged` });
      } else chParams.push({ name, kind });
    } catch (err) {
      if (!isRequestError(err)) throw err;
      issues.push({
        level: 'error',
        key: `param:${name}`,
        message: `slot ${setup.slot} (${board.model}) has no channel parameter ${name}: remove it from Monitorables (${err instanceof Error ? err.message : String(err)})`,
      });
    }
  }
  const bdParams = BOARD_PARAMS.map((p) => ({ ...p }));
  for (const m of reads.bdParams) {
    const kind = BOARD_MONITORABLES[m];
    if (kind !== undefined && !bdParams.some((p) => p.name === m)) bdParams.push({ name: m, kind });
  }
  return { plan: { setup, model: board.model, chParams, bdParams }, issues };
}

export interface ScanContext {
  session: CaenSession;
  mainframe: string;
  /** true when a stop was requested: the scan ends between two calls */
  shouldStop: () => boolean;
  /** counts one wrapper call */
  count: (n?: number) => void;
  isRequestError: (err: unknown) => boolean;
  /** a board parameter the board refused: dropped from the plan for this connection */
  onBoardParamDropped: (name: string, err: unknown) => void;
  /** read the channel names again although the plan has them (a channel renamed at the crate) */
  refreshNames?: boolean;
  /** a refresh of the names was refused: the names read before are kept */
  onNamesRefreshFailed?: (err: unknown) => void;
}

/**
 * Reads one setup: names (first time), one GetChParam per parameter, one GetBdParam per board
 * parameter, back to back (each call is synchronous; a turn of the event loop between two calls
 * costs more CPU than the call's own JavaScript). `shouldStop` is asked between two calls, so a
 * stop request (the poller's shared stop flag) ends the scan after the call in progress. Returns
 * null when stopped.
 */
export async function scanSetup(plan: SetupPlan, ctx: ScanContext): Promise<SetupReading | null> {
  const { session, setup } = { session: ctx.session, setup: plan.setup };
  const channels = setup.channels;
  const timeMs = Date.now();
  if (!plan.names || ctx.refreshNames) {
    ctx.count();
    try {
      plan.names = session.channelNames(setup.slot, channels).map((n) => n.trim());
    } catch (err) {
      // a failed refresh costs nothing but the new names: the scan goes on with the old ones
      if (!plan.names || !ctx.isRequestError(err)) throw err;
      ctx.onNamesRefreshFailed?.(err);
    }
  }
  const values = new Map<string, number[]>();
  const kinds = new Map<string, FieldKind>();
  for (const p of plan.chParams) {
    if (ctx.shouldStop()) return null;
    ctx.count();
    values.set(p.name, session.readChParam(setup.slot, p.name, channels));
    kinds.set(p.name, p.kind);
  }
  const board = new Map<string, { value: number; kind: FieldKind }>();
  for (const p of [...plan.bdParams]) {
    if (ctx.shouldStop()) return null;
    try {
      ctx.count();
      const [value] = session.readBdParam((plan.slots ??= [setup.slot]), p.name);
      if (value !== undefined) board.set(p.name, { value, kind: p.kind });
    } catch (err) {
      if (!ctx.isRequestError(err)) throw err;
      plan.bdParams = plan.bdParams.filter((q) => q.name !== p.name);
      ctx.onBoardParamDropped(p.name, err);
    }
  }
  return { setup, mainframe: ctx.mainframe, model: plan.model, channels, names: plan.names, values, kinds, board, timeMs };
}
