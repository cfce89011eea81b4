// SinkConfig → Sink, through the plugin that makes its kind (its builder is imported on first use).
import type { Sink } from './sinks/sink.js';
import { pluginOf, type SinkConfig } from './sinks/registry.js';

export async function createSink(c: SinkConfig, timeoutMs: number): Promise<Sink> {
  const build = await pluginOf(c.kind).load();
  return build(c, { timeoutMs });
}
