// What every sink implements: one write request per batch, reporting the outcome instead of throwing.
import type { WriteResult } from '../outcome.js';

export type SinkKind = 'influx-v2' | 'influx-v1' | 'file';

export interface Sink {
  readonly id: string;
  readonly kind: SinkKind;
  /** where it writes, for logs and status: never contains a secret */
  readonly target: string;
  /** true: batches go through the durable spool; false: the sink is itself durable (file) */
  readonly spooled: boolean;
  /** writes the lines (without newlines) in one request; never throws */
  write(lines: readonly string[], signal: AbortSignal): Promise<WriteResult>;
  /** the same for lines as the spool holds them (UTF-8, each ending in a newline), sent as they are */
  writeBody?(body: Buffer, signal: AbortSignal): Promise<WriteResult>;
  /** the message a person needs when the target answers with a configuration problem (401/403/404) */
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
