// The writer thread's workerData (WriterInit, src/protocol.ts), built from the configuration: the named
// sinks with their secrets in clear (the writer wraps them in Secret again, src/writer/wire-config.ts),
// the settings the writer uses and every setup's heartbeat and deadbands.
import type { GemcaenConfig, SinkConfig } from '../config/types.js';
import type { WirePolicy, WireSink, WriterInit } from '../protocol.js';

export function sinkToWire(c: SinkConfig): WireSink {
  switch (c.kind) {
    case 'influx-v2':
      return { kind: c.kind, id: c.id, url: c.url, token: c.token.reveal(), org: c.org, bucket: c.bucket, ...(c.query ? { query: c.query.reveal() } : {}) };
    case 'influx-v1': {
      const w: WireSink = { kind: c.kind, id: c.id, url: c.url, database: c.database };
      if (c.query !== undefined) w.query = c.query.reveal();
      if (c.retentionPolicy !== undefined) w.retentionPolicy = c.retentionPolicy;
      if (c.user !== undefined) w.user = c.user;
      if (c.password !== undefined) w.password = c.password.reveal();
      return w;
    }
    case 'file':
      return { kind: c.kind, id: c.id, directory: c.directory };
  }
}

/** heartbeat and deadbands of every setup, keyed by setup name */
export function policiesOf(config: Pick<GemcaenConfig, 'setups'>): Record<string, WirePolicy> {
  const out: Record<string, WirePolicy> = {};
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
