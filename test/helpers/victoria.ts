// A real VictoriaMetrics server (Debian's victoria-metrics) for tests: 127.0.0.1, a free port, data in a
// temp dir. It speaks /api/v2/write like InfluxDB 2.x. stop()/start()/restart() keep port and data.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, serverProcess, type ServerProcess } from './server-process.js';

/** One exported series: labels (with __name__ = measurement_field), values and ms timestamps. */
export interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

export interface VictoriaServer extends ServerProcess {
  url: string;
  port: number;
  /**
   * /api/v1/export of a series selector, e.g. `{__name__=~"HV_.*"}`, after /internal/force_flush, polling
   * every 100 ms until `until` accepts the answer (default: not empty) or timeoutMs (default 10 s) passes.
   */
  exportSeries(match: string, until?: (s: ExportedSeries[]) => boolean, timeoutMs?: number): Promise<ExportedSeries[]>;
}

export function sampleCount(series: readonly ExportedSeries[]): number {
  return series.reduce((n, s) => n + s.values.length, 0);
}

/** @param extraArgs further command-line flags, e.g. -promscrape.config=FILE */
export async function startVictoria(extraArgs: readonly string[] = []): Promise<VictoriaServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gemcaen-victoria-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = serverProcess({
    command: 'victoria-metrics',
    args: [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${dir}`, '-retentionPeriod=100y', '-search.latencyOffset=0s', '-loggerLevel=WARN', ...extraArgs],
    healthUrl: `${url}/health`,
    ready: (r) => r.ok,
    dir,
  });

  async function exportOnce(match: string): Promise<ExportedSeries[]> {
    await fetch(`${url}/internal/force_flush`);
    const r = await fetch(`${url}/api/v1/export`, { method: 'POST', body: new URLSearchParams({ 'match[]': match }) });
    if (!r.ok) throw new Error(`victoria export ${match}: ${r.status} ${await r.text()}`);
    const text = await r.text();
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as ExportedSeries);
  }

  await server.start();
  return {
    url,
    port,
    async exportSeries(match, until = (s) => s.length > 0, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await exportOnce(match);
        if (until(s) || Date.now() > deadline) return s;
        await sleep(100);
      }
    },
    ...server,
  };
}
