// A sink arriving in the writer thread: Secret instances do not survive structured cloning (private
// fields are lost), so sinks cross as plain strings (WireSink, src/protocol.ts) and are wrapped in
// Secret again here. The supervisor's side is src/supervisor/writer-init.ts.
import type { SinkConfig } from '../config/types.js';
import { Secret } from '../config/secret.js';
import type { WireSink } from '../protocol.js';

export function sinkFromWire(w: WireSink): SinkConfig {
  switch (w.kind) {
    case 'influx-v2': {
      const c: SinkConfig = { kind: w.kind, id: w.id, url: w.url, token: new Secret(w.token), org: w.org, bucket: w.bucket };
      if (w.query !== undefined) c.query = new Secret(w.query);
      return c;
    }
    case 'influx-v1': {
      const c: SinkConfig = { kind: w.kind, id: w.id, url: w.url, database: w.database };
      if (w.query !== undefined) c.query = new Secret(w.query);
      if (w.retentionPolicy !== undefined) c.retentionPolicy = w.retentionPolicy;
      if (w.user !== undefined) c.user = w.user;
      if (w.password !== undefined) c.password = new Secret(w.password);
      return c;
    }
    case 'file':
      return { kind: w.kind, id: w.id, directory: w.directory };
  }
}
