// What every sink implements: one write request per batch, reporting the outcome instead of throwing.
import type { Outcome, WriteResult } from '../outcome.js';

export interface Sink {
  readonly id: string;
  /** the kind of its config (SinkConfig.kind) */
  readonly kind: string;
  /** where it writes, for logs and status: never contains a secret */
  readonly target: string;
  /** writes the lines (without newlines) in one request; never throws */
  write(lines: readonly string[], signal: AbortSignal): Promise<WriteResult>;
  /** the same for lines as the spool holds them (UTF-8, each ending in a newline), sent as they are */
  writeBody?(body: Buffer, signal: AbortSignal): Promise<WriteResult>;
  /** its write-outcome policy: what the queue does with a batch after this result (accept, keep, config, drop, split) */
  outcome(result: WriteResult): Outcome;
  /** the message a person needs when the target answers with a configuration problem (outcome 'config') */
  configHint(result: WriteResult): string;
  close(): Promise<void>;
}

/** A URL without user:password@ and without query, for logs. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

/** a sink id as part of a file or directory name */
export function fileSafe(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}
