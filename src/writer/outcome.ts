// What to do with a batch after a write attempt (Telegraf's rules) and how long to wait before the next one.
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffOptions } from '../backoff.js';

/** The result of one write request, as every sink reports it. */
export interface WriteResult {
  /** HTTP status, or 'network' for a refused connection, reset or time-out */
  status: number | 'network';
  /** server's Retry-After, ms */
  retryAfterMs?: number;
  /** short description for logs (never contains a secret) */
  message?: string;
  /** InfluxDB partial write: number of lines the server rejected (the others were stored) */
  rejectedLines?: number;
}

/**
 * accept: delivered. split: too large, send halves. drop: bad data, never retry.
 * keep: leave in the spool and retry later; config: keep, but a person must fix the configuration.
 */
export type Outcome = 'accept' | 'keep' | 'config' | 'drop' | 'split';

export function outcomeOf(status: number | 'network'): Outcome {
  if (status === 'network') return 'keep';
  if (status >= 200 && status < 300) return 'accept';
  if (status === 413) return 'split';
  if (status === 401 || status === 403 || status === 404) return 'config';
  if (status === 408 || status === 429 || status >= 500) return 'keep';
  return 'drop';
}

/** longest Retry-After honoured */
export const MAX_RETRY_AFTER_MS = 600_000;

/** A sink's resend back-off: from 500 ms, doubling, capped at 30 s, ± 20 %. */
export const SINK_BACKOFF: BackoffOptions = { ...DEFAULT_BACKOFF, initialMs: 500 };

/** The wait before resending after the `attempt`-th failure (1-based): a server's Retry-After wins (up to 10 minutes). */
export function retryDelayMs(attempt: number, opts: BackoffOptions, retryAfterMs?: number, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  return backoffDelayMs(attempt - 1, opts, random);
}

/** Retry-After header: seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
