// The page's state and behaviour behind the HTTP server: users and sessions, the event stream, the
// history rings, alarms and audit as the bus reported them, and set points through SetFlow.
// Fed by the extension from the daemon's event bus; it never calls a crate.
import type { GemcaenConfig, WebSettings, WebUser } from '../../config/types.js';
import type { ChannelReading } from '../../protocol.js';
import { GemcaenError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { History } from './history.js';
import { buildSnapshot, crateView, readingView, setupView, type AlarmView, type AuditView, type PageSettings, type Snapshot, type StateView } from './model.js';
import { SessionStore } from './sessions.js';
import { SetFlow, type PageControl } from './set-flow.js';
import { StreamHub } from './stream.js';
import { mayAcknowledge, UserDirectory, type Identity } from './users.js';

const RECENT_ALARMS = 200;
const AUDIT_LINES = 500;

export interface PageDeps {
  config: GemcaenConfig;
  web: WebSettings;
  state: StateView;
  log: Logger;
  control?: PageControl;
  /** acknowledges an alarm in the daemon (the bus then reports it); false when the id is unknown */
  acknowledgeAlarm?: (id: string, who: string) => boolean | Promise<boolean>;
  /** accounts made at start (the demo account) */
  extraUsers?: readonly WebUser[];
}

export class PageService {
  readonly users: UserDirectory;
  readonly sessions: SessionStore;
  readonly hub: StreamHub;
  readonly history: History;
  readonly setFlow: SetFlow;
  readonly log: Logger;
  readonly #alarms = new Map<string, AlarmView>();
  readonly #audit: AuditView[] = [];
  readonly #boards = new Map<string, { timeMs: number; values: Readonly<Record<string, number>> }>();

  constructor(private readonly deps: PageDeps) {
    this.log = deps.log;
    this.users = UserDirectory.fromSettings(deps.web, deps.extraUsers);
    this.sessions = new SessionStore(deps.web.idleMinutes * 60_000);
    this.hub = new StreamHub(() => this.snapshot());
    this.history = new History(deps.web.historyMinutes * 60_000);
    this.setFlow = new SetFlow(deps.control, (s) => deps.config.setups.get(s)?.channels, deps.web.confirmStepVolts);
    // what the daemon read before the page started
    for (const r of deps.state.latest.values()) this.history.record([r]);
  }

  settings(): PageSettings {
    const w = this.deps.web;
    return {
      ...(w.grafanaUrl ? { grafanaUrl: w.grafanaUrl } : {}),
      confirmStepVolts: w.confirmStepVolts,
      historyMinutes: w.historyMinutes,
      readOnly: this.users.size === 0 || this.deps.control === undefined,
    };
  }

  snapshot(): Snapshot {
    return buildSnapshot(this.deps.config, this.deps.state, this.#boards, this.settings(), this.alarmList(), this.auditList());
  }

  alarmList(): AlarmView[] {
    return [...this.#alarms.values()].sort((a, b) => b.timeMs - a.timeMs);
  }

  auditList(): AuditView[] {
    return [...this.#audit].reverse();
  }

  // ---- fed from the event bus ----

  /**
   * A scan of `setup` finished: its readings go to the history and the stream. `scanned`: the readings the
   * scan event carries (the same the daemon state now holds for the setup); without them, the state's.
   */
  onScan(setup: string, board?: Readonly<Record<string, number>>, timeMs = Date.now(), scanned?: readonly ChannelReading[]): void {
    if (board && Object.keys(board).length > 0) this.#boards.set(setup, { timeMs, values: board });
    const { state, config } = this.deps;
    const h = state.setups.get(setup);
    if (!h) return;
    const channels = [...(scanned ?? [...state.latest.values()].filter((r) => r.setup === setup))].sort((a, b) => a.channel - b.channel);
    this.history.record(channels);
    const latestBoard = this.#boards.get(setup);
    this.hub.publish('scan', {
      setup,
      lastScanMs: h.lastScanMs,
      scans: h.scans,
      channels: channels.map(readingView),
      ...(latestBoard ? { board: latestBoard } : {}),
      ...(config.setups.get(setup)?.isGEM ? { electrodes: setupView(config.setups.get(setup), h, state, this.#boards).electrodes } : {}),
    });
    const crate = state.crates.get(h.mainframe);
    if (crate) this.hub.publish('crate', crateView(crate));
  }

  onCrate(id: string): void {
    const c = this.deps.state.crates.get(id);
    if (c) this.hub.publish('crate', crateView(c));
  }

  onSetup(name: string): void {
    const h = this.deps.state.setups.get(name);
    if (h) this.hub.publish('setup', setupView(this.deps.config.setups.get(name), h, this.deps.state, this.#boards));
  }

  onAlarm(a: AlarmView): void {
    this.#alarms.set(a.id, a);
    if (this.#alarms.size > RECENT_ALARMS) {
      const oldest = [...this.#alarms.values()].filter((x) => !x.active).sort((x, y) => x.timeMs - y.timeMs)[0];
      if (oldest) this.#alarms.delete(oldest.id);
    }
    this.hub.publish('alarm', a);
  }

  onSetpoint(line: AuditView): void {
    if (line.setup !== undefined && line.channel !== undefined) this.setFlow.noteSet(line.setup, line.channel, line.param);
    this.#audit.push(line);
    if (this.#audit.length > AUDIT_LINES) this.#audit.shift();
    this.hub.publish('audit', line);
  }

  // ---- requests ----

  async acknowledge(who: Identity, id: string): Promise<{ ok: true }> {
    const alarm = this.#alarms.get(id);
    if (!alarm) throw new GemcaenError('ALARM_UNKNOWN', `no alarm ${id}`);
    if (!mayAcknowledge(who, alarm.setup)) throw new GemcaenError('FORBIDDEN', `user ${who.name} (${who.role}) may not acknowledge alarms of ${alarm.setup ?? 'this daemon'}`);
    if (!this.deps.acknowledgeAlarm) throw new GemcaenError('CONTROL_UNAVAILABLE', 'this daemon cannot acknowledge alarms');
    if (!(await this.deps.acknowledgeAlarm(id, who.name))) throw new GemcaenError('ALARM_UNKNOWN', `no alarm ${id}`);
    this.log.info(`web: ${who.name} acknowledged alarm ${id} (${alarm.text})`);
    return { ok: true };
  }

  async apply(who: Identity, body: unknown): Promise<unknown> {
    const result = await this.setFlow.apply(who, body);
    this.log.info(`web: ${who.name} set ${result.param} of ${result.setup} channel${result.rows.length > 1 ? 's' : ''} ${result.rows.map((r) => r.label).join(', ')}: ${result.code}`);
    return result;
  }
}
