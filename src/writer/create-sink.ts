// SinkConfig → Sink.
import type { SinkConfig } from '../config/types.js';
import type { Sink } from './sinks/sink.js';
import { InfluxV2Sink } from './sinks/influx/influx-v2.js';
import { InfluxV1Sink } from './sinks/influx/influx-v1.js';
import { FileSink } from './sinks/file/file-sink.js';

export function createSink(c: SinkConfig, timeoutMs: number): Sink {
  switch (c.kind) {
    case 'influx-v2': {
      const o: ConstructorParameters<typeof InfluxV2Sink>[0] = { id: c.id, url: c.url, token: c.token, org: c.org, bucket: c.bucket, timeoutMs };
      if (c.query !== undefined) o.query = c.query;
      return new InfluxV2Sink(o);
    }
    case 'influx-v1': {
      const o: ConstructorParameters<typeof InfluxV1Sink>[0] = { id: c.id, url: c.url, database: c.database, timeoutMs };
      if (c.query !== undefined) o.query = c.query;
      if (c.retentionPolicy !== undefined) o.retentionPolicy = c.retentionPolicy;
      if (c.user !== undefined) o.user = c.user;
      if (c.password !== undefined) o.password = c.password;
      return new InfluxV1Sink(o);
    }
    case 'file':
      return new FileSink({ id: c.id, directory: c.directory });
  }
}
