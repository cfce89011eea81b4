// How a sink's config crosses into the writer thread: Secret instances do not survive structured cloning
// (private fields are lost), so each secret crosses as { secret: clear text } and is wrapped in Secret
// again on the other side; every other value crosses as it is. One rule for every kind of sink: a plugin
// needs nothing here. The supervisor's side is src/supervisor/writer-init.ts.
import { Secret } from '../config/secret.js';
import type { WireSink } from '../protocol.js';
import type { SinkConfigBase, SinkConfigValue } from './sinks/plugin.js';
import { pluginOf, type SinkConfig } from './sinks/registry.js';

export function sinkToWire(c: SinkConfig): WireSink {
  const w: WireSink = { kind: c.kind, id: c.id };
  for (const [key, value] of Object.entries(c as SinkConfigBase)) {
    if (value !== undefined) w[key] = value instanceof Secret ? { secret: value.reveal() } : value;
  }
  return w;
}

export function sinkFromWire(w: WireSink): SinkConfig {
  pluginOf(w.kind); // a kind no plugin makes fails here, not later in the writer
  const c: Record<string, SinkConfigValue> = {};
  for (const [key, value] of Object.entries(w)) {
    if (value !== undefined) c[key] = typeof value === 'object' ? new Secret(value.secret) : value;
  }
  // the supervisor sent a SinkConfig of this kind (sinkToWire): restoring its secrets makes it one again
  return c as SinkConfig;
}
