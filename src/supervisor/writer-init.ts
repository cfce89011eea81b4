// The writer thread's workerData (WriterInit, src/protocol.ts), built from the configuration: the named
// sinks with their secrets in clear (src/writer/wire-config.ts: the writer wraps them in Secret again),
// the settings the writer uses and every setup's heartbeat and deadbands.
import type { GemcaenConfig } from '../config/types.js';
import type { WirePolicy, WriterInit } from '../protocol.js';
import { sinkToWire } from '../writer/wire-config.js';

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
