// Sink influx-v2: InfluxDB 2.x/3.x (or anything speaking /api/v2/write, e.g. VictoriaMetrics) through the
// official client's transport: POST /api/v2/write?org=&bucket=&precision=ms with "Authorization: Token …".
// Config keys (seed spelling): influxDB.URL, TOKEN, ORG, DB_BUCKET.
import { InfluxDB, type Transport } from '@influxdata/influxdb-client';
import type { WriteResult } from '../outcome.js';
import type { Sink } from './sink.js';
import { safeUrl } from './sink.js';
import { postLines } from './http-post.js';
import type { Secret } from '../../config/secret.js';

export interface InfluxV2Options {
  id: string;
  url: string;
  token: Secret;
  org: string;
  bucket: string;
  /** per request, ms (default 10000) */
  timeoutMs?: number;
}

export class InfluxV2Sink implements Sink {
  readonly kind = 'influx-v2' as const;
  readonly spooled = true;
  readonly id: string;
  readonly target: string;
  readonly #transport: Transport;
  readonly #path: string;
  readonly #secrets: string[];
  readonly #opts: InfluxV2Options;

  constructor(opts: InfluxV2Options) {
    this.#opts = opts;
    this.id = opts.id;
    this.target = `${safeUrl(opts.url)} org "${opts.org}" bucket "${opts.bucket}"`;
    this.#transport = new InfluxDB({ url: opts.url, token: opts.token.reveal(), timeout: opts.timeoutMs ?? 10_000 }).transport;
    this.#path = `/api/v2/write?org=${encodeURIComponent(opts.org)}&bucket=${encodeURIComponent(opts.bucket)}&precision=ms`;
    this.#secrets = [opts.token.reveal()];
  }

  write(lines: readonly string[], signal: AbortSignal): Promise<WriteResult> {
    return postLines(this.#transport, this.#path, lines, {}, signal, this.#secrets);
  }

  configHint(r: WriteResult): string {
    if (r.status === 401 || r.status === 403)
      return `token rejected by ${safeUrl(this.#opts.url)} (${r.status}): fix influxDB.TOKEN (it needs write access to bucket "${this.#opts.bucket}")`;
    return `bucket "${this.#opts.bucket}" or org "${this.#opts.org}" not found at ${safeUrl(this.#opts.url)} (404): create it or fix influxDB.DB_BUCKET / influxDB.ORG`;
  }

  async close(): Promise<void> {}
}
