// The one writer thread (workers/writer.worker.ts, owned by the writer module): started before
// the pollers (it replays its spool first), handed one MessagePort per mainframe worker, stopped
// last so it can flush or spool what it holds.
import { once } from 'node:events';
import { Worker, type MessagePort } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GemcaenConfig } from '../config/types.js';
import { GemcaenError } from '../errors.js';
import type { Logger } from '../log.js';
import type { LogLevel } from '../protocol.js';
import type { FromWriterThread, SinkStatus, ToWriterThread } from '../protocol.js';
import { WRITER_THREAD_LIMITS } from './thread-heaps.js';
import { writerInit } from './writer-init.js';
import type { DaemonState, SinkHealth } from './state.js';

export const WRITER_WORKER_FILE = new URL('../../workers/writer.worker.js', import.meta.url);

export class WriterThread {
  #worker: Worker | null = null;
  #stopped = false;
  readonly #log: Logger;
  readonly #state: DaemonState;

  /** called once when the thread exits unasked (after READY), with the error line already logged */
  readonly #onDied: ((err: GemcaenError) => void) | undefined;

  constructor(log: Logger, state: DaemonState, onDied?: (err: GemcaenError) => void) {
    this.#log = log.child({ label: 'writer' });
    this.#state = state;
    this.#onDied = onDied;
  }

  /** Starts the thread and waits for READY (spool replay under way), bounded. */
  async start(config: GemcaenConfig, sinkIds: readonly string[], timeoutMs = 15_000, filename: URL = WRITER_WORKER_FILE, statusEveryMs = 5000): Promise<void> {
    const worker = new Worker(filename, {
      workerData: writerInit(config, sinkIds),
      name: 'gemcaen-writer',
      resourceLimits: WRITER_THREAD_LIMITS,
    });
    this.#worker = worker;
    worker.on('message', (msg: FromWriterThread) => this.#onMessage(msg));
    worker.on('error', (err) => this.#log.error(`writer thread failed: ${err.message}`));
    const ready = new Promise<'ready'>((resolve, reject) => {
      const onMsg = (m: FromWriterThread) => {
        if (m.type === 'ready') { worker.off('message', onMsg); resolve('ready'); }
        else if (m.type === 'fault') reject(new GemcaenError(m.error.code, m.error.message));
      };
      worker.on('message', onMsg);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new GemcaenError('WRITER_EXITED', `writer thread exited with code ${code} before it was ready`)));
    });
    const first = await Promise.race([ready, sleep(timeoutMs, 'timeout' as const, { ref: false })]);
    if (first === 'timeout') throw new GemcaenError('WRITER_TIMEOUT', `writer thread not ready after ${timeoutMs} ms`);
    // a writer that dies unasked takes every sink with it: health must say so, not keep its last "ok"
    worker.once('exit', (code) => {
      if (!this.#stopped) this.#writerDied(code);
    });
    // sink numbers (spool size, lines written) for the health endpoint; state changes come unasked
    const ask = () => worker.postMessage({ type: 'status' } satisfies ToWriterThread);
    ask();
    this.#statusTimer = setInterval(ask, statusEveryMs);
    this.#statusTimer.unref();
  }
  #statusTimer: NodeJS.Timeout | undefined;

  #onMessage(msg: FromWriterThread): void {
    switch (msg.type) {
      case 'log':
        this.#log.log(msg.level, msg.message);
        break;
      case 'status':
        for (const s of msg.sinks) this.#recordSink(s);
        break;
      default:
        break;
    }
  }

  /** exit code of a writer thread that died unasked */
  #diedWith: number | undefined;

  /** true when the thread exited unasked (its stop then fails with WRITER_EXITED) */
  get died(): boolean {
    return this.#diedWith !== undefined;
  }

  #writerDied(code: number): void {
    this.#diedWith = code;
    clearInterval(this.#statusTimer);
    const why = this.#onDied
      ? `writer thread exited (code ${code}): stopping gemcaen (exit 1) so that it is restarted; unacknowledged lines stay in the spool and are replayed`
      : `writer thread exited (code ${code}): no point is written from now on; restart gemcaen (unacknowledged lines stay in the spool)`;
    this.#log.error(why);
    const now = Date.now();
    for (const s of [...this.#state.sinks.values()]) this.#state.recordSink({ ...s, state: 'failing', lastError: why, lastErrorMs: now });
    this.#onDied?.(new GemcaenError('WRITER_EXITED', why));
  }

  #recordSink(s: SinkStatus): void {
    const prev = this.#state.sinks.get(s.id);
    const h: SinkHealth = {
      id: s.id,
      kind: s.kind ?? prev?.kind ?? 'unknown',
      target: s.target ?? prev?.target ?? '',
      state: s.state === 'ok' ? 'ok' : 'failing',
      spoolBytes: s.spooledBytes,
      lastError: s.lastError,
      lastErrorMs: s.lastErrorAt,
      written: s.writtenLines,
      extra: { spooledLines: s.spooledLines, unspooledLines: s.unspooledLines, droppedLines: s.droppedLines, writerState: s.state },
    };
    if (s.spoolError !== undefined) h.spoolError = s.spoolError;
    this.#state.recordSink(h);
  }

  /** Hands the writer end of a mainframe's channel to the writer thread. */
  attachPort(mainframe: string, port: MessagePort): void {
    if (!this.#worker) throw new GemcaenError('WRITER_NOT_STARTED', 'writer thread not started');
    this.#worker.postMessage({ type: 'port', mainframe, port } satisfies ToWriterThread, [port]);
  }

  /** Asks the writer to flush (or spool) and end; terminates it after `timeoutMs`. Idempotent. */
  async stop(reason: string, timeoutMs: number): Promise<void> {
    const worker = this.#worker;
    if (!worker || this.#stopped) return;
    this.#stopped = true;
    if (this.#diedWith !== undefined) {
      // nothing to wait for: the stop fails at once, so the daemon exits non-zero
      throw new GemcaenError('WRITER_EXITED', `writer thread had exited (code ${this.#diedWith}) before the stop: points since then were not written`);
    }
    clearInterval(this.#statusTimer);
    const exited = once(worker, 'exit').then(() => 'exited' as const);
    // the writer flushes within its share and spools the rest; we wait a little longer before terminate
    worker.postMessage({ type: 'stop', reason, timeoutMs: Math.max(500, timeoutMs - 1000) } satisfies ToWriterThread);
    const first = await Promise.race([exited, sleep(timeoutMs, 'timeout' as const, { ref: false })]);
    if (first === 'timeout') {
      await worker.terminate();
      throw new GemcaenError('SHUTDOWN_TIMEOUT', `writer ignored stop for ${timeoutMs} ms: terminated (unsent points stay in the spool)`);
    }
  }
}
