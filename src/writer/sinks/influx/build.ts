// The influxDB plugin's builder (loaded in the writer thread only: it pulls in @influxdata/influxdb-client).
import type { Sink } from '../sink.js';
import type { SinkBuildOptions } from '../plugin.js';
import type { InfluxConfig } from './config.js';
import { InfluxV1Sink } from './influx-v1.js';
import { InfluxV2Sink } from './influx-v2.js';

export function buildInfluxSink(c: InfluxConfig, { timeoutMs }: SinkBuildOptions): Sink {
  return c.kind === 'influx-v2' ? new InfluxV2Sink({ ...c, timeoutMs }) : new InfluxV1Sink({ ...c, timeoutMs });
}
