// Decoding of CAEN's event structures (docs/caen-wrapper.md §10) for the simulator's tests: CAENHV_SYSTEMSTATUS_t
// (68 bytes) and the 1060-byte CAENHVEVENT_TYPE_t records of a CAENHV_GetEventData array.
import koffi from 'koffi';

export const EVENT_SIZE = 1060;
export const EventType = { PARAMETER: 0, ALARM: 1, KEEPALIVE: 2, TRMODE: 3 } as const;

export interface EventRecord {
  type: number;
  systemHandle: number;
  board: number;
  channel: number;
  item: string;
  /** the value union read three ways; the item's type says which applies */
  float: number;
  int: number;
  string: string;
}

export interface EventBatch {
  /** ms (performance.timeOrigin-based) when the batch came back from GetEventData */
  atMs: number;
  system: number;
  boards: number[];
  records: EventRecord[];
}

function cString(buf: Buffer, from: number, size: number): string {
  const end = buf.indexOf(0, from);
  return buf.toString('latin1', from, end < 0 || end > from + size ? from + size : end);
}

export function decodeEvents(status: Buffer, data: unknown, count: number): EventBatch {
  const buf = count > 0 ? Buffer.from(koffi.view(data, count * EVENT_SIZE) as ArrayBuffer) : Buffer.alloc(0);
  const records: EventRecord[] = [];
  for (let i = 0; i < count; i++) {
    const o = i * EVENT_SIZE;
    records.push({
      type: buf.readInt32LE(o),
      systemHandle: buf.readInt32LE(o + 4),
      board: buf.readInt32LE(o + 8),
      channel: buf.readInt32LE(o + 12),
      item: cString(buf, o + 16, 20),
      float: buf.readFloatLE(o + 36),
      int: buf.readInt32LE(o + 36),
      string: cString(buf, o + 36, 1024),
    });
  }
  return {
    atMs: performance.timeOrigin + performance.now(),
    system: status.readInt32LE(0),
    boards: Array.from({ length: 16 }, (_, b) => status.readInt32LE(4 + 4 * b)),
    records,
  };
}
