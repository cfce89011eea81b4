// The state of one sink, as the writer reports it (status command, health endpoint, supervisor).
import type { SinkKind } from './sinks/sink.js';

/** ok: writing; failing: cannot write for now, retrying; config-error: refused (401/403/404): a person must act */
export type SinkState = 'ok' | 'failing' | 'config-error';

export interface SinkStatus {
  id: string;
  kind: SinkKind;
  /** URL and database/bucket or directory: never a secret */
  target: string;
  state: SinkState;
  /** lines accepted but not yet acknowledged (in the spool, or in memory for the file sink) */
  spooledLines: number;
  spooledBytes: number;
  /** lines thrown away: refused as bad data (400/422), too large alone (413), or over the spool bound */
  droppedLines: number;
  /** lines the target acknowledged */
  writtenLines: number;
  /** write requests made (successful or not) */
  requests: number;
  lastError?: string;
  /** ms since the epoch */
  lastErrorAt?: number;
  lastWriteAt?: number;
}
