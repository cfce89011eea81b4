// The writer thread's init data. Secret instances do not survive structured cloning (private fields are
// lost), so sinks cross to the worker as plain strings and are wrapped in Secret again on arrival.
import type { GemcaenConfig, Settings, SinkConfig } from '../config/types.js';
import { Secret } from '../config/secret.js';
import type { DedupPolicy } from './dedup.js';

export type WireSink =
  | { kind: 'influx-v2'; id: string; url: string; token: string; org: string; bucket: string }
  | { kind: 'influx-v1'; id: string; url: string; database: string; retentionPolicy?: string; user?: string; password?: string }
  | { kind: 'file'; id: string; directory: string };

/** workerData of workers/writer.worker.ts */
export interface WriterInit {
  sinks: WireSink[];
  /** Settings as loaded (spoolDirectory, spoolMaxMegabytes, batchMaxLines, batchMaxMilliseconds are used) */
  settings: Pick<Settings, 'spoolDirectory' | 'spoolMaxMegabytes' | 'batchMaxLines' | 'batchMaxMilliseconds'>;
  /** per setup name: heartbeat and deadbands; setups not listed get 300 s and none */
  policies?: Record<string, DedupPolicy>;
}

export function sinkToWire(c: SinkConfig): WireSink {
  switch (c.kind) {
    case 'influx-v2':
      return { kind: c.kind, id: c.id, url: c.url, token: c.token.reveal(), org: c.org, bucket: c.bucket };
    case 'influx-v1': {
      const w: WireSink = { kind: c.kind, id: c.id, url: c.url, database: c.database };
      if (c.retentionPolicy !== undefined) w.retentionPolicy = c.retentionPolicy;
      if (c.user !== undefined) w.user = c.user;
      if (c.password !== undefined) w.password = c.password.reveal();
      return w;
    }
    case 'file':
      return { kind: c.kind, id: c.id, directory: c.directory };
  }
}

export function sinkFromWire(w: WireSink): SinkConfig {
  switch (w.kind) {
    case 'influx-v2':
      return { kind: w.kind, id: w.id, url: w.url, token: new Secret(w.token), org: w.org, bucket: w.bucket };
    case 'influx-v1': {
      const c: SinkConfig = { kind: w.kind, id: w.id, url: w.url, database: w.database };
      if (w.retentionPolicy !== undefined) c.retentionPolicy = w.retentionPolicy;
      if (w.user !== undefined) c.user = w.user;
      if (w.password !== undefined) c.password = new Secret(w.password);
      return c;
    }
    case 'file':
      return { kind: w.kind, id: w.id, directory: w.directory };
  }
}

/** heartbeat and deadbands of every setup, keyed by setup name */
export function policiesOf(config: Pick<GemcaenConfig, 'setups'>): Record<string, DedupPolicy> {
  const out: Record<string, DedupPolicy> = {};
  for (const s of config.setups.values()) out[s.name] = { heartbeatSeconds: s.heartbeatSeconds, deadbands: { ...s.deadbands } };
  return out;
}

/** the complete workerData for the writer thread: the named sinks, the settings and every setup's policy */
export function writerInit(config: Pick<GemcaenConfig, 'settings' | 'sinks' | 'setups'>, sinkIds: readonly string[]): WriterInit {
  const sinks = sinkIds.map((id) => {
    const c = config.sinks.get(id);
    if (!c) throw new RangeError(`writerInit: sink "${id}" is not in the configuration`);
    return sinkToWire(c);
  });
  const { spoolDirectory, spoolMaxMegabytes, batchMaxLines, batchMaxMilliseconds } = config.settings;
  return { sinks, settings: { spoolDirectory, spoolMaxMegabytes, batchMaxLines, batchMaxMilliseconds }, policies: policiesOf(config) };
}
