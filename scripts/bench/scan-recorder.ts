// Runs the daemon's real mainframe workers (supervisor MainframeWorkers → piscina → workers/mainframe.worker
// → MainframePoller → koffi binding → the simulator's library) inside the bench process, and records
// every scan the workers report. Readings sent to the writer port are dropped.
import { EventEmitter } from 'node:events';
import type { MessagePort } from 'node:worker_threads';
import { setupsByMainframe } from '../../src/config/load.js';
import type { GemcaenConfig, SetupConfig } from '../../src/config/types.js';
import type { Logger } from '../../src/log.js';
import type { ScanLayout, ToWriter } from '../../src/protocol.js';
import { MainframeWorkers } from '../../src/supervisor/mainframe-workers.js';
import { DaemonState } from '../../src/supervisor/state.js';

export interface ScanRecord {
  setup: string;
  mainframe: string;
  /** time of the read (start of the scan), ms since the epoch */
  timeMs: number;
  durationMs: number;
  calls: number;
  points: number;
}

/** DaemonState that also keeps every scan, and tells when one arrives. */
class RecordingState extends DaemonState {
  readonly records: ScanRecord[] = [];
  readonly recorded = new EventEmitter();
  readonly #mainframeOf: ReadonlyMap<string, string>;

  constructor(mainframeOf: ReadonlyMap<string, string>) {
    super();
    this.#mainframeOf = mainframeOf;
  }

  override recordScan(setup: string, timeMs: number, durationMs: number, calls: number, points: number, layout: ScanLayout | undefined, values: Float64Array): boolean {
    if (!super.recordScan(setup, timeMs, durationMs, calls, points, layout, values)) return false;
    this.records.push({ setup, mainframe: this.#mainframeOf.get(setup) ?? '?', timeMs, durationMs, calls, points });
    this.recorded.emit('scan', this.records.length);
    return true;
  }
}

export class ScanRecorder {
  readonly #state: RecordingState;
  readonly #workers: MainframeWorkers;
  readonly #groups: ReturnType<typeof setupsByMainframe>;
  readonly #ports: MessagePort[] = [];

  constructor(config: GemcaenConfig, setups: readonly SetupConfig[], log: Logger) {
    this.#groups = setupsByMainframe(config, setups);
    this.#state = new RecordingState(new Map(setups.map((s) => [s.name, s.mainframe])));
    this.#workers = new MainframeWorkers({
      state: this.#state,
      log,
      attachWriterPort: (_mf, port) => {
        this.#ports.push(port);
        port.on('message', (msg: ToWriter) => {
          if (msg.type === 'stop') port.close();
        });
      },
    });
  }

  get records(): readonly ScanRecord[] {
    return this.#state.records;
  }

  start(): void {
    this.#workers.start(this.#groups);
  }

  /** Resolves when at least `n` scans were recorded in total (rejects after timeoutMs). */
  waitForScans(n: number, timeoutMs: number): Promise<void> {
    if (this.records.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#state.recorded.off('scan', on);
        reject(new Error(`bench: only ${this.records.length} of ${n} scans within ${timeoutMs} ms (is the simulator answering?)`));
      }, timeoutMs);
      const on = (count: number): void => {
        if (count < n) return;
        clearTimeout(timer);
        this.#state.recorded.off('scan', on);
        resolve();
      };
      this.#state.recorded.on('scan', on);
    });
  }

  /** Scans of each mainframe recorded so far. */
  countsByMainframe(): Map<string, number> {
    const out = new Map<string, number>();
    for (const mf of this.#groups.keys()) out.set(mf.id, 0);
    for (const r of this.records) out.set(r.mainframe, (out.get(r.mainframe) ?? 0) + 1);
    return out;
  }

  async stop(): Promise<void> {
    await this.#workers.stop('benchmark done', 5000);
    for (const p of this.#ports) p.close();
  }
}
