// Sink influx-v1: InfluxDB 1.x servers without /api/v2 (1.6, 1.7): POST /write?db=&rp=&precision=ms with
// HTTP Basic authentication, sent through the official client's transport like the v2 sink.
import { InfluxDB, type Transport } from '@influxdata/influxdb-client';
import type { WriteResult } from '../outcome.js';
import type { Sink } from './sink.js';
import { safeUrl } from './sink.js';
import { postLines } from './http-post.js';
import type { Secret } from '../../config/secret.js';

export interface InfluxV1Options {
  id: string;
  url: string;
  database: string;
  retentionPolicy?: string;
  user?: string;
  password?: Secret;
  /** per request, ms (default 10000) */
  timeoutMs?: number;
}

export class InfluxV1Sink implements Sink {
  readonly kind = 'influx-v1' as const;
  readonly spooled = true;
  readonly id: string;
  readonly target: string;
  readonly #transport: Transport;
  readonly #path: string;
  readonly #headers: Record<string, string>;
  readonly #secrets: string[];
  readonly #opts: InfluxV1Options;

  constructor(opts: InfluxV1Options) {
    this.#opts = opts;
    this.id = opts.id;
    this.target = `${safeUrl(opts.url)} database "${opts.database}"${opts.retentionPolicy ? ` rp "${opts.retentionPolicy}"` : ''}`;
    this.#transport = new InfluxDB({ url: opts.url, timeout: opts.timeoutMs ?? 10_000 }).transport;
    const rp = opts.retentionPolicy ? `&rp=${encodeURIComponent(opts.retentionPolicy)}` : '';
    this.#path = `/write?db=${encodeURIComponent(opts.database)}${rp}&precision=ms`;
    this.#headers = {};
    this.#secrets = [];
    if (opts.user !== undefined) {
      const password = opts.password?.reveal() ?? '';
      this.#headers.authorization = 'Basic ' + Buffer.from(`${opts.user}:${password}`).toString('base64');
      this.#secrets.push(password, this.#headers.authorization.slice(6));
    }
  }

  write(lines: readonly string[], signal: AbortSignal): Promise<WriteResult> {
    return postLines(this.#transport, this.#path, lines, this.#headers, signal, this.#secrets);
  }

  configHint(r: WriteResult): string {
    const url = safeUrl(this.#opts.url);
    if (r.status === 401 || r.status === 403)
      return `user "${this.#opts.user ?? ''}" rejected by ${url} (${r.status}): fix the user/password (it needs WRITE on database "${this.#opts.database}")`;
    return `database "${this.#opts.database}" not found at ${url} (404): CREATE DATABASE "${this.#opts.database}" or fix the database name`;
  }

  async close(): Promise<void> {}
}
