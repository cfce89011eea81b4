// The events of the running daemon (issue 18): what the supervisor's state emits and what
// extensions (health, metrics, webhooks, the web page, the audit) subscribe to. Plain data only:
// an event can be logged, serialised or sent to a browser as it is.
import type { ChannelReading, CrateState, ScanLayout } from '../protocol.js';

/** A setup was scanned: the latest reading of each of its channels (and its board's values). */
export interface ScanEvent {
  mainframe: string;
  setup: string;
  slot: number;
  timeMs: number;
  durationMs: number;
  calls: number;
  points: number;
  /** a reading per channel, in the order of layout.channels (made when first read: a listener that
   *  looks at every scan reads `values` by `layout` instead) */
  readonly channels: readonly ChannelReading[];
  /** board parameters read with this scan (Temp, BdStatus, HVMax), when the setup reads any */
  board: Readonly<Record<string, number>>;
  /** how to read `values` (the same object from scan to scan until the setup's layout changes) */
  layout: ScanLayout;
  /** channel i's value of layout.params[j] is values[i * layout.stride + j]; never changed once emitted */
  values: Float64Array;
}

export type CrateStateName = CrateState | 'starting' | 'restarting';

/** A crate's connection state changed (connected, backoff, …). */
export interface CrateStateEvent {
  mainframe: string;
  before: CrateStateName | undefined;
  after: CrateStateName;
  timeMs: number;
  detail?: string;
}

/** A setup was paused (board absent, wrong channel count, …) or resumed. */
export interface SetupStateEvent {
  setup: string;
  mainframe: string;
  paused: boolean;
  reason?: string;
  timeMs: number;
}

/** A sink changed state (ok, failing). */
export interface SinkStateEvent {
  sink: string;
  before: 'ok' | 'failing' | 'unknown' | undefined;
  after: 'ok' | 'failing' | 'unknown';
  lastError?: string;
  timeMs: number;
}

/** The Status word of one channel changed between two scans. */
export interface StatusChangeEvent {
  mainframe: string;
  setup: string;
  slot: number;
  channel: number;
  name: string;
  /** undefined on the first scan of the channel */
  before: number | undefined;
  after: number;
  /** names of the bits that went from 0 to 1 / from 1 to 0 (CHSTATUS names, BIT16… beyond) */
  set: readonly string[];
  cleared: readonly string[];
  timeMs: number;
}

export type AlarmSeverity = 'warning' | 'error';
export type AlarmAction = 'raised' | 'cleared' | 'acknowledged';
/** what raised it: a channel's Status bits, a board's BdStatus bits, a crate that is not connected */
export type AlarmSource = 'channel' | 'board' | 'crate';

/** One alarm as it stands (the state view lists the active ones). */
export interface Alarm {
  /** stable while the alarm is active, e.g. "channel:127.0.0.1/0/3" */
  id: string;
  source: AlarmSource;
  severity: AlarmSeverity;
  mainframe: string;
  setup?: string;
  slot?: number;
  channel?: number;
  /** ChannelName of the channel, when a channel */
  name?: string;
  /** the alarm bits set (e.g. ["INTTRIP"]), or the crate state */
  bits: readonly string[];
  /** one line for a person */
  text: string;
  /** when it was raised, ms since the epoch */
  sinceMs: number;
  acknowledged?: { who: string; timeMs: number };
}

export interface AlarmEvent extends Alarm {
  action: AlarmAction;
  /** when this transition happened */
  timeMs: number;
}

/** A set point changed: by a request of ours (audit of i18a) or by someone else (external: true). */
export interface SetpointEvent {
  timeMs: number;
  /** a user name; "external" when the change was seen on the crate without a request of ours */
  who: string;
  /** where the request came from (cli, web, control endpoint, "crate" for external changes) */
  from: string;
  mainframe: string;
  setup?: string;
  slot: number;
  channel: number;
  /** ChannelName of the channel, when known */
  name?: string;
  /** V0Set, I0Set, SVMax, RUp, RDWn, Pw, Name, … */
  param: string;
  before: number | string | undefined;
  after: number | string | undefined;
  /** result code ("OK", a refusal code, …) */
  code: string;
  external: boolean;
}

/** Every event type and its payload. */
export interface DaemonEventMap {
  scan: ScanEvent;
  'crate-state': CrateStateEvent;
  'setup-state': SetupStateEvent;
  'sink-state': SinkStateEvent;
  'status-change': StatusChangeEvent;
  alarm: AlarmEvent;
  setpoint: SetpointEvent;
}

export type DaemonEventType = keyof DaemonEventMap;
export type Listener<K extends DaemonEventType> = (event: DaemonEventMap[K]) => void;
