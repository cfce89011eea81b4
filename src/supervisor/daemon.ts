// The logging daemon: one controller owning the lifecycle.
//   start: simulated crates (if any) → writer (replays its spool) → extensions (health endpoint,
//          /metrics, database events, webhooks) → pollers
//   stop:  pollers (finish the call in progress, DeinitSystem) → extensions (last first) → writer
//          (flush or spool) → simulated crates; each step in its own try/catch with a time-out.
// The supervisor never calls a CAEN function: every call is made by the mainframe's worker. It only
// keeps each mainframe's library loaded (pin-library.ts) so a dead worker's handle can be released.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { GemcaenConfig, MainframeConfig, SetupConfig } from '../config/types.js';
import { describeSink } from '../writer/sinks/registry.js';
import { Alarms } from '../alarms/alarms.js';
import { WebhooksExtension, type WebhookOptions } from '../alarms/webhooks.js';
import { alarmSettingsOf } from '../config/build.js';
import { setupsByMainframe } from '../config/load.js';
import { ExitCode, GemcaenError } from '../errors.js';
import { DaemonEvents } from '../events/bus.js';
import { EventPointsExtension } from '../extensions/event-points.js';
import { Extensions } from '../extensions/extensions.js';
import { HealthExtension } from '../extensions/health.js';
import { MetricsExtension } from '../extensions/metrics.js';
import { HttpRoutes } from '../extensions/routes.js';
import { ControlEndpointExtension } from '../extensions/control-endpoint.js';
import type { Extension, ExtensionContext } from '../extensions/types.js';
import { auditFileOf } from '../config/paths.js';
import type { SetpointEvent } from '../events/types.js';
import { AuditFile, auditPoint, recordText, type AuditRecord } from './audit.js';
import { DaemonControl } from './control.js';
import { WebPageExtension } from '../web/page/extension.js';
import { closeLogger, type Logger } from '../log.js';
import type { Point, ToWriter } from '../protocol.js';
import { MainframeWorkers, type MainframeWorkersOptions } from './mainframe-workers.js';
import { SimulatedCrate } from './sim-process.js';
import { ExternalChanges, type ExternalChangesOptions } from './external-changes.js';
import { DaemonState } from './state.js';
import { WriterThread } from './writer-thread.js';

export interface DaemonOptions {
  config: GemcaenConfig;
  /** the setups to log, already resolved from the command line */
  setups: readonly SetupConfig[];
  log: Logger;
  /** total budget of stop(); pm2's kill_timeout and systemd's TimeoutStopSec must exceed it */
  stopTimeoutMs?: number;
  /** overrides for tests */
  workers?: Partial<Pick<MainframeWorkersOptions, 'restartInitialMs' | 'restartMaxMs' | 'pollerOptions'>>;
  /** the writer thread's file (tests: a fixture) */
  writerFile?: URL;
  /**
   * Called after the daemon stopped itself because it cannot go on (the writer thread died): the
   * error line is logged and every part stopped. Default: close the logger and exit the process
   * with code 1, so that pm2/systemd restart gemcaen and the spool is replayed.
   */
  onFatal?: (err: GemcaenError) => void | Promise<void>;
  /** extensions started after the built-in ones */
  extensions?: readonly Extension[];
  /** tests: how long a change waits for news of an own set point */
  externalChanges?: ExternalChangesOptions;
  /** tests: webhook retry timing */
  webhooks?: WebhookOptions;
  /** tests: period of the gemcaen_crate / gemcaen_sink points (default 60 s) */
  statePointsEveryMs?: number;
}

/** name under which the daemon's own points reach the writer (its "setup" and its port's "mainframe") */
export const DAEMON_POINTS_SOURCE = 'gemcaen';

/** The setups of the config that live on a crate the daemon logs: set points may name any of them. */
function controlSetups(config: GemcaenConfig, logged: readonly SetupConfig[]): SetupConfig[] {
  const served = new Set(logged.map((s) => s.mainframe));
  return [...config.setups.values()].filter((s) => served.has(s.mainframe));
}

export class Daemon {
  readonly events: DaemonEvents;
  readonly state: DaemonState;
  /** active alarms and their acknowledgement (the list is state.alarms) */
  readonly alarms: Alarms;
  /** changes of set points made by others; expect() marks a value as ours before it is applied */
  readonly externalChanges: ExternalChanges;
  readonly routes = new HttpRoutes();
  /** the one door to the crates: preview/apply of set points through the worker owning each handle */
  readonly control: DaemonControl;
  readonly #audit: AuditFile;
  readonly #o: DaemonOptions;
  readonly #log: Logger;
  readonly #sims: SimulatedCrate[] = [];
  readonly #writer: WriterThread;
  readonly #health = new HealthExtension();
  readonly #extensions: Extensions;
  /** the supervisor's end of its channel to the writer thread (daemon-level points) */
  #toWriter: MessagePort | null = null;
  #workers: MainframeWorkers | null = null;
  #stopping: Promise<void> | null = null;

