// Capped exponential back-off with jitter: the one rule for every retry gemcaen makes (reconnecting to a
// crate, restarting a worker, a sink resending a batch).

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** ± fraction of the delay drawn at random, so crates that dropped together do not retry together */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0.2 };

/** The delay after `failures` failed attempts (0 = the first retry): initialMs × factor^failures, capped, ± jitter. */
export function backoffDelayMs(failures: number, options: BackoffOptions, random: () => number = Math.random): number {
  const { initialMs, maxMs, factor, jitter } = options;
  const base = Math.min(maxMs, initialMs * factor ** Math.max(0, failures));
  const spread = base * jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(maxMs, base + spread)));
}

/** A counter of failed attempts that hands out backoffDelayMs for each. */
export class Backoff {
  #attempt = 0;
  readonly options: BackoffOptions;
  constructor(options: Partial<BackoffOptions> = {}, private readonly random: () => number = Math.random) {
    this.options = { ...DEFAULT_BACKOFF, ...options };
    const { initialMs, maxMs, factor, jitter } = this.options;
    if (!(initialMs > 0)) throw new RangeError('options.initialMs must be a positive number');
    if (!(maxMs >= initialMs)) throw new RangeError('options.maxMs must be at least options.initialMs');
    if (!(factor >= 1)) throw new RangeError('options.factor must be at least 1');
    if (!(jitter >= 0 && jitter < 1)) throw new RangeError('options.jitter must be in [0, 1)');
  }
  /** failed attempts since the last reset */
  get attempts(): number {
    return this.#attempt;
  }
  /** the delay before the next attempt; each call counts one failure */
  next(): number {
    return backoffDelayMs(this.#attempt++, this.options, this.random);
  }
  reset(): void {
    this.#attempt = 0;
  }
}
