// The influxDB sink plugin: InfluxDB 2.x/3.x or VictoriaMetrics through /api/v2/write (influx-v2), InfluxDB
// 1.x through /write (influx-v1, VERSION: 1). Both POST line protocol through the official client's
// transport (http-post.ts); the outcome of a write follows the HTTP table of src/writer/outcome.ts.
import { querySecrets } from '../../../config/secret.js';
import { definePlugin } from '../plugin.js';
import { INFLUX_SCHEMA, type InfluxConfig, parseInflux } from './config.js';

export const influxPlugin = definePlugin<InfluxConfig>({
  block: 'influxDB',
  kinds: ['influx-v2', 'influx-v1'],
  schema: { definition: 'influxDB', node: INFLUX_SCHEMA },
  keysHint: 'URL, TOKEN, ORG, DB_BUCKET',
  secretKeys: ['TOKEN', 'PASSWORD'],
  spooled: true,
  parse: parseInflux,
  describe(c) {
    if (c.kind === 'influx-v2') return `InfluxDB v2 API ${c.url} org "${c.org}" bucket "${c.bucket}"`;
    return `InfluxDB v1 ${c.url} database "${c.database}"${c.retentionPolicy ? ` rp "${c.retentionPolicy}"` : ''}${c.user ? ` user ${c.user}` : ''}`;
  },
  secrets(c) {
    const out = querySecrets(c.query);
    if (c.kind === 'influx-v2') out.push(c.token.reveal());
    else if (c.password !== undefined) out.push(c.password.reveal());
    return out;
  },
  grafana(c, database) {
    if (c.kind === 'influx-v2') return { key: c.id, target: { version: 2, url: c.url, database: database ?? c.bucket, bucket: c.bucket, org: c.org } };
    return {
      key: c.id,
      target: { version: 1, url: c.url, database: database ?? c.database, ...(c.retentionPolicy ? { retentionPolicy: c.retentionPolicy } : {}), ...(c.user ? { user: c.user } : {}) },
    };
  },
  load: async () => (await import('./build.js')).buildInfluxSink,
});
