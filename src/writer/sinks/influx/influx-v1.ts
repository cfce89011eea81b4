// Sink influx-v1: InfluxDB 1.x servers without /api/v2 (1.6, 1.7): POST /write?db=&rp=&precision=ms with
// HTTP Basic authentication, sent through the official client's transport like the v2 sink.
import { InfluxDB } from '@influxdata/influxdb-client';
import type { WriteResult } from '../../outcome.js';
import { safeUrl } from '../sink.js';
import { querySecrets } from '../../../config/secret.js';
import { HttpPostSink, type HttpSinkOptions } from './http-post.js';
import type { InfluxV1Config } from './config.js';

export type InfluxV1Options = HttpSinkOptions<InfluxV1Config>;

export class InfluxV1Sink extends HttpPostSink {
  readonly kind = 'influx-v1' as const;
  readonly #opts: InfluxV1Options;

  constructor(opts: InfluxV1Options) {
    const rp = opts.retentionPolicy ? `&rp=${encodeURIComponent(opts.retentionPolicy)}` : '';
    const headers: Record<string, string> = {};
    const secrets: string[] = querySecrets(opts.query);
    if (opts.user !== undefined) {
      const password = opts.password?.reveal() ?? '';
      headers.authorization = 'Basic ' + Buffer.from(`${opts.user}:${password}`).toString('base64');
      secrets.push(password, headers.authorization.slice(6));
    }
    super({
      id: opts.id,
      target: `${safeUrl(opts.url)} database "${opts.database}"${opts.retentionPolicy ? ` rp "${opts.retentionPolicy}"` : ''}`,
      transport: new InfluxDB({ url: opts.url, timeout: opts.timeoutMs ?? 10_000 }).transport,
      path: `/write?db=${encodeURIComponent(opts.database)}${rp}&precision=ms${opts.query ? `&${opts.query.reveal()}` : ''}`,
      headers,
      secrets,
    });
    this.#opts = opts;
  }

  configHint(r: WriteResult): string {
    const url = safeUrl(this.#opts.url);
    if (r.status === 401 || r.status === 403)
      return `user "${this.#opts.user ?? ''}" rejected by ${url} (${r.status}): fix the user/password (it needs WRITE on database "${this.#opts.database}")`;
    return `database "${this.#opts.database}" not found at ${url} (404): CREATE DATABASE "${this.#opts.database}" or fix the database name`;
  }
}
