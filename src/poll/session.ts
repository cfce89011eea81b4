// The slice of the CAEN binding the poller uses, and how a wrapper error is classified.
// Every method is one wrapper call (paramMeta may make several on a cache miss).
export interface BoardInfoLike {
  slot: number;
  model: string;
  description?: string;
  channels: number;
  serial?: number;
  firmware?: string;
}

export interface ParamMetaLike {
  type: number | string;
}

export interface CaenSession {
  /** wrapper calls made through this handle, when the binding counts them */
  readonly calls?: number;
  /** the wrapper's handle number */
  readonly handle?: number;
  /** logs out; a failure is returned (the handle is released either way), never thrown */
  deinit(): Error | undefined;
  crateMap(): BoardInfoLike[];
  boardPresence(slot: number): BoardInfoLike | null | undefined | { model?: string; channels?: number };
  paramMeta(slot: number, param: string): ParamMetaLike;
  /** forgets the cached parameter metadata of one slot (a board may have been swapped) */
  clearMetaCache?(slot?: number): void;
  readChParam(slot: number, param: string, channels: readonly number[]): number[];
  channelNames(slot: number, channels: readonly number[]): string[];
  readBdParam(slots: readonly number[], param: string): number[];
  sysPropList(): string[];
}

/** Result codes (WRAPPER.md §6) the poller branches on. */
export const Code = {
  TIMEERR: 4,
  DOWN: 5,
  NOTPRES: 6,
  SLOTNOTPRES: 7,
  PARAMNOTFOUND: 22,
  INVALIDPARAMETER: 26,
  SOCKETERROR: 28,
  COMMUNICATIONERROR: 29,
  NOTCONNECTED: 0x1002,
  LOGINFAILED: 0x1004,
  USERPASSFAILED: 0x1007,
} as const;

export type ErrorCause = 'connection' | 'credentials' | 'library' | 'board-absent' | 'request';

/** errors of the CAEN library file itself: a person must fix the path or the installation */
const LIBRARY_CODES: ReadonlySet<string> = new Set(['LIBRARY_NOT_FOUND', 'LIBRARY_LOAD_FAILED', 'FUNCTION_NOT_EXPORTED']);

interface ErrorShape {
  code?: unknown;
  result?: unknown;
  connectionLost?: unknown;
}

/**
 * Sorts an error thrown by a binding call: reconnect, alarm on credentials, pause the board, or a bad
 * request. The binding's `connectionLost` decides, plus: negative results (the power supply's own
 * errors) also reconnect, as the original's users saw them on wedged crates; anything that is not a
 * CaenError (a dead socket surfacing as a JS error) reconnects too.
 */
export function classify(err: unknown): ErrorCause {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorShape;
  const result = typeof e.result === 'number' ? e.result : undefined;
  if (typeof e.code === 'string' && LIBRARY_CODES.has(e.code)) return 'library';
  if (result === undefined) return 'connection';
  if (result === Code.LOGINFAILED || result === Code.USERPASSFAILED) return 'credentials';
  if (result === Code.SLOTNOTPRES) return 'board-absent';
  if (e.connectionLost === true || result < 0) return 'connection';
  return 'request';
}

/** One line for a log: the error's own message (the binding never puts a password in it). */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
