// What a benchmark part is: one module under scripts/bench/parts/ that measures some figures against the
// shared simulated crates (and VictoriaMetrics, started on first use) and returns them as ratio rows and
// detail rows. scripts/bench/parts/index.ts lists every part; scripts/bench.ts runs the selected ones in order.
import type { Logger } from '../../src/log.js';
import type { SimHandle } from '../../test/helpers/sim.js';
import type { VictoriaServer } from '../../test/helpers/victoria.js';
import type { RatioRow } from './report.js';
import type { SimEnv } from './scan-bench.js';

/** The command-line options every part may read. */
export interface BenchOptions {
  latencyMs: number;
  quick: boolean;
  /** window of the parallel-scan part, s */
  windowSeconds: number;
  /** sampling window of the daemon parts, s */
  daemonSeconds: number;
  daemonCrates: number;
  parallelCrates: number;
  rounds: number;
  /** dist/src/cli/main.js: the daemon the parts start as a child process */
  cli: string;
}

export interface BenchContext {
  readonly opt: BenchOptions;
  readonly log: Logger;
  /** the selected part ids (a module covering several ids reports only the selected ones) */
  readonly selected: ReadonlySet<string>;
  /** one line on the console */
  say(text: string): void;
  /** the shared simulator with the crates every selected part asked for (`crates`), latency as the last part left it */
  readonly sim: SimHandle;
  readonly env: SimEnv;
  /** the shared VictoriaMetrics server, started on first use */
  victoria(): Promise<VictoriaServer>;
  /** runs `fn` when the bench ends (also on Ctrl-C and the watchdog); for servers a part starts itself */
  onCleanup(fn: () => Promise<void>): void;
}

export interface PartResult {
  rows: RatioRow[];
  /** [part id, detail, value] rows of the detail table */
  details: string[][];
}

export interface BenchPart {
  /** the ids this module reports (`--parts 1,2` selects by id) */
  readonly ids: readonly string[];
  /** one line: what it measures (shown by --help) */
  readonly title: string;
  /** how many simulated crates it needs from the shared simulator */
  crates(opt: BenchOptions): number;
  run(ctx: BenchContext): Promise<PartResult>;
}
