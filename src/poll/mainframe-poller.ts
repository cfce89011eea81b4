// The polling loop of one mainframe, run inside that mainframe's worker thread. It alone owns the
// CAEN session: one call at a time, a stop request checked between calls, reconnection with
// capped back-off, a keepalive when the crate would otherwise sit idle, and every state change
// reported once.
import type { SetupConfig } from '../config/types.js';
import { GemcaenError } from '../errors.js';
import type { CrateState, LogLevel, MainframeToSupervisor, MainframeWire, PollerOptions, ReadingsLayout, ReadingsMessage, ScanLayout } from '../protocol.js';
import { Backoff, type BackoffOptions } from '../backoff.js';
import { gemBoardProblem, gemNamesProblem } from './gem-mapping.js';
import { planSetup, scanSetup, yieldToEvents, type SetupPlan } from './plan.js';
import { layoutKey, readingsLayout, readingsValues, scanLayout, type SetupReading } from './points.js';
import { pointCount } from '../readings.js';
import { classify, errorText, type BoardInfoLike, type CaenSession } from './session.js';
import { EventFeed, EventFeedError, type EventSockets } from './event-feed.js';

export interface PollerIO<S extends CaenSession = CaenSession> {
  /** to the supervisor (control port) */
  post(msg: MainframeToSupervisor): void;
  /** to the writer (writer port): one compact message per scan */
  readings(msg: ReadingsMessage): void;
  /** opens the library (once) and logs in: one InitSystem */
  /** logs in (resolving a host name first where the link needs an IP) */
  connect(): S | Promise<S>;
  /** event mode's sockets (MAINFRAME.EVENTS); without them the mainframe is polled */
  eventSockets?: EventSockets;
  /**
   * Set to 1 (Atomics) by whoever stops the loop from another thread (MainframeTask.stopFlag): a scan
   * reads its parameters back to back without giving the event loop a turn, so a stop message would
   * wait for the scan's end; the flag is looked at between two calls.
   */
  stopFlag?: Int32Array;
}

/** Work that needs the crate session, queued by `exclusive` and run by the loop between two calls. */
interface Job<S> {
  run(session: S): void;
  fail(err: Error): void;
}

/** Channel names are read at each login and plan, and again this often (a channel renamed at the crate). */
export const NAMES_REFRESH_MS = 600_000;

/**
 * The clock of the schedule (due times, back-off, keepalive): monotonic, so a step of the wall clock
 * (NTP correcting a wrong RTC, a resumed VM) neither stops the scans until the clock catches up nor
 * fires a burst. Readings keep the wall-clock time of the read (plan.ts).
 */
const monotonicMs = (): number => performance.now();

/**
 * A timer cannot wait less than a millisecond (it wakes a millisecond or more later): what is due within
 * this many ms is done now instead of after a wake-up that would come later than the due time.
 */
const DUE_SLACK_MS = 1;
/** In event mode the loop looks at the event socket at least this often (ms). */
const EVENT_LOOK_MS = 20;
/** How often event-mode figures go to the supervisor while events flow (ms). */
const EVENT_REPORT_MS = 1000;

/** key prefix of a failed scan's report in SetupSlot.reported */
const REQUEST_ERROR = 'req:';

interface SetupSlot {
  setup: SetupConfig;
  plan: SetupPlan | null;
  nextDueMs: number;
  /** why the setup is not polled, when it is not */
  paused: string | null;
  /** issues already reported (one line per issue, not per scan) */
  reported: Set<string>;
  /** monotonic time the plan's channel names were last read */
  namesReadMs: number;
  /** the last full poll of this connection: where event mode starts from */
  polled: SetupReading | null;
  /** layoutKey of the last readings sent to the writer, and that layout */
  layoutKey: string | null;
  layout: ReadingsLayout | null;
  /** how the supervisor reads the same values (sent with the layout) */
  scanLayout: ScanLayout | null;
}

