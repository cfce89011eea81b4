// The slice of the CAEN binding the poller uses, and how a wrapper error is classified.
import { recoveryOf, type Recovery } from '../caen/codes.js';
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

export type ErrorCause = 'connection' | 'credentials' | 'library' | 'board-absent' | 'request';

/** errors of the CAEN library file itself: a person must fix the path or the installation */
const LIBRARY_CODES: ReadonlySet<string> = new Set(['LIBRARY_NOT_FOUND', 'LIBRARY_LOAD_FAILED', 'FUNCTION_NOT_EXPORTED']);

const CAUSE_OF: Readonly<Record<Recovery, ErrorCause>> = { reconnect: 'connection', 'login-refused': 'credentials', 'board-absent': 'board-absent', request: 'request' };

/**
 * Sorts an error thrown by a binding call: reconnect, a refused login, pause the board, or a bad request.
 * A wrapper result is classified by the binding's one rule (recoveryOf, src/caen/codes.ts); anything
 * that is not a wrapper error (a dead socket surfacing as a JS error) reconnects too.
 */
export function classify(err: unknown): ErrorCause {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; result?: unknown };
  if (typeof e.code === 'string' && LIBRARY_CODES.has(e.code)) return 'library';
  return typeof e.result === 'number' ? CAUSE_OF[recoveryOf(e.result)] : 'connection';
}

/** One line for a log: the error's own message (the binding never puts a password in it). */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
