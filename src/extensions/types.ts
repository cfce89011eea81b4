// Extensions: features built on the running daemon (health endpoint, /metrics, database events,
// webhooks, the web page). Each has start/stop and a constructor that does nothing; the daemon starts
// them after the writer (in the order given) and stops them before it (in reverse order), each stop
// in its own try/catch. An extension reads the state and subscribes to events; it never changes the
// state, and it reaches a crate only through `control`.
import type { GemcaenConfig, SetupConfig } from '../config/types.js';
import type { DaemonEvents } from '../events/bus.js';
import type { Logger } from '../log.js';
import type { ControlRequest, ControlResult, Point } from '../protocol.js';
import type { DaemonStateView } from '../supervisor/state.js';
import type { HttpRoutes } from './routes.js';

/**
 * The control door of the daemon (DaemonControl, src/supervisor/control.ts), declared by shape so that
 * extensions do not reach into the supervisor. preview: the worker owning the crate checks the
 * request with the rules of `gemcaen set` and reads the current values (nothing sent); apply: the
 * same checks again, PREVIEW_STALE (nothing sent) when a current value changed since, else the
 * writes and the read-back. Both audited. `who` is the person, `from` the door ("cli", "web").
 */
export interface ControlDoor {
  preview(request: ControlRequest, who: { who: string; from: string }): Promise<{ token?: string; expiresMs?: number; result: ControlResult }>;
  apply(token: string, who: { who: string; from: string }): Promise<ControlResult>;
}

/** Acknowledging alarms (src/alarms/alarms.ts): the alarm stays active until it clears on the crate. */
export interface AlarmDesk {
  /** marks an active alarm acknowledged by `who`; false when no active alarm has that id */
  acknowledge(id: string, who: string): boolean;
}

export interface ExtensionContext {
  readonly events: DaemonEvents;
  readonly state: DaemonStateView;
  /** a child of the daemon's logger, labelled with the extension's name */
  readonly log: Logger;
  readonly config: GemcaenConfig;
  /** the setups this daemon logs */
  readonly setups: readonly SetupConfig[];
  /** GET routes served on the health endpoint's listener (e.g. /metrics) */
  readonly routes: HttpRoutes;
  readonly alarms: AlarmDesk;
  /** the control door, once the daemon has one */
  readonly control: ControlDoor | null;
  /**
   * Sends daemon-level points (gemcaen_event, gemcaen_crate, gemcaen_sink) to the writer thread,
   * for each of the given sinks. Written as they are: no deduplication, the spool keeps them
   * through an outage like any other point.
   */
  writePoints(sinkIds: readonly string[], points: Point[]): void;
}

export interface Extension {
  readonly name: string;
  start(ctx: ExtensionContext): Promise<void>;
  stop(): Promise<void>;
}
