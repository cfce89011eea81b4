// Sink influx-v2: InfluxDB 2.x/3.x (or anything speaking /api/v2/write, e.g. VictoriaMetrics) through the
// official client's transport: POST /api/v2/write?org=&bucket=&precision=ms with "Authorization: Token …".
// Config keys (seed spelling): influxDB.URL, TOKEN, ORG, DB_BUCKET.
import { InfluxDB } from '@influxdata/influxdb-client';
import type { WriteResult } from '../../outcome.js';
import { safeUrl } from '../sink.js';
import { querySecrets } from '../../../config/secret.js';
import { HttpPostSink, type HttpSinkOptions } from './http-post.js';
import type { InfluxV2Config } from './config.js';

export type InfluxV2Options = HttpSinkOptions<InfluxV2Config>;

export class InfluxV2Sink extends HttpPostSink {
  readonly kind = 'influx-v2' as const;
  readonly #opts: InfluxV2Options;

  constructor(opts: InfluxV2Options) {
    super({
      id: opts.id,
      target: `${safeUrl(opts.url)} org "${opts.org}" bucket "${opts.bucket}"`,
      transport: new InfluxDB({ url: opts.url, token: opts.token.reveal(), timeout: opts.timeoutMs ?? 10_000 }).transport,
      path: `/api/v2/write?org=${encodeURIComponent(opts.org)}&bucket=${encodeURIComponent(opts.bucket)}&precision=ms${opts.query ? `&${opts.query.reveal()}` : ''}`,
      secrets: [opts.token.reveal(), ...querySecrets(opts.query)],
    });
    this.#opts = opts;
  }

  configHint(r: WriteResult): string {
    if (r.status === 401 || r.status === 403)
      return `token rejected by ${safeUrl(this.#opts.url)} (${r.status}): fix influxDB.TOKEN (it needs write access to bucket "${this.#opts.bucket}")`;
    return `bucket "${this.#opts.bucket}" or org "${this.#opts.org}" not found at ${safeUrl(this.#opts.url)} (404): create it or fix influxDB.DB_BUCKET / influxDB.ORG`;
  }
}
