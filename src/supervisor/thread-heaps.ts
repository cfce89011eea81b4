// V8 heap sizes of the daemon's worker threads (Worker resourceLimits). Each thread is a V8 isolate of its
// own; left to the defaults, each grows its young generation to tens of MB under the steady churn of
// scans, most of the daemon's RSS (BENCHMARKS.md, "Profiles"). What a thread allocates per scan dies
// young and is small, so a few MB of young generation cost a few more scavenges and keep the RSS down.
import type { ResourceLimits } from 'node:worker_threads';

/**
 * A mainframe worker: its crate's readings and plans (a full crate: 384 channels). The old generation
 * is capped far above what it uses (under 20 MB): a thread that leaks is ended and restarted by the
 * supervisor like any other fault (ERR_WORKER_OUT_OF_MEMORY), its crate session released.
 */
export const MAINFRAME_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 6, maxOldGenerationSizeMb: 256 };

/**
 * The writer thread: young generation only. Its old generation is left unbounded on purpose: while a
 * sink's spool cannot be appended the writer holds lines in memory (maxUnspooledLines), and ending the
 * thread at a heap limit would lose them.
 */
export const WRITER_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 16 };
