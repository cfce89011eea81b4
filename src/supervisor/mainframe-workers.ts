// One long-running piscina task per mainframe. The task ends only when we post {type:'stop'} on
// its control port (never by abort: piscina terminates an aborted task's thread at once, no
// `finally` runs, and the crate keeps a session open). A task that fails, or whose thread dies,
// is started again with back-off while the other crates keep logging. Only a stop time-out
// destroys the pool (terminate), and that is logged as an error.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { Piscina } from 'piscina';
import type { MainframeConfig, SetupConfig } from '../config/types.js';
import { GemcaenError } from '../errors.js';
import type { Logger } from '../log.js';
import { Backoff } from '../backoff.js';
import type { ControlJobMessage, ControlResult, MainframeTask, MainframeToSupervisor, MainframeWire, PollerOptions, SupervisorToMainframe } from '../protocol.js';
import { pinCaenLibrary } from './pin-library.js';
import { MAINFRAME_THREAD_LIMITS } from './thread-heaps.js';
import type { DaemonState } from './state.js';

/** how long a stop waits for timed-out threads to terminate before it gives up on them */
const TERMINATE_WAIT_MS = 1000;

export const MAINFRAME_WORKER_FILE = new URL('../../workers/mainframe.worker.js', import.meta.url);

export interface MainframeWorkersOptions {
  /** hands the writer end of a fresh channel to the writer thread */
  attachWriterPort(mainframe: string, port: MessagePort): void;
  state: DaemonState;
  log: Logger;
  /** restart back-off after a worker fault */
  restartInitialMs?: number;
  restartMaxMs?: number;
  /** every setup of the config (logged or not): control requests may name those on a crate a worker owns */
  configSetups?: readonly SetupConfig[];
  /** passed to the poller (tests shorten the reconnect back-off) */
  pollerOptions?: PollerOptions;
  filename?: URL;
}

interface Runner {
  mf: MainframeConfig;
  setups: SetupConfig[];
  control: MessagePort | null;
  task: Promise<void>;
  wake: (() => void) | null;
  /** the CAEN handle the worker last reported open; set while it is logged in */
  openHandle: number | null;
  /** control jobs posted to the current worker, by id, waiting for their result */
  pending: Map<number, (result: ControlResult) => void>;
  /** shared with the current worker: set to 1 to stop it after its call in progress, even inside a scan */
  stopFlag: Int32Array | null;
}

function toWire(mf: MainframeConfig, setups: readonly SetupConfig[]): MainframeWire {
  const ev = mf.events;
  // reconcile by default at the shortest heartbeat of the mainframe's setups
  const heartbeat = Math.min(...setups.filter((s) => s.mainframe === mf.id).map((s) => s.heartbeatSeconds), 300);
  return {
    id: mf.id,
    systemType: mf.systemType,
    linkType: mf.linkType,
    address: mf.address,
    user: mf.user,
    password: mf.password.reveal(),
    library: mf.library,
    keepaliveSeconds: mf.keepaliveSeconds,
    ...(ev
      ? {
          events: {
            listenHost: ev.listenHost,
            ports: [ev.ports[0], ev.ports[1]],
            keepaliveLimitSeconds: ev.keepaliveLimitSeconds,
            reconcileSeconds: ev.reconcileSeconds ?? heartbeat,
            retrySeconds: ev.retrySeconds,
          },
        }
      : {}),
  };
}

export class MainframeWorkers {
  readonly #opts: MainframeWorkersOptions;
  readonly #runners = new Map<string, Runner>();
  #pool: Piscina | null = null;
  #stopping = false;
  #nextJobId = 1;

  constructor(options: MainframeWorkersOptions) {
    this.#opts = options;
  }

