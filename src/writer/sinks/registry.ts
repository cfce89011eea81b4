// The one list of sink plugins. Adding a kind of sink: its folder next to influx/ and file/ (see
// docs/writer.md, "Adding a sink"), one import and one entry in SINK_PLUGINS, its config type in SinkConfig.
// Everything else (config parsing, the schema, logs, health, secrets, Grafana, the writer) asks this list.
import type { FileSinkConfig } from './file/config.js';
import { filePlugin } from './file/index.js';
import type { InfluxConfig } from './influx/config.js';
import { influxPlugin } from './influx/index.js';
import type { AnySinkPlugin } from './plugin.js';

/** Every sink plugin, in the order their blocks are named in messages. */
export const SINK_PLUGINS: readonly AnySinkPlugin[] = [influxPlugin, filePlugin];

/** The config of any sink: the union of the plugins' config types. */
export type SinkConfig = InfluxConfig | FileSinkConfig;

/** The plugin that makes sinks of this kind. */
export function pluginOf(kind: string): AnySinkPlugin {
  const plugin = SINK_PLUGINS.find((p) => p.kinds.includes(kind));
  if (!plugin) throw new RangeError(`no sink plugin makes sinks of kind "${kind}" (known: ${SINK_PLUGINS.flatMap((p) => p.kinds).join(', ')})`);
  return plugin;
}

/** Where a sink writes, in words and without credentials (logs, health, `validate`). */
export function describeSink(sink: SinkConfig): string {
  return pluginOf(sink.kind).describe(sink);
}

/** Every text of a sink's config that the logs must mask. */
export function sinkSecrets(sink: SinkConfig): string[] {
  return pluginOf(sink.kind).secrets(sink);
}

/** Whether a sink's batches go through the durable spool (else the sink is itself durable). */
export function sinkSpools(sink: SinkConfig): boolean {
  return pluginOf(sink.kind).spooled;
}

/** The setup keys that hold a sink block: influxDB, FILE. */
export function sinkBlocks(): string[] {
  return SINK_PLUGINS.map((p) => p.block);
}

let secretKeys: ReadonlySet<string> | undefined;
/** Whether a key of a sink block holds a secret (its value never appears in a config message). */
export function isSinkSecretKey(key: string): boolean {
  secretKeys ??= new Set(SINK_PLUGINS.flatMap((p) => p.secretKeys));
  return secretKeys.has(key);
}
