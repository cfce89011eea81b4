// The only shapes that cross a MessagePort between the supervisor, the mainframe workers and the writer.
// This module imports only types of the project (erased when compiled): any thread can load it.
import type { MessagePort } from 'node:worker_threads';
import type { BackoffOptions } from './backoff.js';
import type { SetupConfig } from './config/types.js';
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

/**
 * How one raw value of a scan becomes fields (src/readings.ts): a NUMERIC read (float32, written as its
 * shortest decimal), a number gemcaen computed (Ieq, written as it is), an integer, or an integer plus
 * its status bits.
 */
export type ValueKind = 'float32' | 'double' | 'int' | 'status';

export interface FieldSpec {
  name: string;
  kind: ValueKind;
  /** kind 'status': the field name of each bit, bit 0 first (Status_ON … Status_TEMPERR) */
  bits?: readonly string[];
}

/** One point of every scan of a setup: its series and the fields read for it, in the order of the values. */
export interface PointTemplate {
  measurement: string;
  tags: Readonly<Record<string, string>>;
  fields: readonly FieldSpec[];
}

/** The points of one setup's scans: one value per field of each template, in this order. */
export interface ReadingsLayout {
  templates: readonly PointTemplate[];
}

/**
 * Worker → writer: the points of one scan of a setup in compact form (src/readings.ts): the raw values
 * only; the series and field names (`layout`) come with the setup's first scan on this port and again
 * whenever they change (a new plan, a renamed channel). The writer keeps the last layout per setup and port.
 */
export interface ReadingsMessage {
  type: 'readings';
  setup: string;
  /** id of the SinkConfig the setup writes to */
  sink: string;
  timeMs: number;
  layout?: ReadingsLayout;
  /** one value per field of the layout's templates, in order; NaN: not read (no field) */
  values: Float64Array;
}

export type ToWriter = PointsMessage | ReadingsMessage | { type: 'stop'; reason: string };

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
  /** event mode (MAINFRAME.EVENTS on an SY4527/SY5527); absent: polling */
  events?: {
    listenHost: string;
    ports: [number, number];
    keepaliveLimitSeconds: number;
    reconcileSeconds: number;
    retrySeconds: number;
  };
}

/** How a mainframe's readings are obtained now: pushed by the crate, or polled (events off, or fallen back). */
export type ReadingMode = 'events' | 'polling';

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

/**
 * How the supervisor reads the values of a setup's scans (src/supervisor/scan-table.ts): channel i's
 * value of params[j] is values[i * stride + j]; the board's values follow the channels', in the order
 * of `board`. The worker sends it with the first scan on its port and again when it changes (a new
 * plan, a renamed channel), like the writer's ReadingsLayout; the values array is the writer's.
 */
export interface ScanLayout {
  slot: number;
  channels: readonly number[];
  /** channel names, in the order of `channels` */
  names: readonly string[];
  /** the channel parameters read */
  params: readonly string[];
  /** values per channel: params.length, or one more when the writer's Ieq follows them */
  stride: number;
  /** board parameters read with each scan (Temp, BdStatus, HVMax), when the setup reads any */
  board: readonly string[];
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
      /** how to read `values`: with the setup's first scan on this port and whenever it changes, else absent */
      layout?: ScanLayout;
      /** the scan's raw values as the layout orders them (the same array the writer gets) */
      values: Float64Array;
    }
  /** event mode changed (on, or a fallback to polling), or a reconcile poll compared the events with the crate */
  | { type: 'event-mode'; mode: ReadingMode; detail: string; reconciles: number; differences: number; lastDifferences: number; fallbacks: number; events: number }
  | { type: 'fault'; error: WireError }
  /** the CAEN handle this worker holds (null once it has logged out): the supervisor remembers it so
   * that, should the thread die with it open, the next worker releases it before logging in again */
  | { type: 'session'; handle: number | null }
  | ControlResultMessage
  | { type: 'stopped' };

