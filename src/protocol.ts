// The only shapes that cross a MessagePort between the supervisor, the mainframe workers and the writer.
// This module imports nothing of the project except the plain error shape.
import type { WireError } from './errors.js';

/** One field value with its InfluxDB line-protocol type. */
export type FieldValue =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string };

/**
 * A database point, already in its final schema. The writer never sees CAEN types: it dedups
 * per (sink, measurement + tags, field), batches and writes these.
 */
export interface Point {
  measurement: string;
  tags: Readonly<Record<string, string>>;
  fields: Readonly<Record<string, FieldValue>>;
  /** time of the read, ms since the epoch */
  timeMs: number;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Worker → writer: points of one setup, for the sink that setup names. */
export interface PointsMessage {
  type: 'points';
  /** the setup the points belong to: its heartbeat and deadbands decide what is written */
  setup: string;
  /** id of the SinkConfig the setup writes to */
  sink: string;
  points: Point[];
}

export type ToWriter = PointsMessage | { type: 'flush' } | { type: 'stop'; reason: string };
