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
  /** false: write every point as it is (the daemon's own events: two equal events are two events) */
  dedup?: false;
}

export type ToWriter = PointsMessage | { type: 'flush' } | { type: 'stop'; reason: string };

// ---- mainframe worker ⇄ supervisor (control port of one mainframe task) ----

/** A mainframe as it crosses into its worker: the password in clear (a Secret does not survive structured clone). */
export interface MainframeWire {
  id: string;
  systemType: string;
  linkType: string;
  address: string;
  user: string;
  password: string;
  library?: string;
  keepaliveSeconds: number;
}

/** Connection state of one mainframe as its worker sees it. */
export type CrateState = 'connecting' | 'connected' | 'backoff' | 'auth-failed' | 'library-error' | 'stopped';

/** The latest reading of one channel (what status, health and a web page show). */
export interface ChannelReading {
  setup: string;
  slot: number;
  channel: number;
  name: string;
  timeMs: number;
  values: Readonly<Record<string, number>>;
}

export type MainframeToSupervisor =
  | { type: 'log'; level: LogLevel; message: string; setup?: string }
  | { type: 'state'; state: CrateState; sinceMs: number; detail?: string; retryInMs?: number }
  | { type: 'setup-state'; setup: string; paused: boolean; reason?: string }
  | {
      type: 'scan';
      setup: string;
      timeMs: number;
      durationMs: number;
      /** wrapper calls made by this scan (GetChParam, GetBdParam, plus metadata on the first scan of a connection) */
      calls: number;
      points: number;
      channels: ChannelReading[];
      /** board parameters read with this scan (Temp, BdStatus, HVMax), when the setup reads any */
      board?: Record<string, number>;
    }
  | { type: 'fault'; error: WireError }
  /** the CAEN handle this worker holds (null once it has logged out): the supervisor remembers it so
   * that, should the thread die with it open, the next worker releases it before logging in again */
  | { type: 'session'; handle: number | null }
  | { type: 'stopped' };

export type SupervisorToMainframe = { type: 'stop'; reason: string };
