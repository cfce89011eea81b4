// Event mode of the binding (WRAPPER.md §10): CAENHV_GetEventData and CAENHV_FreeEventData, the records
// decoded by each item's type. GetEventData has no handle: it reads the socket the client accepted from
// the mainframe. The lib-alloc array is freed in `finally`, whatever happens while it is decoded.
import { GemcaenError } from '../errors.js';
import { CaenError } from './caen-error.js';
import { CaenLibrary, copyBytes, cStrlen, type CPointer } from './library.js';

/** CAENHVEVENT_TYPE_t: 1060 bytes on x86-64. */
export const EVENT_RECORD_SIZE = 1060;
const VALUE_OFFSET = 36;
const ITEM_ID_SIZE = 20;
/** CAENHV_SYSTEMSTATUS_t: { int System; int Board[16]; } */
export const SYSTEM_STATUS_SIZE = 68;

export const EVENT_TYPE = Object.freeze({ PARAMETER: 0, ALARM: 1, KEEPALIVE: 2, TRMODE: 3 } as const);
export const EVENT_STATUS = Object.freeze(['SYNC', 'ASYNC', 'UNSYNC', 'NOTAVAIL'] as const);

/** How an item's value is read from the record's union. */
export type EventValueKind = 'float' | 'int' | 'string';

export interface CaenEvent {
  /** PARAMETER 0, ALARM 1, KEEPALIVE 2, TRMODE 3 */
  type: number;
  systemHandle: number;
  /** -1 for system items */
  board: number;
  /** -1 for board and system items */
  channel: number;
  /** the bare parameter name, e.g. "VMon", "Name", "KeepAlive" */
  item: string;
  /** the value by the item's kind; undefined when the kind of the item is not known (not decoded) */
  value?: number | string;
}

export interface EventBatch {
  /** status of the system and of the 16 boards: 0 SYNC, 1 ASYNC, 2 UNSYNC, 3 NOTAVAIL */
  system: number;
  boards: number[];
  events: CaenEvent[];
}

/**
 * Binding of CAENHV_GetEventData(): blocks until the mainframe sends one batch on `socket` (call it when the
 * socket is readable). `kindOf` says how to read each item's value (by the parameter's type; `Name` is a
 * string); a KEEPALIVE has no value. The array is freed with CAENHV_FreeEventData in `finally`. Throws
 * CaenError (READERR 3 when the link is lost).
 */
export function getEventData(
  lib: CaenLibrary,
  socket: number,
  kindOf: (board: number, channel: number, item: string) => EventValueKind | undefined,
): EventBatch {
  const status = Buffer.alloc(SYSTEM_STATUS_SIZE);
  const data: [CPointer] = [null];
  const count: [number] = [0];
  const result = lib.fn('CAENHV_GetEventData')(socket, status, data, count);
  try {
    if (result !== 0) throw new CaenError('CAENHV_GetEventData', result, 'event connection lost', `socket ${socket}`);
    const n = count[0];
    const p = data[0];
    if (n > 0 && !p) throw new GemcaenError('CAEN_BAD_REPLY', `CAENHV_GetEventData returned OK with a NULL array for ${n} events`);
    const events: CaenEvent[] = [];
    for (let i = 0; i < n; i++) events.push(decodeRecord(p as bigint, i * EVENT_RECORD_SIZE, kindOf));
    return { system: status.readInt32LE(0), boards: Array.from({ length: 16 }, (_, b) => status.readInt32LE(4 + 4 * b)), events };
  } finally {
    if (data[0]) freeEventData(lib, data[0]);
  }
}

/** Binding of CAENHV_FreeEventData(); never throws (a free that cannot run leaks, it must not mask a result). */
export function freeEventData(lib: CaenLibrary, p: CPointer): void {
  try {
    lib.fn('CAENHV_FreeEventData')([p]);
  } catch {
    /* see above */
  }
}

/** Copies only what is needed (header, 4 value bytes or the string up to its NUL) out of lib-alloc memory. */
function decodeRecord(p: bigint, offset: number, kindOf: (board: number, channel: number, item: string) => EventValueKind | undefined): CaenEvent {
  const head = copyBytes(p + BigInt(offset), VALUE_OFFSET + 4);
  const itemEnd = head.indexOf(0, 16);
  const item = head.toString('latin1', 16, itemEnd < 0 || itemEnd > 16 + ITEM_ID_SIZE ? 16 + ITEM_ID_SIZE : itemEnd);
  const ev: CaenEvent = { type: head.readInt32LE(0), systemHandle: head.readInt32LE(4), board: head.readInt32LE(8), channel: head.readInt32LE(12), item };
  if (ev.type !== EVENT_TYPE.PARAMETER) return ev;
  const kind = kindOf(ev.board, ev.channel, item);
  if (kind === 'float') ev.value = head.readFloatLE(VALUE_OFFSET);
  else if (kind === 'int') ev.value = head.readUInt32LE(VALUE_OFFSET);
  else if (kind === 'string') {
    const at = p + BigInt(offset + VALUE_OFFSET);
    ev.value = copyBytes(at, cStrlen(at, 0, 1023)).toString('latin1');
  }
  return ev;
}
