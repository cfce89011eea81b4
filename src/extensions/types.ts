// Extensions: features built on the running daemon (health endpoint, /metrics, database events,
// webhooks, the web page). Each has start/stop and a constructor that does nothing; the daemon starts
// them after the writer (in the order given) and stops them before it (in reverse order), each stop
// in its own try/catch. An extension reads the state and subscribes to events; it never changes the
// state, and it reaches a crate only through `control`.
import type { GemcaenConfig, SetupConfig } from '../config/types.js';
import type { DaemonEvents } from '../events/bus.js';
import type { Logger } from '../log.js';
import type { Point } from '../protocol.js';
import type { DaemonStateView } from '../supervisor/state.js';
import type { HttpRoutes } from './routes.js';

/**
 * The control door of the daemon (issue 18, helper i18a: DaemonControl with preview/apply).
 * Declared by shape here so extensions do not reach into the supervisor; null until it is set.
 */
export type ControlDoor = object;

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
