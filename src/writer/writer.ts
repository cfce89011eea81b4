// The writer: takes points from every mainframe, keeps only what must be written (dedup), serializes
// them to line protocol and hands them to the queue of the sink their setup names. Not tied to a thread:
// workers/writer.worker.ts runs it in the writer thread, tests run it in-process.
import { join } from 'node:path';
import type { SinkConfig } from '../config/types.js';
import { GemcaenError } from '../errors.js';
import type { LogLevel, PointsMessage, ReadingsLayout, ReadingsMessage } from '../protocol.js';
import { expandReadings, ReadingsIntake } from '../readings.js';
import { ReadingsLines } from './readings-lines.js';
import type { Backlog } from './backlog.js';
import { MemoryBacklog } from './backlog.js';
import { createSink } from './create-sink.js';
import { Dedup, type DedupPolicy } from './dedup.js';
import { SeriesHeadCache, toLine } from './line-protocol.js';
import type { BackoffOptions } from '../backoff.js';
import { SINK_BACKOFF } from './outcome.js';
import { SinkQueue } from './sink-queue.js';
import { fileSafe } from './sinks/sink.js';
import { sinkSpools } from './sinks/registry.js';
import { Spool } from './spool.js';
import type { SinkStatus } from '../protocol.js';
import { checkSpoolDirectory } from './spool-dir.js';

export interface WriterSettings {
  /** each spooled sink keeps its write-ahead log in <spoolDirectory>/<sink id> */
  spoolDirectory: string;
  /** bound of each sink's spool (Settings.spoolMaxMegabytes × 2^20) */
  spoolMaxBytes: number;
  /** a batch is closed at this many lines (Settings.batchMaxLines) */
  batchMaxLines: number;
  /** … or this long after its first line (Settings.batchMaxMilliseconds, default 1000) */
  batchMaxMs: number;
  /** lines per request while a backlog is replayed (default 5000) */
  replayBatchLines?: number;
  /** per request (default 10000) */
  requestTimeoutMs?: number;
  /** retry back-off (default 500 ms doubling to 30 s, with jitter) */
  backoff?: Partial<BackoffOptions>;
  /** spool segment size, bytes (default spoolMaxBytes / 16 within 64 KiB … 16 MiB) */
  segmentBytes?: number;
  /** lines held in memory per sink while its spool cannot be appended (default 100 000) */
  maxUnspooledLines?: number;
  /** shortest time between two log lines about lines dropped from memory (default 60 s) */
  dropLogEveryMs?: number;
}

export interface WriterOptions {
  sinks: readonly SinkConfig[];
  /** per setup name; setups not listed get a 300 s heartbeat and no deadbands */
  policies: Readonly<Record<string, DedupPolicy>>;
  settings: WriterSettings;
  log: (level: LogLevel, message: string) => void;
  /** clock for status times (default Date.now); dedup uses the points' own timestamps */
  now?: () => number;
  /** called when a sink changes state (ok / failing / config-error) */
  onStateChange?: (status: SinkStatus) => void;
}

export class Writer {
  readonly #o: WriterOptions;
  readonly #dedup: Dedup;
  /** escaped measurement + sorted tags per series, so a point's tags are not sorted and escaped again */
  readonly #heads = new SeriesHeadCache();
  readonly #queues = new Map<string, SinkQueue>();
  readonly #unknownSinks = new Set<string>();
  /** per channel of compact readings: each setup's layout, and its lines form (undefined: written as points) */
  readonly #intakes = new WeakMap<object, ReadingsIntake<{ layout: ReadingsLayout; lines: ReadingsLines | undefined }>>();
  #state: 'new' | 'started' | 'stopping' | 'stopped' = 'new';

  constructor(opts: WriterOptions) {
    const s = opts.settings;
    if (!Number.isSafeInteger(s.batchMaxLines) || s.batchMaxLines < 1) throw new RangeError('settings.batchMaxLines must be a positive integer');
    if (!(s.batchMaxMs > 0)) throw new RangeError('settings.batchMaxMs must be a positive number');
    if (!(s.spoolMaxBytes > 0)) throw new RangeError('settings.spoolMaxBytes must be a positive number');
    const ids = new Set<string>();
    for (const c of opts.sinks) {
      if (ids.has(c.id)) throw new RangeError(`sinks: id "${c.id}" appears twice`);
      ids.add(c.id);
    }
    this.#o = opts;
    this.#dedup = new Dedup(opts.policies);
  }