  /** Starts one task per mainframe. */
  start(groups: ReadonlyMap<MainframeConfig, SetupConfig[]>): void {
    const n = groups.size;
    this.#pool = new Piscina({
      filename: (this.#opts.filename ?? MAINFRAME_WORKER_FILE).href,
      name: 'default',
      minThreads: n,
      maxThreads: n,
      concurrentTasksPerWorker: 1,
      idleTimeout: 2 ** 31 - 1,
      atomics: 'disabled',
      maxQueue: n,
      resourceLimits: MAINFRAME_THREAD_LIMITS,
    });
    for (const [mf, setups] of groups) {
      pinCaenLibrary(mf.library);
      const runner: Runner = { mf, setups, control: null, task: Promise.resolve(), wake: null, openHandle: null, pending: new Map(), stopFlag: null };
      runner.task = this.#loop(runner);
      this.#runners.set(mf.id, runner);
    }
  }

  async #loop(r: Runner): Promise<void> {
    const backoff = new Backoff({ initialMs: this.#opts.restartInitialMs ?? 1000, maxMs: this.#opts.restartMaxMs ?? 60_000 });
    const log = this.#opts.log.child({ label: r.mf.id });
    while (!this.#stopping) {
      const control = new MessageChannel();
      const toWriter = new MessageChannel();
      this.#opts.attachWriterPort(r.mf.id, toWriter.port2);
      // the level is fixed for the process's life: asked once per worker, not per scan (winston's check is not free)
      const debug = log.isLevelEnabled('debug');
      control.port1.on('message', (msg: MainframeToSupervisor) => this.#onMessage(r, log, debug, msg));
      r.control = control.port1;
      r.stopFlag = new Int32Array(new SharedArrayBuffer(4));
      const started = Date.now();
      try {
        const task: MainframeTask = {
          mainframe: toWire(r.mf, r.setups),
          setups: r.setups,
          controlSetups: (this.#opts.configSetups ?? r.setups).filter((s) => s.mainframe === r.mf.id),
          control: control.port2,
          writer: toWriter.port1,
          ...(this.#opts.pollerOptions ? { options: this.#opts.pollerOptions } : {}),
          staleHandles: r.openHandle === null ? [] : [r.openHandle],
          stopFlag: r.stopFlag,
        };
        await this.#pool!.run(task, { transferList: [control.port2, toWriter.port1] });
        if (this.#stopping) break;
        log.error('worker ended without being asked to stop; starting it again');
      } catch (err) {
        if (this.#stopping) break;
        const crate = this.#opts.state.crates.get(r.mf.id);
        if (crate) crate.restarts++;
        this.#opts.state.setCrateState(r.mf.id, { state: 'restarting', sinceMs: Date.now(), detail: err instanceof Error ? err.message : String(err) });
        log.error(`worker failed: ${err instanceof Error ? err.message : String(err)}; starting it again`);
      } finally {
        // drain what the worker posted last, then drop the port
        await new Promise((res) => setImmediate(res));
        control.port1.close();
        r.control = null;
        this.#failPending(r, 'WORKER_STOPPED', `the worker of ${r.mf.id} ended before answering`);
      }
      if (Date.now() - started > 60_000) backoff.reset();
      const delay = backoff.next();
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, delay);
        function done() { clearTimeout(t); resolve(); }
        r.wake = () => { r.wake = null; done(); };
      });
    }
  }

  #onMessage(r: Runner, log: Logger, debug: boolean, msg: MainframeToSupervisor): void {
    const state = this.#opts.state;
    switch (msg.type) {
      case 'log':
        (msg.setup ? log.child({ label: `${r.mf.id} ${msg.setup}` }) : log).log(msg.level, msg.message);
        break;
      case 'state':
        state.setCrateState(r.mf.id, { state: msg.state, sinceMs: msg.sinceMs, detail: msg.detail, retryInMs: msg.retryInMs });
        break;
      case 'setup-state':
        state.setSetupState(msg.setup, msg.paused, msg.reason);
        break;
      case 'scan':
        if (!state.recordScan(msg.setup, msg.timeMs, msg.durationMs, msg.calls, msg.points, msg.layout, msg.values)) {
          log.error(`${msg.setup}: a scan of ${msg.values.length} values that its worker sent no fitting layout for: not recorded (a bug)`);
        } else if (debug) {
          log.child({ label: `${r.mf.id} ${msg.setup}` }).debug(`${msg.setup}: scan of ${state.channelsOf(msg.setup)} channels, ${msg.calls} calls, ${msg.durationMs.toFixed(1)} ms`);
        }
        break;
      case 'event-mode': {
        const { type: _type, mode, ...figures } = msg;
        state.setEventMode(r.mf.id, mode, figures);
        break;
      }
      case 'fault':
        log.error(`worker fault: ${msg.error.message} (${msg.error.code})`);
        break;
      case 'session':
        r.openHandle = msg.handle;
        break;
      case 'control-result': {
        const answer = r.pending.get(msg.id);
        r.pending.delete(msg.id);
        answer?.(msg.result);
        break;
      }
      case 'stopped':
        break;
    }
  }

  /**
   * Hands a control job to the worker that owns `mainframe`'s handle; resolves with its coded result
   * (CRATE_NOT_CONNECTED when no worker runs, WORKER_STOPPED when it ends before answering).
   */
  control(mainframe: string, job: Omit<ControlJobMessage, 'type' | 'id'>): Promise<ControlResult> {
    const r = this.#runners.get(mainframe);
    if (!r || !r.control || this.#stopping) {
      const why = this.#stopping ? 'the daemon is stopping' : r ? 'its worker is restarting' : 'the daemon does not log it';
      return Promise.resolve({ code: 'CRATE_NOT_CONNECTED', message: `mainframe ${mainframe}: ${why}; nothing was sent`, writes: 0, sent: false });
    }
    const id = this.#nextJobId++;
    const port = r.control;
    return new Promise((resolve) => {
      r.pending.set(id, resolve);
      port.postMessage({ type: 'control', id, ...job } satisfies SupervisorToMainframe);
    });
  }

  #failPending(r: Runner, code: string, message: string): void {
    for (const answer of r.pending.values()) answer({ code, message: `${message}; whether it was sent is unknown: check the crate`, writes: 0, sent: false });
    r.pending.clear();
  }

  /**
   * Asks every task to stop after its call in progress (it then deinits its handle), waits up to
   * `timeoutMs`, and only then terminates the threads that did not end. Idempotent.
   */
  async stop(reason: string, timeoutMs: number): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = true;
      for (const r of this.#runners.values()) {
        r.wake?.();
        r.control?.postMessage({ type: 'stop', reason } satisfies SupervisorToMainframe);
        // after the message: a worker that sees the flag finds the reason already queued
        if (r.stopFlag) Atomics.store(r.stopFlag, 0, 1);
      }
    }
    const pool = this.#pool;
    if (!pool) return;
    const all = Promise.all([...this.#runners.values()].map((r) => r.task)).then(() => 'done' as const);
    const first = await Promise.race([all, sleep(timeoutMs, 'timeout' as const, { ref: false })]);
    this.#pool = null;
    if (first === 'timeout') {
      // terminate() takes effect only when the thread runs JavaScript again: a thread inside a CAEN
      // call never gets there, and waiting for it would hang the stop (the process must then end
      // without joining it: src/cli/hard-exit.ts)
      const destroyed = await Promise.race([pool.destroy().then(() => true), sleep(TERMINATE_WAIT_MS, false, { ref: false })]);
      throw new GemcaenError(
        'SHUTDOWN_TIMEOUT',
        destroyed
          ? `mainframe workers ignored stop for ${timeoutMs} ms: threads terminated, a crate session may stay open`
          : `mainframe workers ignored stop for ${timeoutMs} ms and a thread is stuck inside a CAEN library call: it cannot be terminated, the process must exit without it; a crate session may stay open`,
        { details: { stuckThread: !destroyed } },
      );
    }
    await pool.close();
  }
}