export class MainframePoller<S extends CaenSession = CaenSession> {
  readonly #mf: MainframeWire;
  readonly #io: PollerIO<S>;
  readonly #setups: SetupSlot[];
  readonly #backoff: Backoff;
  readonly #credentialsRetryMs: number;
  readonly #namesRefreshMs: number;
  readonly #stopFlag: Int32Array | undefined;
  #session: S | null = null;
  readonly #jobs: Job<S>[] = [];
  #state: CrateState | null = null;
  /** when #state began (ms since the epoch) */
  #stateSinceMs = 0;
  #lastCallMs = 0;
  #calls = 0;
  #stopReason: string | null = null;
  #reconnectAtMs = 0;
  #wake: (() => void) | null = null;
  /** a setup was scanned since the event loop last had a turn (control jobs and the stop message wait for one) */
  #owesTurn = false;
  #feed: EventFeed | null = null;
  /** monotonic time event mode may be tried (again) */
  #eventsAtMs = 0;
  #eventStats = { reconciles: 0, differences: 0, lastDifferences: 0, fallbacks: 0 };
  #eventReportedMs = 0;
  #eventReportedCount = 0;

  constructor(mainframe: MainframeWire, setups: readonly SetupConfig[], io: PollerIO<S>, options: PollerOptions = {}) {
    this.#mf = mainframe;
    this.#io = io;
    this.#setups = setups.map((setup) => ({ setup, plan: null, nextDueMs: 0, paused: null, reported: new Set(), namesReadMs: 0, polled: null, layoutKey: null, layout: null, scanLayout: null }));
    this.#backoff = new Backoff(options.backoff);
    this.#credentialsRetryMs = options.credentialsRetryMs ?? 120_000;
    this.#namesRefreshMs = options.namesRefreshMs ?? NAMES_REFRESH_MS;
    this.#stopFlag = io.stopFlag;
  }