  /** opens every sink's spool and starts writing (replaying what a previous run left) */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new GemcaenError('WRITER_STATE', `writer.start() called when ${this.#state}`);
    const s = this.#o.settings;
    const now = this.#o.now ?? Date.now;
    const backoff: BackoffOptions = { ...SINK_BACKOFF, ...s.backoff };
    try {
      for (const c of this.#o.sinks) {
        const sink = await createSink(c, s.requestTimeoutMs ?? 10_000);
        let queue: SinkQueue | undefined;
        const onDrop = (lines: number, bytes: number): void => queue?.noteBoundDrop(lines, bytes);
        let backlog: Backlog;
        const spooled = sinkSpools(c);
        if (spooled) {
          const spoolOpts: ConstructorParameters<typeof Spool>[0] = { directory: join(s.spoolDirectory, fileSafe(c.id)), maxBytes: s.spoolMaxBytes, onDrop };
          if (s.segmentBytes !== undefined) spoolOpts.segmentBytes = s.segmentBytes;
          try {
            checkSpoolDirectory(spoolOpts.directory, `sink ${c.id}: spool directory`);
            backlog = new Spool(spoolOpts);
          } catch (err) {
            if (err instanceof GemcaenError) throw err;
            throw new GemcaenError('SPOOL_UNUSABLE', `sink ${c.id}: cannot open spool in ${spoolOpts.directory} (${(err as Error).message}): fix gemcaen.SpoolDirectory or its permissions`);
          }
        } else backlog = new MemoryBacklog(s.spoolMaxBytes, onDrop);
        const qOpts: ConstructorParameters<typeof SinkQueue>[2] = {
          spooled,
          batchMaxLines: s.batchMaxLines,
          batchMaxMs: s.batchMaxMs,
          replayBatchLines: s.replayBatchLines ?? 5000,
          backoff,
          log: this.#o.log,
          now,
        };
        if (this.#o.onStateChange) qOpts.onStateChange = this.#o.onStateChange;
        if (s.maxUnspooledLines !== undefined) qOpts.maxUnspooledLines = s.maxUnspooledLines;
        if (s.dropLogEveryMs !== undefined) qOpts.dropLogEveryMs = s.dropLogEveryMs;
        queue = new SinkQueue(sink, backlog, qOpts);
        this.#queues.set(c.id, queue);
      }
    } catch (err) {
      await Promise.allSettled([...this.#queues.values()].map((q) => q.stop(Date.now())));
      this.#queues.clear();
      throw err;
    }
    for (const q of this.#queues.values()) q.start();
    this.#state = 'started';
  }

  /** takes the points of one setup; what must be written reaches the sink's spool within batchMaxMs */
  accept(msg: PointsMessage): void {
    const queue = this.#queueOf(msg.setup, msg.sink);
    if (!queue) return;
    const lines: string[] = [];
    for (const p of msg.points) {
      const head = this.#heads.head(p);
      const kept = msg.dedup === false ? p : this.#dedup.filter(msg.setup, p, msg.sink, head);
      if (!kept) continue;
      const line = toLine(kept, head);
      if (line !== undefined) lines.push(line);
    }
    queue.accept(lines);
  }

  /**
   * Takes one scan of a setup in compact form (src/readings.ts), its lines made straight from the values
   * (readings-lines.ts). `from` is the channel it came by (a worker's port): the layouts are kept per
   * channel and setup. The same lines as accept() of the points expandReadings makes of it.
   */
  acceptReadings(msg: ReadingsMessage, from: object = this): void {
    const queue = this.#queueOf(msg.setup, msg.sink);
    if (!queue) return;
    let intake = this.#intakes.get(from);
    if (!intake) this.#intakes.set(from, (intake = new ReadingsIntake((layout, m) => ({ layout, lines: ReadingsLines.compile(layout, this.#dedup, m.sink, m.setup) }))));
    const r = intake.layoutOf(msg);
    if ('error' in r) {
      this.#o.log('error', `writer: ${r.error}`);
      return;
    }
    const { layout, lines: compiled } = r.layout;
    if (compiled === undefined || compiled.sink !== msg.sink) {
      this.accept({ type: 'points', setup: msg.setup, sink: msg.sink, points: expandReadings(layout, msg.values, msg.timeMs) });
      return;
    }
    queue.acceptBytes((out) => compiled.write(msg.values, msg.timeMs, out));
  }

  /** the queue of a setup's sink, or undefined when nothing is to be written (stopping, a sink not configured) */
  #queueOf(setup: string, sink: string): SinkQueue | undefined {
    if (this.#state !== 'started') {
      if (this.#state === 'new') throw new GemcaenError('WRITER_STATE', 'writer.accept() before start()');
      return undefined; // stopping: the producers are stopped first, late points are not written
    }
    const queue = this.#queues.get(sink);
    if (!queue && !this.#unknownSinks.has(sink)) {
      this.#unknownSinks.add(sink);
      this.#o.log('error', `writer: setup ${setup} names sink "${sink}" which is not configured; its points are not written`);
    }
    return queue;
  }

  /** resolves once everything accepted so far was acknowledged, or a sink failed its next attempt */
  async flush(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.flush()));
  }

  /** writes what it can within timeoutMs; what is not acknowledged stays in the spool. Idempotent. */
  async stop(timeoutMs: number): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping') return;
    this.#state = 'stopping';
    const deadline = Date.now() + timeoutMs;
    const results = await Promise.allSettled([...this.#queues.values()].map((q) => q.stop(deadline)));
    for (const [i, r] of results.entries())
      if (r.status === 'rejected') this.#o.log('error', `writer: stopping sink ${[...this.#queues.keys()][i]} failed: ${(r.reason as Error).message}`);
    this.#state = 'stopped';
  }

  status(): SinkStatus[] {
    return [...this.#queues.values()].map((q) => q.status());
  }
}
