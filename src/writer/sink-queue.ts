// The pipeline of one sink: deduplicated lines are gathered for up to batchMaxMilliseconds (or
// batchMaxLines), appended to the backlog (the durable spool: fsync'd before anything is sent), then one
// sender loop takes the oldest unacknowledged lines, writes them in one request and acknowledges, drops,
// splits or keeps them according to the answer (outcome.ts). Backlogs are replayed in big batches.
// When the spool cannot be appended (disk full, read-only), lines are held in memory instead (bounded:
// the oldest are dropped, counted and logged) and sent first: the database's acknowledgement is then
// their only durability. Health shows the degraded spool until it takes lines again.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogLevel } from '../protocol.js';
import { MemoryBacklog, type Backlog, type Batch } from './backlog.js';
import type { BackoffOptions } from '../backoff.js';
import { retryDelayMs, type WriteResult } from './outcome.js';
import type { Sink } from './sinks/sink.js';
import { bodyLines, LineBytes } from './line-bytes.js';
import type { SinkState, SinkStatus } from '../protocol.js';

export interface SinkQueueOptions {
  /** the backlog is the sink's durable spool (false: memory, the sink is itself durable); for messages */
  spooled: boolean;
  batchMaxLines: number;
  batchMaxMs: number;
  /** lines per request when a backlog is replayed */
  replayBatchLines: number;
  backoff: BackoffOptions;
  log: (level: LogLevel, message: string) => void;
  now: () => number;
  onStateChange?: (status: SinkStatus) => void;
  /** lines held in memory while the spool cannot be appended (default MAX_UNSPOOLED_LINES) */
  maxUnspooledLines?: number;
  /** shortest time between two log lines about lines dropped from memory (default 60 s; the first is logged at once) */
  dropLogEveryMs?: number;
}

/** lines held in memory while the spool cannot be appended (disk full); beyond, the oldest are dropped */
export const MAX_UNSPOOLED_LINES = 100_000;

export class SinkQueue {
  readonly #sink: Sink;
  readonly #backlog: Backlog;
  readonly #o: SinkQueueOptions;
  /** the lines gathered for the next batch, as bytes */
  readonly #pending = new LineBytes();
  #timer: NodeJS.Timeout | undefined;
  #state: SinkState = 'ok';
  #stateKey = 'ok';
  #failingSince = 0;
  #attempt = 0;
  #limit: number;
  #written = 0;
  #dropped = 0;
  #requests = 0;
  #lastError: string | undefined;
  #lastErrorAt: number | undefined;
  #lastWriteAt: number | undefined;
  /** lines the spool could not take: sent from memory first, moved to the spool once it takes them */
  readonly #unspooled: MemoryBacklog;
  /** a batch of #unspooled is being written: it is not moved to the spool meanwhile */
  #unspooledInFlight = false;
  /** why the spool cannot be appended (health); undefined while it can */
  #appendError: string | undefined;
  /** lines dropped from memory not yet logged, and when that was last logged */
  #dropsUnlogged = 0;
  #dropsLoggedAt = -Infinity;
  #dropLogTimer: NodeJS.Timeout | undefined;
  /** the backlog could not record an acknowledgement (logged once until it can again): the reason */
  #ackError: string | undefined;
  /** the backlog could not be read (logged once until it can again) */
  #readFailing = false;
  /** wakes the sender loop (new lines, stop) */
  #wake: (() => void) | undefined;
  /** aborted when stop begins: ends a back-off wait */
  readonly #stopCtl = new AbortController();
  /** aborts the request in flight at the stop deadline */
  readonly #abort = new AbortController();
  #stopping = false;
  #loop: Promise<void> | undefined;
  /** resolved after every write attempt and when idle */
  #attemptWaiters: Array<() => void> = [];

  constructor(sink: Sink, backlog: Backlog, opts: SinkQueueOptions) {
    this.#sink = sink;
    this.#backlog = backlog;
    this.#o = opts;
    this.#limit = this.#maxBatch();
    this.#unspooled = new MemoryBacklog(Infinity, (n) => this.#noteUnspooledDrop(n), opts.maxUnspooledLines ?? MAX_UNSPOOLED_LINES);
  }