  constructor(options: DaemonOptions) {
    this.#o = options;
    this.#log = options.log.child({ label: 'gemcaen' });
    this.events = new DaemonEvents((type, err) => this.#log.error(`a listener of "${type}" events failed: ${err instanceof Error ? err.message : String(err)}`));
    this.state = new DaemonState(this.events);
    this.alarms = new Alarms(this.state, alarmSettingsOf(options.config.settings), options.log.child({ label: 'alarm' }));
    this.externalChanges = new ExternalChanges(this.events, options.log.child({ label: 'external' }), options.externalChanges);
    this.#writer = new WriterThread(options.log, this.state, (err) => void this.#fatal(err));
    // the web page (gemcaen.Web) comes after the health endpoint and the control endpoint
    const web = options.config.settings.web ? [new WebPageExtension()] : [];
    this.#extensions = new Extensions([
      this.#health,
      new ControlEndpointExtension(),
      new MetricsExtension(),
      new EventPointsExtension(options.statePointsEveryMs),
      new WebhooksExtension(options.webhooks),
      ...web,
      ...(options.extensions ?? []),
    ]);
    this.#audit = new AuditFile(auditFileOf(options.config.settings));
    const setups = controlSetups(options.config, options.setups);
    this.control = new DaemonControl({
      setups,
      run: (mainframe, job) =>
        this.#workers?.control(mainframe, job) ??
        Promise.resolve({ code: 'CRATE_NOT_CONNECTED', message: `mainframe ${mainframe}: the daemon is not running its workers; nothing was sent`, writes: 0, sent: false }),
      auditReady: () => this.#audit.check(),
      audit: (records) => this.#recordSetpoints(records),
    });
    // changes made by others at the crate (external-change detection) are audited like ours
    this.events.on('setpoint', (e) => {
      if (e.external) this.#appendAudit([externalRecord(e)]);
    });
  }

  /**
   * Audits the set points of one answer: a log line each, the audit file, a gemcaen_event point to the
   * setup's sink and a `setpoint` event. An audit file that cannot be written is one error line; the
   * answer still goes out (DaemonControl checked the file before sending anything).
   */
  #recordSetpoints(records: AuditRecord[]): void {
    this.#appendAudit(records);
    for (const r of records) {
      const sink = this.#o.config.setups.get(r.setup)?.sink;
      if (sink) this.writePoints([sink], [auditPoint(r)]);
      if (r.channel === null || r.slot === null) continue;
      this.events.emit('setpoint', {
        timeMs: Date.parse(r.time), who: r.who, from: r.from, mainframe: r.mainframe, setup: r.setup, slot: r.slot, channel: r.channel,
        param: r.param, before: r.before ?? undefined, after: r.after ?? undefined, code: r.code, external: false,
      });
    }
  }

  #appendAudit(records: AuditRecord[]): void {
    const log = this.#o.log.child({ label: 'control' });
    for (const r of records) log.log(r.code === 'OK' ? 'info' : 'warn', `set point: ${recordText(r)}`);
    try {
      this.#audit.append(records);
    } catch (err) {
      log.error(err instanceof Error ? err.message : String(err));
    }
  }

  /** address the health endpoint listens on, once started */
  get healthAddress(): string | null {
    return this.#health.address;
  }

  /** Sends daemon-level points to the writer thread, once per sink (see ExtensionContext.writePoints). */
  writePoints(sinkIds: readonly string[], points: Point[]): void {
    const port = this.#toWriter;
    if (!port || points.length === 0) return;
    for (const sink of new Set(sinkIds)) port.postMessage({ type: 'points', setup: DAEMON_POINTS_SOURCE, sink, points, dedup: false } satisfies ToWriter);
  }

  #contextFor(e: Extension): ExtensionContext {
    const daemon = this;
    return {
      events: this.events,
      state: this.state,
      log: this.#o.log.child({ label: e.name }),
      config: this.#o.config,
      setups: this.#o.setups,
      routes: this.routes,
      alarms: this.alarms,
      get control() {
        return daemon.control;
      },
      writePoints: (sinkIds, points) => this.writePoints(sinkIds, points),
    };
  }

  get stopRequested(): boolean {
    return this.#stopping !== null;
  }

  async start(): Promise<void> {
    const { config, setups } = this.#o;
    const groups = setupsByMainframe(config, setups);
    const sinkIds = [...new Set(setups.map((s) => s.sink))];
    this.#describe(groups, sinkIds);
    for (const [mf, list] of groups) {
      this.state.crates.set(mf.id, {
        id: mf.id, address: mf.address, systemType: mf.systemType, state: 'starting', sinceMs: Date.now(), setups: list.map((s) => s.name), restarts: 0, mode: 'polling',
      });
      for (const s of list) this.state.setups.set(s.name, { name: s.name, mainframe: mf.id, sink: s.sink, holdOffSeconds: s.holdOffSeconds, paused: false, scans: 0 });
    }
    for (const id of sinkIds) {
      const sink = config.sinks.get(id)!;
      this.state.sinks.set(id, { id, kind: sink.kind, target: describeSink(sink), state: 'unknown' });
    }

    for (const [mf] of groups) {
      if (!mf.simulated || this.stopRequested) continue;
      const sim = new SimulatedCrate(mf, this.#o.log.child({ label: `sim ${mf.address}` }));
      this.#sims.push(sim);
      await sim.start(10_000, this.#sims.length === 1);
      this.#log.info(`simulated crate ${mf.systemType} listening on ${mf.address}${sim.controlAddress ? ` (control API http://${sim.controlAddress}/)` : ''}`);
    }
    if (this.stopRequested) return;
    await this.#writer.start(config, sinkIds, undefined, this.#o.writerFile);
    if (this.stopRequested) return;
    const channel = new MessageChannel();
    this.#writer.attachPort(DAEMON_POINTS_SOURCE, channel.port2);
    this.#toWriter = channel.port1;
    await this.#extensions.start((e) => this.#contextFor(e), () => !this.stopRequested);
    if (this.stopRequested) return;
    this.#workers = new MainframeWorkers({
      attachWriterPort: (mainframe, port) => this.#writer.attachPort(mainframe, port),
      state: this.state,
      log: this.#o.log,
      configSetups: [...config.setups.values()],
      ...this.#o.workers,
    });
    this.#workers.start(groups);
    this.state.phase = 'running';
  }

  #describe(groups: Map<MainframeConfig, SetupConfig[]>, sinkIds: string[]): void {
    for (const [mf, list] of groups) {
      const what = list.map((s) => `${s.name} (slot ${s.slot}, ${s.isGEM ? `GEM layer ${s.layer}` : `channels ${s.channels.join(',')}`}, every ${s.holdOffSeconds} s)`);
      this.#log.info(`${mf.simulated ? 'simulated ' : ''}${mf.systemType} at ${mf.address}: ${what.join('; ')}`);
    }
    for (const id of sinkIds) {
      const sink = this.#o.config.sinks.get(id)!;
      const names = this.#o.setups.filter((s) => s.sink === id).map((s) => s.name);
      this.#log.info(`writing ${names.join(', ')} to ${describeSink(sink)}`);
    }
  }

  /**
   * A part died that the daemon cannot run without (the writer thread): polling into nothing would
   * only look alive. Stops the pollers (they log out) and the rest, then hands over to onFatal
   * (default: exit 1). The cause is logged once, by the part that died.
   */
  async #fatal(err: GemcaenError): Promise<void> {
    if (this.stopRequested) return; // already stopping: the stop reports it
    try {
      await this.stop('writer thread exited');
    } catch {
      // the stop fails with WRITER_EXITED: that is the cause, already logged
    }
    if (this.#o.onFatal) {
      await this.#o.onFatal(err);
      return;
    }
    await closeLogger(this.#o.log);
    process.exit(ExitCode.FAILURE);
  }

  /** Stops everything in order; each step bounded. Idempotent: every caller gets the same promise. */
  stop(reason: string): Promise<void> {
    this.#stopping ??= this.#stop(reason);
    return this.#stopping;
  }

  async #stop(reason: string): Promise<void> {
    this.state.phase = 'stopping';
    const budget = this.#o.stopTimeoutMs ?? 10_000;
    const failures: string[] = [];
    const step = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
        // a writer that died unasked has logged its error line already
        if (!(what === 'writer' && this.#writer.died)) this.#log.error(`stopping ${what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    this.#log.info(`stopping (${reason}): pollers finish their call and log out, then the writer flushes`);
    await step('pollers', async () => this.#workers?.stop(reason, Math.round(budget * 0.4)));
    this.externalChanges.close();
    const extFailures = await this.#extensions.stop(this.#log, Math.round(budget * 0.1));
    failures.push(...extFailures);
    await step('writer', () => this.#writer.stop(reason, Math.round(budget * 0.4)));
    this.#toWriter?.close();
    this.#toWriter = null;
    for (const sim of this.#sims) await step('simulated crate', () => sim.stop(Math.round(budget * 0.1)));
    this.state.phase = 'stopped';
    if (failures.length > 0) throw new GemcaenError('SHUTDOWN_INCOMPLETE', failures.join('; '));
    this.#log.info('stopped');
  }
}

/** The audit record of a change seen on the crate without a request of ours. */
function externalRecord(e: SetpointEvent): AuditRecord {
  const n = (v: number | string | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    time: new Date(e.timeMs).toISOString(), who: e.who, from: e.from, mainframe: e.mainframe, setup: e.setup ?? '', slot: e.slot, channel: e.channel, name: e.name ?? '',
    param: e.param, before: n(e.before), after: n(e.after), code: e.code, external: true,
    ...(typeof e.before === 'string' || typeof e.after === 'string' ? { request: `${e.before ?? ''} → ${e.after ?? ''}` } : {}),
  };
}
