// A real VictoriaMetrics server (Debian's victoria-metrics) for tests: 127.0.0.1, a free port, data in a
// temp dir. It speaks /api/v2/write like InfluxDB 2.x. stop()/start()/restart() keep port and data.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './influxdb.js';

/** One exported series: labels (with __name__ = measurement_field), values and ms timestamps. */
export interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

export interface VictoriaServer {
  url: string;
  port: number;
  /**
   * /api/v1/export of a series selector, e.g. `{__name__=~"HV_.*"}`, after /internal/force_flush, polling
   * every 100 ms until `until` accepts the answer (default: not empty) or timeoutMs (default 10 s) passes.
   */
  exportSeries(match: string, until?: (s: ExportedSeries[]) => boolean, timeoutMs?: number): Promise<ExportedSeries[]>;
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

export function sampleCount(series: readonly ExportedSeries[]): number {
  return series.reduce((n, s) => n + s.values.length, 0);
}

export async function startVictoria(): Promise<VictoriaServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gemcaen-victoria-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let stderr = '';

  async function start(): Promise<void> {
    if (child) return;
    const c = spawn(
      'victoria-metrics',
      [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${dir}`, '-retentionPeriod=100y', '-search.latencyOffset=0s', '-loggerLevel=WARN'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    c.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child = c;
    c.once('exit', () => {
      if (child === c) child = undefined;
    });
    for (let i = 0; i < 200; i++) {
      if (!child) throw new Error(`victoria-metrics exited at start: ${stderr}`);
      try {
        const r = await fetch(`${url}/health`);
        if (r.ok) return;
      } catch {
        // not yet
      }
      await sleep(50);
    }
    throw new Error(`victoria-metrics did not answer /health within 10 s: ${stderr}`);
  }

  async function stop(): Promise<void> {
    const c = child;
    if (!c) return;
    const exited = once(c, 'exit');
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
    child = undefined;
  }

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

  await start();
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
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