export type SupervisorToMainframe = { type: 'stop'; reason: string } | ControlJobMessage;

/** How the supervisor may tune a mainframe's poller (tests shorten the reconnect back-off). */
export interface PollerOptions {
  backoff?: Partial<BackoffOptions>;
  /** delay between attempts after the crate refused the credentials */
  credentialsRetryMs?: number;
  /** how often a setup's channel names are read again (one GetChName), default 10 minutes */
  namesRefreshMs?: number;
}

/**
 * The piscina task of one mainframe (workers/mainframe.worker.ts), as MainframeWorkers hands it over: it
 * runs until {type:'stop'} arrives on `control`. `control` and `writer` are transferred.
 */
export interface MainframeTask {
  mainframe: MainframeWire;
  /** the setups this worker logs (plain data: a SetupConfig holds no Secret) */
  setups: SetupConfig[];
  /** the setups control requests may name: every setup of the config on this mainframe */
  controlSetups?: SetupConfig[];
  /** MainframeToSupervisor out, SupervisorToMainframe in */
  control: MessagePort;
  /** ToWriter out: this mainframe's channel to the writer thread */
  writer: MessagePort;
  options?: PollerOptions;
  /** handles a previous thread of this mainframe left open when it died: released before logging in */
  staleHandles?: number[];
  /**
   * Shared with the supervisor (a SharedArrayBuffer), which sets it to 1 when it posts {type:'stop'}: a
   * scan reads back to back without an event-loop turn, and looks at the flag between two calls.
   */
  stopFlag?: Int32Array;
}

// ---- writer thread ⇄ supervisor ----

/**
 * A sink's config as it crosses into the writer thread: its keys as they are, each secret as { secret: clear
 * text } (a Secret does not survive structured clone; src/writer/wire-config.ts converts both ways).
 */
export interface WireSink {
  kind: string;
  id: string;
  [key: string]: string | number | boolean | { secret: string } | undefined;
}

/** workerData of workers/writer.worker.ts */
export interface WriterInit {
  sinks: WireSink[];
  /** the settings the writer uses, as loaded */
  settings: { spoolDirectory: string; spoolMaxMegabytes: number; batchMaxLines: number; batchMaxMilliseconds: number };
  /** per setup name: heartbeat and deadbands; setups not listed get 300 s and none */
  policies?: Record<string, WirePolicy>;
}

/** When a setup's unchanged value is written again, and what counts as a change. */
export interface WirePolicy {
  /** write an unchanged value again after this long */
  heartbeatSeconds: number;
  /** per field name: a change of at most this much is not a change (e.g. VMon: 0.5) */
  deadbands: Readonly<Record<string, number>>;
}

/** ok: writing; failing: cannot write for now, retrying; config-error: refused (401/403/404): a person must act */
export type SinkState = 'ok' | 'failing' | 'config-error';

