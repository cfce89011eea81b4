// Messages of the writer thread (workers/writer.worker.ts). Points arrive as ToWriter (src/protocol.ts)
// on the MessagePorts the supervisor hands over, or directly on the worker's parentPort.
import type { MessagePort } from 'node:worker_threads';
import type { WireError } from '../errors.js';
import type { LogLevel, PointsMessage } from '../protocol.js';
import type { SinkStatus } from './status.js';

/** supervisor → writer thread (parentPort) */
export type ToWriterThread =
  /** the writer end of a mainframe worker's channel (transfer the port) */
  | { type: 'port'; mainframe: string; port: MessagePort }
  | PointsMessage
  /** write everything now; answered by {type:'status'} once done or failing */
  | { type: 'flush' }
  /** answered by {type:'status'} */
  | { type: 'status' }
  /** flush what can be written within timeoutMs (default 5000), keep the rest in the spool, post 'stopped', exit */
  | { type: 'stop'; reason: string; timeoutMs?: number };

/** writer thread → supervisor */
export type FromWriterThread =
  /** spools opened, replay started: ports and points are taken from now on */
  | { type: 'ready' }
  | { type: 'log'; level: LogLevel; message: string }
  /** every sink; sent on request, after flush, and whenever a sink changes state */
  | { type: 'status'; sinks: SinkStatus[] }
  /** the writer could not start (e.g. spool directory unusable); the thread exits */
  | { type: 'fault'; error: WireError }
  /** after 'stop': everything written or spooled; the thread exits next */
  | { type: 'stopped' };
