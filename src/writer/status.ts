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
  /** of spooledLines, those held only in memory because the spool cannot be appended (lost at a crash) */
  unspooledLines: number;
  /** why the spool cannot be appended or cannot record acknowledgements, with the fix; absent while it works */
  spoolError?: string;
  /** lines thrown away: refused as bad data (400/422), too large alone (413), over the spool bound, over the
   *  memory bound while the spool cannot be appended, or held in memory at a stop */
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
