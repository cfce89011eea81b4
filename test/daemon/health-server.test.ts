import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { HealthServer } from '../../src/web/health-server.js';
import { DaemonState } from '../../src/supervisor/state.js';
import { formatHealth } from '../../src/cli/health.js';
import { scanOf } from '../helpers/scan-table.js';

test('GET /health serves the state; 503 and a problem line when a crate is backing off; gemcaen health exits 1', async (t) => {
  const state = new DaemonState();
  state.phase = 'running';
  state.crates.set('mf', { id: 'mf', address: '127.0.0.1', systemType: 'SY4527', state: 'connected', sinceMs: Date.now(), setups: ['A'], restarts: 0 });
  state.setups.set('A', { name: 'A', mainframe: 'mf', sink: 'k', holdOffSeconds: 1, paused: false, scans: 0 });
  state.recordScan('A', Date.now(), 1.5, 4, 2, ...scanOf([{ slot: 2, channel: 1, name: 'X', values: { VMon: 1 } }]));
  const server = new HealthServer(state);
  const address = await server.start('127.0.0.1:0');
  t.after(() => server.stop());
  const url = `http://${address}/health`;
  let res = await fetch(url);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { ok: boolean; rssMegabytes: number; setups: { callsPerScan: number }[] };
  assert.equal(body.ok, true);
  // the process's own resident memory, as the kernel counts it (what to watch over months)
  const kernelRss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
  assert.ok(Math.abs(body.rssMegabytes - kernelRss) < 16, `rssMegabytes ${body.rssMegabytes} vs /proc ${kernelRss.toFixed(0)}`);
  assert.equal(body.setups[0].callsPerScan, 4);
  assert.equal(state.latest.get('A/1')?.values.VMon, 1);

  // asynchronous: the server answers from this same process
  const cli = (args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['dist/src/cli/main.js', 'health', ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
        resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  let r = await cli(['--url', url]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /crate mf \(SY4527\): connected/);
  assert.match(r.stdout, /RSS \d+ MB/);

  state.crates.get('mf')!.state = 'backoff';
  res = await fetch(url);
  assert.equal(res.status, 503);
  r = await cli(['--url', url]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /crate mf: backoff/);

  r = await cli(['--url', 'http://127.0.0.1:1/health']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no daemon answers/);
});

test('a setup of a connected crate whose scans stopped is a problem: health is not ok', () => {
  const state = new DaemonState();
  state.phase = 'running';
  const t0 = Date.UTC(2026, 0, 1);
  state.crates.set('mf', { id: 'mf', address: '127.0.0.1', systemType: 'SY4527', state: 'connected', sinceMs: t0, setups: ['A', 'B'], restarts: 0 });
  state.setups.set('A', { name: 'A', mainframe: 'mf', sink: 'k', holdOffSeconds: 1, paused: false, scans: 0 });
  state.setups.set('B', { name: 'B', mainframe: 'mf', sink: 'k', holdOffSeconds: 300, paused: false, scans: 0 });
  state.recordScan('A', t0 + 1000, 1, 4, 2, ...scanOf([]));
  state.recordScan('B', t0 + 1000, 1, 4, 2, ...scanOf([]));
  // 30 s later: both within their bound
  let r = state.report(t0 + 31_000);
  assert.deepEqual(r.problems, []);
  assert.equal(r.ok, true);
  // 2 minutes without a scan of A (HoldOffTime 1 s), B (300 s) is not due yet
  r = state.report(t0 + 121_000);
  assert.equal(r.ok, false);
  assert.deepEqual(r.problems, ['setup A: no scan for 120 s (HoldOffTime 1 s) although crate mf is connected']);
  // B after three of its HoldOffTimes
  r = state.report(t0 + 902_000);
  assert.equal(r.problems.length, 2);
  assert.match(r.problems[1], /^setup B: no scan for 901 s/);
  // a reconnect restarts the clock: the first scan of the new session is not yet late
  state.crates.get('mf')!.sinceMs = t0 + 900_000;
  assert.deepEqual(state.report(t0 + 902_000).problems, []);
  // not while starting or stopping, not for a crate that is not connected (that is its own problem)
  state.phase = 'stopping';
  assert.deepEqual(state.report(t0 + 10_000_000).problems, []);
});

test('a health address in use: HEALTH_LISTEN_FAILED with details.inUse (another gemcaen, probably)', async (t) => {
  const first = new HealthServer(new DaemonState());
  const address = await first.start('127.0.0.1:0');
  t.after(() => first.stop());
  const second = new HealthServer(new DaemonState());
  await assert.rejects(second.start(address), (err: { code?: string; details?: { inUse?: boolean } }) => err.code === 'HEALTH_LISTEN_FAILED' && err.details?.inUse === true);
});

test('gemcaen health: setups of a crate that is not connected are waiting, not polling', () => {
  const state = new DaemonState();
  state.phase = 'running';
  state.crates.set('mf', { id: 'mf', address: '127.0.0.1', systemType: 'SY4527', state: 'backoff', sinceMs: Date.now(), setups: ['A'], restarts: 0 });
  state.setups.set('A', { name: 'A', mainframe: 'mf', sink: 'k', holdOffSeconds: 1, paused: false, scans: 0 });
  const line = () => formatHealth(state.report()).split('\n').find((l) => l.includes('setup A')) ?? '';
  assert.match(line(), /setup A: waiting \(crate backoff\)/);
  state.crates.get('mf')!.state = 'connected';
  assert.match(line(), /setup A: polling/);
});