export interface SinkStatus {
  id: string;
  /** the sink's kind (influx-v2, influx-v1, file) */
  kind: string;
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

/** supervisor → writer thread (parentPort) */
export type ToWriterThread =
  /** the writer end of a mainframe worker's channel (transfer the port) */
  | { type: 'port'; mainframe: string; port: MessagePort }
  | PointsMessage
  /** answered by {type:'status'} */
  | { type: 'status' }
  /** flush what can be written within timeoutMs (default 5000), keep the rest in the spool, post 'stopped', exit */
  | { type: 'stop'; reason: string; timeoutMs?: number };

/** writer thread → supervisor */
export type FromWriterThread =
  /** spools opened, replay started: ports and points are taken from now on */
  | { type: 'ready' }
  | { type: 'log'; level: LogLevel; message: string }
  /** every sink; sent on request, at the stop, and whenever a sink changes state */
  | { type: 'status'; sinks: SinkStatus[] }
  /** the writer could not start (e.g. spool directory unusable); the thread exits */
  | { type: 'fault'; error: WireError }
  /** after 'stop': everything written or spooled; the thread exits next */
  | { type: 'stopped' };

// ---- control requests: supervisor → the mainframe worker that owns the handle ----

/**
 * What a person (or an extension) asks of a crate. Every kind names a setup: the setup decides the
 * mainframe (and so the worker), and which channels may be touched.
 *  - set:         one channel parameter, one value (as typed: "450", "on") on channels of the setup;
 *                 allowClamp: the explicit intent an SVMax below a channel's set point needs
 *  - ieq:         a triple-GEM setup's V0Set = microAmps × R on its seven electrodes
 *  - power:       Pw on/off on channels of the setup (a set of Pw)
 *  - clear-alarm: the mainframe command ClearAlarm (ExecComm), crate-wide
 *  - kill:        the mainframe command Kill (ExecComm): every channel of the crate off at once
 */
export type ControlRequest =
  | { kind: 'set'; setup: string; channels: number[]; param: string; value: string; allowClamp?: boolean }
  | { kind: 'ieq'; setup: string; microAmps: number }
  | { kind: 'power'; setup: string; channels: number[]; on: boolean }
  | { kind: 'clear-alarm'; setup: string }
  | { kind: 'kill'; setup: string };

/** How a parameter's values are shown (the parameter's CAEN properties, as plain data). */
export interface ControlParamFormat {
  type: string;
  mode: string;
  unit?: string;
  /** power of ten of the unit (-6: micro) */
  exp?: number;
  decimal?: number;
  min?: number;
  max?: number;
  onState?: string;
  offState?: string;
}

/** One channel of a planned or applied change. */
export interface ControlRow {
  channel: number;
  /** the name read from the board */
  name: string;
  /** how messages name it: "G3Bot (ch 0 GEM1_G3BOT)", "ch 3 DRIFT3" */
  label: string;
  /** the value now (NaN: not readable) */
  current: number;
  next: number;
  /** after an apply: the value read back (NaN for a write-only parameter) and whether it equals `next` */
  readBack?: number;
  ok?: boolean;
}

/** GEM electrodes as `ieq --set` shows them: resistor, VMon and Ieq now, Pw. */
export interface ControlElectrode {
  channel: number;
  alias: string;
  resistorMOhm: number;
  vmon: number;
  ieq: number;
  pw: number;
}

/** A checked plan, as the worker read it: what would change (current → next), nothing written. */
export interface ControlPlanView {
  request: ControlRequest;
  mainframe: string;
  setup: string;
  isGEM: boolean;
  layer?: number;
  slot: number;
  board: string;
  /** the channel parameter written; for clear-alarm and kill the command name */
  param: string;
  format?: ControlParamFormat;
  rows: ControlRow[];
  /** ieq: the electrodes */
  electrodes?: ControlElectrode[];
  /** SVMax plans: the set points the crate would lower to the new SVMax */
  clamps?: { channel: number; label: string; param: string; current: number; clampedTo: number }[];
}

/**
 * The coded answer of the worker (and of DaemonControl): `code` is 'OK' or a stable error code
 * (VALUE_ABOVE_SVMAX, PREVIEW_STALE, READBACK_MISMATCH, SET_PARTIAL, CRATE_NOT_CONNECTED…).
 * `plan` is present once the request was understood; `sent` says whether anything reached the crate.
 */
export interface ControlResult {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  plan?: ControlPlanView;
  /** SetChParam / ExecComm calls made */
  writes: number;
  sent: boolean;
  /** the request itself was refused by a check (a value, a channel, a parameter): exit 2 at the CLI */
  refused?: boolean;
}

export interface ControlJobMessage {
  type: 'control';
  id: number;
  /** preview: check and read only; apply: check again, refuse when a current value differs from `expect`, write, read back */
  op: 'preview' | 'apply';
  request: ControlRequest;
  /** apply: the current values the preview showed, per channel (a changed one refuses with PREVIEW_STALE) */
  expect?: { channel: number; current: number }[];
}

export interface ControlResultMessage {
  type: 'control-result';
  id: number;
  result: ControlResult;
}