  /** Asks the loop to end after the call in progress; idempotent. */
  stop(reason: string): void {
    if (this.#stopReason === null) this.#stopReason = reason;
    this.#wake?.();
  }

  get stopping(): boolean {
    return this.#stopReason !== null || (this.#stopFlag !== undefined && Atomics.load(this.#stopFlag, 0) === 1);
  }

  /**
   * Runs `fn` with the crate session between two calls of the loop: never inside a scan, one job at a
   * time, in the order asked. Rejects with CRATE_NOT_CONNECTED (nothing called) while the crate is not
   * logged in, and with WORKER_STOPPING once a stop was asked. `fn` is synchronous (wrapper calls are).
   */
  exclusive<T>(fn: (session: S) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.stopping) {
        reject(new GemcaenError('WORKER_STOPPING', `the worker of ${this.#what()} is stopping: nothing was sent`));
        return;
      }
      this.#jobs.push({ run: (session) => resolve(fn(session)), fail: reject });
      this.#wake?.();
    });
  }

  async run(): Promise<void> {
    try {
      while (!this.stopping) {
        if (this.#jobs.length > 0) {
          this.#runJob();
          continue;
        }
        if (!this.#session) {
          const wait = this.#reconnectAtMs - monotonicMs();
          if (wait > 0) {
            await this.#sleep(wait);
            continue;
          }
          const delay = await this.#tryConnect();
          if (delay > 0) this.#reconnectAtMs = monotonicMs() + delay;
          continue;
        }
        if (this.#feed) this.#pumpEvents();
        else if (this.#eventsWanted()) this.#startEvents();
        if (!this.#session) continue;
        const now = monotonicMs();
        const due = this.#nextSetup();
        const keepaliveDue = this.#lastCallMs + this.#mf.keepaliveSeconds * 1000;
        const dueMs = Math.min(due?.nextDueMs ?? Infinity, keepaliveDue);
        if (dueMs - now >= DUE_SLACK_MS) {
          await this.#sleep(Math.min(dueMs - now, this.#feed ? EVENT_LOOK_MS : 60_000));
          continue;
        }
        if (this.#owesTurn) {
          // one turn of the event loop per setup scan (control jobs, the stop message), not per call; a
          // sleep is a turn too, so the turn is taken only when the next scan follows at once
          this.#owesTurn = false;
          await yieldToEvents();
          continue;
        }
        if (due && due.nextDueMs - now < DUE_SLACK_MS) {
          await this.#poll(due, now);
          this.#owesTurn = true;
        } else this.#keepalive();
      }
    } finally {
      // stopped by the flag: its message (with the reason) is queued, one turn delivers it
      if (this.#stopReason === null && this.stopping) await yieldToEvents();
      for (const job of this.#jobs.splice(0)) job.fail(new GemcaenError('WORKER_STOPPING', `the worker of ${this.#what()} stopped: nothing was sent`));
      this.#disconnect();
      this.#setState('stopped', this.#stopReason ?? 'loop ended');
    }
  }

  /** One queued job, on the open session; refused at once when the crate is not logged in. */
  #runJob(): void {
    const job = this.#jobs.shift()!;
    const session = this.#session;
    if (!session) {
      job.fail(new GemcaenError('CRATE_NOT_CONNECTED', `${this.#what()} is not connected (${this.#state ?? 'starting'}): nothing was sent; try again once it is`));
      return;
    }
    try {
      job.run(session);
    } catch (err) {
      job.fail(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.#lastCallMs = monotonicMs();
    }
  }

  #what(): string {
    return `${this.#mf.systemType} at ${this.#mf.address}`;
  }

  // ---- connection ----

  /** One login attempt. Returns 0 when connected, else how long to wait before the next one. */
  async #tryConnect(): Promise<number> {
    if (this.#state !== 'backoff' && this.#state !== 'auth-failed' && this.#state !== 'library-error') this.#setState('connecting');
    let session: S;
    try {
      session = await this.#io.connect();
    } catch (err) {
      return this.#connectFailed(err);
    }
    this.#session = session;
    if (session.handle !== undefined) this.#io.post({ type: 'session', handle: session.handle });
    this.#lastCallMs = monotonicMs();
    let boards: BoardInfoLike[];
    try {
      this.#count();
      boards = session.crateMap();
    } catch (err) {
      this.#disconnect();
      return this.#connectFailed(err);
    }
    this.#backoff.reset();
    const bySlot = new Map(boards.filter((b) => b.model && b.channels > 0).map((b) => [b.slot, b]));
    this.#setState('connected', `${this.#mf.systemType}, ${bySlot.size} boards`);
    for (const s of this.#setups) {
      s.plan = null;
      s.nextDueMs = 0;
      s.polled = null;
      if (this.stopping) break;
      try {
        await this.#preparePlan(s, bySlot.get(s.setup.slot));
      } catch (err) {
        if (classify(err) === 'board-absent') {
          this.#pause(s, `board in slot ${s.setup.slot} not present (${errorText(err)})`);
          continue;
        }
        // a connection error while reading metadata: the same as a failed login
        this.#disconnect();
        return this.#connectFailed(err);
      }
    }
    // one phase for the setups of the crate: those of one HoldOffTime are then scanned one after the
    // other and the worker sleeps once per round, not once per setup (each wake-up costs CPU)
    const firstDueMs = monotonicMs();
    for (const s of this.#setups) if (s.nextDueMs === 0) s.nextDueMs = firstDueMs;
    return 0;
  }

  #connectFailed(err: unknown): number {
    const cause = classify(err);
    if (cause === 'library') {
      // a missing or unloadable library does not fix itself: say so once, look again slowly
      this.#setState('library-error', errorText(err), this.#credentialsRetryMs);
      return this.#credentialsRetryMs;
    }
    if (cause === 'credentials') {
      // the crate answers on TCP 2527 (connect.ts asked) but refused the login: credentials, or still booting
      this.#setState('auth-failed', `${errorText(err)}: the crate answers but refused the login: check CAENHV_USER/CAENHV_PASSWORD, or wait if it is still booting`, this.#credentialsRetryMs);
      return this.#credentialsRetryMs;
    }
    const delay = this.#backoff.next();
    this.#setState('backoff', errorText(err), delay);
    return delay;
  }

  /** Deinits the session, whatever state it is in (a dead socket still frees its handle slot). */
  #disconnect(): void {
    if (this.#feed) {
      this.#feed.close();
      this.#feed = null;
      // after a reconnect events start again once every setup has been polled in full
      this.#eventsAtMs = 0;
      this.#reportEvents('polling', 'not connected');
    }
    const session = this.#session;
    this.#session = null;
    if (!session) return;
    // after a lost connection the logout fails as a rule: worth a debug line, not a warning
    const failed = session.deinit();
    if (failed) this.#log('debug', `DeinitSystem: ${errorText(failed)}`);
    this.#io.post({ type: 'session', handle: null });
  }

  #lost(err: unknown): void {
    this.#disconnect();
    const delay = this.#backoff.next();
    this.#setState('backoff', `connection lost: ${errorText(err)}`, delay);
    this.#reconnectAtMs = monotonicMs() + delay;
  }

  // ---- setups ----

  async #preparePlan(s: SetupSlot, board: BoardInfoLike | undefined): Promise<void> {
    const slot = s.setup.slot;
    if (!board || !board.model) {
      this.#pause(s, `no board in slot ${slot}`);
      return;
    }
    const boardProblem = s.setup.isGEM ? gemBoardProblem(slot, board.model) : undefined;
    if (boardProblem) {
      this.#pause(s, boardProblem, 'error');
      return;
    }
    const maxCh = Math.max(...s.setup.channels);
    if (maxCh >= board.channels) {
      this.#pause(s, `slot ${slot} (${board.model}) has ${board.channels} channels, the setup asks for channel ${maxCh}`, 'error');
      return;
    }
    // GEM channel names without an electrode suffix only cost Ieq (warned once in #deliver): VMon,
    // IMon and Status of a stack must keep being logged whatever the channels are called
    const { plan, issues } = await planSetup(this.#countingSession(), s.setup, board, (e) => classify(e) === 'request', () => this.stopping);
    // a new plan (login, reconnect, resume) is a new state: what was reported before is reported again
    s.reported.clear();
    for (const i of issues) this.#report(s, i.key, i.level, i.message);
    s.plan = plan;
    if (s.paused !== null) {
      this.#log('info', `${s.setup.name}: slot ${slot} (${board.model}) is back, polling resumes`, s.setup.name);
      this.#io.post({ type: 'setup-state', setup: s.setup.name, paused: false });
    }
    s.paused = null;
  }

  /**
   * The board in `slot` may not be the one that was there before the pause (removed, another one
   * inserted): its parameter metadata (types, decimals) is read again, and every other setup of the
   * slot rebuilds its plan (and re-reads its channel names) at its next scan.
   */
  #forgetSlot(s: SetupSlot, slot: number): void {
    this.#session?.clearMetaCache?.(slot);
    for (const other of this.#setups) if (other !== s && other.setup.slot === slot && other.paused === null) other.plan = null;
  }

  #pause(s: SetupSlot, reason: string, level: LogLevel = 'warn'): void {
    s.plan = null;
    s.nextDueMs = monotonicMs() + s.setup.holdOffSeconds * 1000;
    if (s.paused === reason) return;
    s.paused = reason;
    this.#log(level, `${s.setup.name}: paused: ${reason}`, s.setup.name);
    this.#io.post({ type: 'setup-state', setup: s.setup.name, paused: true, reason });
  }

  #nextSetup(): SetupSlot | undefined {
    let best: SetupSlot | undefined;
    for (const s of this.#setups) if (!best || s.nextDueMs < best.nextDueMs) best = s;
    return best;
  }

  async #poll(s: SetupSlot, now: number): Promise<void> {
    const session = this.#session!;
    // in event mode a covered setup is only polled to reconcile
    const holdOff = this.#feed?.covers(s.setup.name) && this.#mf.events ? this.#mf.events.reconcileSeconds * 1000 : s.setup.holdOffSeconds * 1000;
    // start-to-start cadence; a late scan does not cause a burst of catch-up scans
    s.nextDueMs = s.nextDueMs + holdOff > now ? s.nextDueMs + holdOff : now + holdOff;
    const callsBefore = this.#wrapperCalls();
    const started = performance.now();
    try {
      if (!s.plan) {
        // a paused board: one presence check, then the plan when it is back
        this.#count();
        const info = session.boardPresence(s.setup.slot);
        const model = info && typeof info === 'object' && 'model' in info ? info.model : undefined;
        if (!model) return this.#pause(s, s.paused ?? `no board in slot ${s.setup.slot}`);
        const channels = info && 'channels' in info && typeof info.channels === 'number' ? info.channels : 0;
        // a setup resuming after a pause (not a sibling re-planning because of that resume)
        if (s.paused !== null) this.#forgetSlot(s, s.setup.slot);
        await this.#preparePlan(s, { slot: s.setup.slot, model, channels });
        if (!s.plan) return;
      }
      const plan = s.plan!;
      const namesBefore = plan.names;
      // names are read with a new plan, then again at most every namesRefreshMs: a scan that does
      // not refresh costs exactly one call per parameter
      const refreshNames = namesBefore !== undefined && now - s.namesReadMs >= this.#namesRefreshMs;
      this.#feed?.beginPoll(s.setup.name);
      const reading = await scanSetup(plan, {
        session,
        mainframe: this.#mf.id,
        shouldStop: () => this.stopping,
        // the calls of a scan are counted here; the time of the last call is taken once, after the scan
        count: (n = 1) => {
          this.#calls += n;
        },
        isRequestError: (e) => classify(e) === 'request',
        onBoardParamDropped: (name, err) => this.#report(s, `bd:${name}`, 'debug', `board parameter ${name} of slot ${s.setup.slot} not available: ${errorText(err)}`),
        refreshNames,
        onNamesRefreshFailed: (err) => this.#log('debug', `${s.setup.name}: channel names not read again, keeping the previous ones: ${errorText(err)}`, s.setup.name),
      });
      if (namesBefore === undefined || refreshNames) s.namesReadMs = now;
      if (!reading) return;
      if (namesBefore && refreshNames) this.#namesChanged(s, reading.channels, namesBefore, reading.names);
      this.#recovered(s);
      s.polled = reading;
      if (this.#feed?.covers(s.setup.name)) this.#reconciled(s, this.#feed.reconcile(s.setup.name, reading));
      this.#deliver(s, reading, this.#wrapperCalls() - callsBefore, performance.now() - started);
    } catch (err) {
      const cause = classify(err);
      if (cause === 'connection' || cause === 'credentials') return this.#lost(err);
      if (cause === 'board-absent') return this.#pause(s, `board in slot ${s.setup.slot} not present (${errorText(err)})`);
      this.#report(s, `${REQUEST_ERROR}${errorText(err)}`, 'error', `${s.setup.name}: ${errorText(err)}`);
    } finally {
      // the keepalive counts from the scan's last call
      this.#lastCallMs = monotonicMs();
    }
  }

  /** One info line when a refresh found channels renamed at the crate (their ChannelName tag changes). */
  #namesChanged(s: SetupSlot, channels: readonly number[], before: readonly string[], after: readonly string[]): void {
    const changed = channels.flatMap((ch, i) => (before[i] !== after[i] ? [`channel ${ch} ${before[i] ?? '?'} → ${after[i] ?? '?'}`] : []));
    if (changed.length > 0) this.#log('info', `${s.setup.name}: channels renamed at the crate: ${changed.join(', ')}`, s.setup.name);
  }

  /**
   * A scan succeeded: request errors reported before are over (one info line), so the same error
   * coming back later is reported again: once per change of state, not once per process.
   */
  #recovered(s: SetupSlot): void {
    const over = [...s.reported].filter((k) => k.startsWith(REQUEST_ERROR));
    if (over.length === 0) return;
    for (const k of over) s.reported.delete(k);
    this.#log('info', `${s.setup.name}: scans succeed again (after: ${over.map((k) => k.slice(REQUEST_ERROR.length)).join('; ')})`, s.setup.name);
  }

  // ---- event mode ----

  /** Event mode is configured, due, and every setup with a plan has been polled in full on this connection. */
  #eventsWanted(): boolean {
    if (!this.#mf.events || !this.#io.eventSockets || !this.#session || this.stopping) return false;
    if (monotonicMs() < this.#eventsAtMs) return false;
    const active = this.#setups.filter((s) => s.plan !== null);
    return active.length > 0 && active.every((s) => s.polled !== null);
  }

  #startEvents(): void {
    const cfg = this.#mf.events!;
    const active = this.#setups.filter((s) => s.plan !== null && s.polled !== null);
    try {
      this.#count(active.reduce((n, s) => n + s.setup.channels.length + 1, 0));
      this.#feed = EventFeed.start(this.#session!, cfg, this.#io.eventSockets!, active.map((s) => ({ plan: s.plan!, reading: s.polled! })), monotonicMs());
    } catch (err) {
      // a refused subscription, a port that cannot be bound: poll (a lost session shows at the next call)
      return this.#fallback(err instanceof EventFeedError ? err.message : errorText(err));
    }
    const now = monotonicMs();
    for (const s of active) s.nextDueMs = now + cfg.reconcileSeconds * 1000;
    this.#log('info', `event mode on: the crate pushes changes to ${cfg.listenHost}:${this.#feed.port}; full poll every ${cfg.reconcileSeconds} s`);
    this.#reportEvents('events', `listening on ${cfg.listenHost}:${this.#feed.port}`);
  }

  #pumpEvents(): void {
    const feed = this.#feed!;
    let changed: string[];
    try {
      changed = feed.pump(monotonicMs());
    } catch (err) {
      return this.#fallback(errorText(err));
    }
    const timeMs = Date.now();
    for (const name of changed) {
      const s = this.#setups.find((x) => x.setup.name === name);
      if (!s?.polled) continue;
      this.#deliver(s, feed.reading(name, s.polled, timeMs), 0, 0);
    }
    // the figures go out at most once a second, and once more after the last events of a burst
    if (feed.events !== this.#eventReportedCount && monotonicMs() - this.#eventReportedMs >= EVENT_REPORT_MS) this.#reportEvents('events', 'events flowing');
  }

  /** Event mode failed: poll every setup now and at its HoldOffTime, loudly; try events again later. */
  #fallback(reason: string): void {
    this.#feed?.close();
    this.#feed = null;
    const retryS = this.#mf.events?.retrySeconds ?? 300;
    this.#eventsAtMs = monotonicMs() + retryS * 1000;
    this.#eventStats.fallbacks++;
    const now = monotonicMs();
    for (const s of this.#setups) if (s.plan) s.nextDueMs = now;
    this.#log('warn', `event mode off for ${this.#mf.systemType} at ${this.#mf.address}: ${reason}; polling every HoldOffTime, events tried again in ${retryS} s`);
    this.#reportEvents('polling', `fell back to polling: ${reason}`);
  }

  #reconciled(s: SetupSlot, differences: number): void {
    const st = this.#eventStats;
    st.reconciles++;
    st.differences += differences;
    st.lastDifferences = differences;
    this.#log(differences > 0 ? 'warn' : 'info', `${s.setup.name}: reconcile poll: ${differences} value${differences === 1 ? '' : 's'} differed from the events`, s.setup.name);
    this.#reportEvents('events', `reconciled ${s.setup.name}`);
  }

  #reportEvents(mode: 'events' | 'polling', detail: string): void {
    this.#eventReportedMs = monotonicMs();
    this.#eventReportedCount = this.#feed?.events ?? 0;
    this.#io.post({ type: 'event-mode', mode, detail, ...this.#eventStats, events: this.#feed?.events ?? 0 });
  }

  #deliver(s: SetupSlot, reading: SetupReading, calls: number, durationMs: number): void {
    const gem = s.setup.gem;
    if (s.setup.isGEM && gem && s.setup.monitorables.includes('Ieq')) {
      const problem = gemNamesProblem(s.setup.slot, reading.channels, reading.names, gem.resistorsMOhm);
      if (problem) this.#report(s, 'gem-names', 'warn', `${s.setup.name}: Ieq not written for these electrodes: ${problem}`);
    }
    // the writer and the supervisor get the same raw values, and how to read them only when that changed
    const key = layoutKey(reading);
    const changed = key !== s.layoutKey || s.layout === null;
    if (changed) {
      s.layoutKey = key;
      s.layout = readingsLayout(reading);
      s.scanLayout = scanLayout(reading);
    }
    const layout = s.layout!;
    const values = readingsValues(reading);
    const msg: ReadingsMessage = { type: 'readings', setup: s.setup.name, sink: s.setup.sink, timeMs: reading.timeMs, values };
    if (changed) msg.layout = layout;
    this.#io.readings(msg);
    const points = pointCount(layout, values);
    const scan: Extract<MainframeToSupervisor, { type: 'scan' }> = { type: 'scan', setup: s.setup.name, timeMs: reading.timeMs, durationMs, calls, points, values };
    if (changed) scan.layout = s.scanLayout!;
    this.#io.post(scan);
  }

  #keepalive(): void {
    try {
      this.#count();
      this.#session!.sysPropList();
    } catch (err) {
      if (classify(err) === 'request') this.#lastCallMs = monotonicMs();
      else this.#lost(err);
    }
  }

  // ---- helpers ----

  /** The binding's own count of wrapper calls (metadata cache misses included), else ours. */
  #wrapperCalls(): number {
    const n = this.#session?.calls;
    return typeof n === 'number' ? n : this.#calls;
  }

  #count(n = 1): void {
    this.#calls += n;
    this.#lastCallMs = monotonicMs();
  }

  #countingSession(): CaenSession {
    const session = this.#session!;
    const count = () => this.#count();
    return new Proxy(session, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          count();
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  #report(s: SetupSlot, key: string, level: LogLevel, message: string): void {
    if (s.reported.has(key)) return;
    s.reported.add(key);
    this.#log(level, message, s.setup.name);
  }

  #setState(state: CrateState, detail?: string, retryInMs?: number): void {
    const previous = this.#state;
    const changed = state !== previous;
    this.#state = state;
    if (!changed) {
      // another failed try in the same state: health gets its cause and the grown delay, the log nothing
      if (retryInMs !== undefined) this.#io.post({ type: 'state', state, sinceMs: this.#stateSinceMs, detail, retryInMs });
      return;
    }
    const sinceMs = Date.now();
    this.#stateSinceMs = sinceMs;
    {
      const what = `${this.#mf.systemType} at ${this.#mf.address}`;
      const seconds = (ms: number) => `${Math.max(1, Math.round(ms / 1000))} s`;
      // a back-off grows (say so, and where it stops); the slow retries keep their period
      const retry =
        retryInMs === undefined ? '' : state === 'backoff' ? `; next try in ${seconds(retryInMs)}, then less often, up to every ${seconds(this.#backoff.options.maxMs)}` : `; retrying every ${seconds(retryInMs)}`;
      switch (state) {
        case 'connecting': this.#log('info', `connecting to ${what} as ${this.#mf.user === this.#mf.password ? 'CAENHV_USER (not shown: it equals the password, which is never logged)' : this.#mf.user}`); break;
        case 'connected': this.#log('info', `connected to ${what} (${detail})`); break;
        case 'backoff': this.#log('warn', `${what} unreachable: ${detail}${retry}`); break;
        case 'auth-failed': this.#log('error', `${what} refused the login: ${detail}${retry}`); break;
        case 'library-error': this.#log('error', `cannot log in to ${what}: ${detail}${retry}`); break;
        case 'stopped': this.#log('info', previous === 'connected' ? `logged out of ${what} (${detail})` : `stopped trying ${what} (${detail})`); break;
      }
      this.#io.post({ type: 'state', state, sinceMs, detail, retryInMs });
    }
  }

  #log(level: LogLevel, message: string, setup?: string): void {
    this.#io.post(setup ? { type: 'log', level, message, setup } : { type: 'log', level, message });
  }

  /** Waits, or returns early on stop. */
  #sleep(ms: number): Promise<void> {
    this.#owesTurn = false;
    return new Promise((resolve) => {
      // a timer that fired needs no clearTimeout (it costs one per sleep); only an early wake clears it
      const t = setTimeout(resolve, Math.max(0, ms));
      this.#wake = () => {
        this.#wake = null;
        clearTimeout(t);
        resolve();
      };
    });
  }
}