  get id(): string {
    return this.#sink.id;
  }

  start(): void {
    const n = this.#backlog.lines;
    if (n > 0) this.#o.log('info', `sink ${this.#sink.id}: replaying ${n} spooled lines to ${this.#sink.target}`);
    this.#loop = this.#run();
  }

  /** takes serialized lines; they reach the backlog within batchMaxMs */
  accept(lines: readonly string[]): void {
    if (lines.length === 0) return;
    for (const l of lines) this.#pending.line(l);
    this.#accepted();
  }

  /** takes the lines `write` writes into the batch being gathered (as bytes); they reach the backlog within batchMaxMs */
  acceptBytes(write: (out: LineBytes) => void): void {
    const before = this.#pending.lines;
    write(this.#pending);
    if (this.#pending.lines !== before) this.#accepted();
  }

  #accepted(): void {
    if (this.#pending.lines >= this.#o.batchMaxLines) this.flushPending();
    else if (this.#timer === undefined && !this.#stopping) this.#timer = setTimeout(() => this.flushPending(), this.#o.batchMaxMs);
  }

  /**
   * Moves the gathered lines into the backlog now (one fsync) and wakes the sender. Lines the spool
   * cannot take are held in memory (after those already there, keeping their order) and retried
   * every second or so.
   */
  flushPending(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#unspooled.lines > 0 && !this.#unspooledInFlight) this.#spoolUnspooled();
    if (this.#pending.lines > 0) {
      const count = this.#pending.lines;
      const body = this.#pending.take();
      if (this.#unspooled.lines > 0 || !this.#appendToBacklog(body, count)) this.#unspooled.append(bodyLines(body));
    }
    if (this.#unspooled.lines > 0 && !this.#stopping) this.#timer = setTimeout(() => this.flushPending(), Math.max(1000, this.#o.batchMaxMs));
    this.#kick();
  }

  /** true when the backlog took the lines (a body of `count` lines, or the lines); otherwise the sink reports its spool degraded */
  #appendToBacklog(body: Buffer, count: number): boolean;
  #appendToBacklog(lines: readonly string[]): boolean;
  #appendToBacklog(what: Buffer | readonly string[], count = 0): boolean {
    try {
      if (Buffer.isBuffer(what)) this.#backlog.appendBody(what, count);
      else this.#backlog.append(what);
    } catch (err) {
      if (this.#appendError === undefined) {
        this.#appendError = `cannot append to the spool in ${this.#backlog.location} (${(err as Error).message}): new lines are held in memory (at most ${this.#unspooled.maxLineCount}) and are kept only once ${this.#sink.target} acknowledges them; free space on that disk or set Settings.spoolDirectory to a writable directory`;
        this.#o.log('error', `sink ${this.#sink.id}: ${this.#appendError}`);
        this.#o.onStateChange?.(this.status());
      }
      return false;
    }
    if (this.#appendError !== undefined) {
      this.#appendError = undefined;
      this.#o.log('info', `sink ${this.#sink.id}: the spool in ${this.#backlog.location} takes lines again`);
      this.#o.onStateChange?.(this.status());
    }
    return true;
  }

  /** moves lines held in memory into the spool, oldest first, as far as it takes them */
  #spoolUnspooled(): void {
    let moved = 0;
    for (let b = this.#unspooled.peek(this.#maxBatch()); b !== undefined; b = this.#unspooled.peek(this.#maxBatch())) {
      if (!this.#appendToBacklog(b.lines)) break;
      this.#unspooled.ack(b);
      moved += b.lines.length;
    }
    if (moved > 0) this.#o.log('info', `sink ${this.#sink.id}: ${moved} lines held in memory are in the spool now${this.#unspooled.lines > 0 ? `; ${this.#unspooled.lines} still in memory` : ''}`);
  }

  /** the memory bound dropped the oldest lines: counted at once, logged at once and then at most every dropLogEveryMs */
  #noteUnspooledDrop(lines: number): void {
    this.#dropped += lines;
    this.#dropsUnlogged += lines;
    const every = this.#o.dropLogEveryMs ?? 60_000;
    const wait = this.#dropsLoggedAt + every - Date.now();
    if (wait <= 0) this.#logUnspooledDrops();
    else this.#dropLogTimer ??= setTimeout(() => this.#logUnspooledDrops(), wait).unref();
  }

  #logUnspooledDrops(): void {
    if (this.#dropLogTimer !== undefined) clearTimeout(this.#dropLogTimer);
    this.#dropLogTimer = undefined;
    if (this.#dropsUnlogged === 0) return;
    this.#o.log(
      'error',
      `sink ${this.#sink.id}: dropped the oldest ${this.#dropsUnlogged} lines held in memory (the spool in ${this.#backlog.location} cannot be appended and ${this.#sink.target} has not taken them; at most ${this.#unspooled.maxLineCount} are held); ${this.#dropped} dropped in total`,
    );
    this.#dropsUnlogged = 0;
    this.#dropsLoggedAt = Date.now();
  }

  /** resolves once everything accepted so far was written, or after the next failed attempt */
  async flush(): Promise<void> {
    this.flushPending();
    for (;;) {
      if (this.#backlog.lines + this.#unspooled.lines === 0 || this.#loop === undefined || this.#state !== 'ok') return;
      const attempted = new Promise<void>((r) => this.#attemptWaiters.push(r));
      this.#kick();
      await attempted;
    }
  }

  /** writes what it can until the deadline; whatever is not acknowledged stays in the backlog */
  async stop(deadline: number): Promise<void> {
    this.#stopping = true;
    this.#stopCtl.abort();
    this.flushPending();
    this.#kick();
    if (this.#loop) {
      const left = Math.max(0, deadline - Date.now());
      const timer = setTimeout(() => this.#abort.abort(), left);
      try {
        await this.#loop;
      } finally {
        clearTimeout(timer);
      }
    }
    // lines held in memory: a last chance to keep them on disk, else they are lost and said so
    if (this.#unspooled.lines > 0) this.#spoolUnspooled();
    const lost = this.#unspooled.clear();
    if (lost > 0) {
      this.#dropped += lost;
      this.#o.log(
        'error',
        `sink ${this.#sink.id}: stopping: ${lost} lines held in memory are lost: the spool in ${this.#backlog.location} cannot be appended and ${this.#sink.target} did not acknowledge them before the stop; ${this.#dropped} dropped in total`,
      );
    }
    this.#logUnspooledDrops();
    const left = this.#backlog.lines;
    if (left > 0) this.#o.log('info', `sink ${this.#sink.id}: ${left} lines stay in the spool for the next start`);
    this.#backlog.close();
    await this.#sink.close();
  }

  status(): SinkStatus {
    const s: SinkStatus = {
      id: this.#sink.id,
      kind: this.#sink.kind,
      target: this.#sink.target,
      state: this.#state,
      spooledLines: this.#backlog.lines + this.#pending.lines + this.#unspooled.lines,
      spooledBytes: this.#backlog.bytes,
      unspooledLines: this.#unspooled.lines,
      droppedLines: this.#dropped,
      writtenLines: this.#written,
      requests: this.#requests,
    };
    const spoolError = this.#appendError ?? this.#ackError;
    if (spoolError !== undefined) s.spoolError = spoolError;
    if (this.#lastError !== undefined) s.lastError = this.#lastError;
    if (this.#lastErrorAt !== undefined) s.lastErrorAt = this.#lastErrorAt;
    if (this.#lastWriteAt !== undefined) s.lastWriteAt = this.#lastWriteAt;
    return s;
  }

  /** counts lines thrown away by the backlog's bound */
  noteBoundDrop(lines: number, bytes: number): void {
    this.#dropped += lines;
    this.#o.log(
      'warn',
      `sink ${this.#sink.id}: spool full: dropped the oldest ${lines} lines (${bytes} bytes); ${this.#dropped} dropped in total. Raise spoolMaxMegabytes or fix ${this.#sink.target}`,
    );
  }

  #spoolHint(): string {
    return this.#o.spooled ? 'the spool directory (spoolDirectory) and its disk' : 'the memory backlog';
  }

  #maxBatch(): number {
    return Math.max(this.#o.batchMaxLines, this.#o.replayBatchLines);
  }

  #kick(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  #notifyAttempt(): void {
    const ws = this.#attemptWaiters;
    this.#attemptWaiters = [];
    for (const w of ws) w();
  }

  async #run(): Promise<void> {
    for (;;) {
      if (this.#abort.signal.aborted) break;
      // lines held only in memory go first: the spool's lines survive a crash, these do not
      let source: Backlog = this.#unspooled;
      let batch: Batch | undefined = this.#unspooled.peek(this.#limit);
      if (batch === undefined) source = this.#backlog;
      try {
        batch ??= this.#backlog.peek(this.#limit);
      } catch (err) {
        // a spool that cannot be read (a segment removed by hand, an I/O error): the sink is failing,
        // retried with back-off; a throw here ended the loop and, in the writer thread, the thread
        const message = `cannot read the spool: ${(err as Error).message}`;
        this.#lastError = message;
        this.#lastErrorAt = this.#o.now();
        this.#setState('failing', { status: 'network', message });
        if (!this.#readFailing) {
          this.#readFailing = true;
          this.#o.log('error', `sink ${this.#sink.id}: ${message}; nothing is sent until it can be read, retrying with back-off: check ${this.#spoolHint()}`);
        }
        this.#notifyAttempt();
        if (this.#stopping) break;
        this.#attempt++;
        try {
          await sleep(retryDelayMs(this.#attempt, this.#o.backoff), undefined, { signal: this.#stopCtl.signal });
        } catch {
          // woken by stop
        }
        continue;
      }
      if (this.#readFailing) {
        this.#readFailing = false;
        if (this.#lastError?.startsWith('cannot read the spool')) this.#lastError = undefined;
        this.#o.log('info', `sink ${this.#sink.id}: spool readable again`);
      }
      if (!batch) {
        this.#limit = this.#maxBatch();
        this.#notifyAttempt();
        if (this.#stopping) break;
        await new Promise<void>((r) => (this.#wake = r));
        continue;
      }
      // one controller per request: the transport adds a listener to the signal it is given
      const request = new AbortController();
      const onAbort = (): void => request.abort();
      this.#abort.signal.addEventListener('abort', onAbort, { once: true });
      let result: WriteResult;
      const waiting = this.#backlog.lines + this.#unspooled.lines;
      this.#unspooledInFlight = source === this.#unspooled;
      try {
        result = batch.body !== undefined && this.#sink.writeBody ? await this.#sink.writeBody(batch.body, request.signal) : await this.#sink.write(batch.lines, request.signal);
      } finally {
        this.#unspooledInFlight = false;
        this.#abort.signal.removeEventListener('abort', onAbort);
      }
      this.#requests++;
      if (this.#abort.signal.aborted) break;
      const retry = this.#handle(source, batch, result, waiting);
      this.#notifyAttempt();
      if (retry) {
        if (this.#stopping) break; // stays in the spool for the next start
        this.#attempt++;
        const wait = retryDelayMs(this.#attempt, this.#o.backoff, result.retryAfterMs);
        // new lines do not shorten the back-off: only stop does
        try {
          await sleep(wait, undefined, { signal: this.#stopCtl.signal });
        } catch {
          // woken by stop
        }
      }
    }
    this.#notifyAttempt();
  }

  /**
   * Releases a batch from the backlog. When the spool cannot record it (disk full, a file in the way),
   * the position still moves on in memory, so the lines are not sent again while running; only a
   * restart would send them again (harmless duplicates). Said once, not once per batch; never thrown:
   * a throw here ended the sender loop and, in the writer thread, the thread itself.
   */
  #release(source: Backlog, batch: Batch): void {
    try {
      source.ack(batch);
      if (this.#ackError !== undefined) {
        this.#ackError = undefined;
        this.#o.log('info', `sink ${this.#sink.id}: spool records acknowledgements again`);
      }
    } catch (err) {
      if (this.#ackError === undefined) {
        this.#ackError = `cannot record acknowledged lines in the spool in ${source.location} (${(err as Error).message}): they are not sent again while running, but may be sent again after a restart; free disk space or fix Settings.spoolDirectory`;
        this.#o.log('error', `sink ${this.#sink.id}: ${this.#ackError}`);
      }
    }
  }

  /** acknowledges, drops or splits the batch; true when it must be retried later */
  #handle(source: Backlog, batch: Batch, r: WriteResult, waiting: number): boolean {
    const n = batch.count;
    const now = this.#o.now();
    switch (this.#sink.outcome(r)) {
      case 'accept':
        this.#release(source, batch);
        this.#written += n;
        this.#lastWriteAt = now;
        this.#attempt = 0;
        this.#setState('ok', r, waiting);
        return false;
      case 'drop': {
        this.#release(source, batch);
        const rejected = r.rejectedLines ?? n;
        this.#dropped += rejected;
        this.#written += n - rejected;
        this.#lastError = r.message ?? `HTTP ${r.status}`;
        this.#lastErrorAt = now;
        if (rejected < n) this.#lastWriteAt = now;
        this.#o.log(
          'error',
          rejected < n
            ? `sink ${this.#sink.id}: ${this.#sink.target} refused ${rejected} of ${n} lines (${this.#lastError}); the others were stored, the refused ones are dropped`
            : `sink ${this.#sink.id}: ${this.#sink.target} refused a batch of ${n} lines as bad data (${this.#lastError}); dropped`,
        );
        this.#attempt = 0;
        this.#setState('ok', r, waiting);
        return false;
      }
      case 'split':
        if (n > 1) {
          this.#limit = Math.ceil(n / 2);
          this.#o.log('debug', `sink ${this.#sink.id}: request of ${n} lines too large (413): sending ${this.#limit} per request`);
          return false;
        }
        this.#release(source, batch);
        this.#dropped += 1;
        this.#lastError = r.message ?? 'HTTP 413';
        this.#lastErrorAt = now;
        this.#o.log('error', `sink ${this.#sink.id}: a single line is too large for ${this.#sink.target} (413); dropped`);
        return false;
      case 'config':
        this.#lastError = r.message ?? `HTTP ${r.status}`;
        this.#lastErrorAt = now;
        this.#setState('config-error', r);
        return true;
      case 'keep':
        this.#lastError = r.message ?? `HTTP ${r.status}`;
        this.#lastErrorAt = now;
        this.#setState('failing', r);
        return true;
    }
  }

  /** `waiting`: lines not yet acknowledged when the request that brought this state was made */
  #setState(state: SinkState, r: WriteResult, waiting = this.#backlog.lines + this.#unspooled.lines): void {
    const hint = state === 'config-error' ? this.#sink.configHint(r) : '';
    const key = state + hint;
    if (key === this.#stateKey) return;
    const before = this.#state;
    this.#state = state;
    this.#stateKey = key;
    const where = this.#o.spooled ? 'in the spool' : 'in memory';
    const n = waiting;
    if (state === 'ok') {
      const secs = Math.round((this.#o.now() - this.#failingSince) / 1000);
      this.#o.log('info', `sink ${this.#sink.id}: writing to ${this.#sink.target} again after ${secs} s; ${n} lines ${where} to catch up`);
    } else {
      if (before === 'ok') this.#failingSince = this.#o.now();
      if (state === 'config-error')
        this.#o.log('error', `sink ${this.#sink.id}: ${hint}; keeping ${n} lines ${where} until it is fixed`);
      else
        this.#o.log('warn', `sink ${this.#sink.id}: cannot write to ${this.#sink.target} (${r.message ?? r.status}); keeping ${n} lines ${where}, retrying with back-off`);
    }
    this.#o.onStateChange?.(this.status());
  }
}
