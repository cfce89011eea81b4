import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { HealthServer } from '../../src/web/health-server.js';
import { DaemonState } from '../../src/supervisor/state.js';

test('GET /health serves the state; 503 and a problem line when a crate is backing off; gemcaen health exits 1', async (t) => {
  const state = new DaemonState();
  state.phase = 'running';
  state.crates.set('mf', { id: 'mf', address: '127.0.0.1:1', systemType: 'SY4527', state: 'connected', sinceMs: Date.now(), setups: ['A'], restarts: 0 });
  state.setups.set('A', { name: 'A', mainframe: 'mf', sink: 'k', holdOffSeconds: 1, paused: false, scans: 0 });
  state.recordScan('A', Date.now(), 1.5, 4, 2, [{ setup: 'A', slot: 2, channel: 1, name: 'X', timeMs: Date.now(), values: { VMon: 1 } }]);
  const server = new HealthServer(state);
  const address = await server.start('127.0.0.1:0');
  t.after(() => server.stop());
  const url = `http://${address}/health`;
  let res = await fetch(url);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { ok: boolean; setups: { callsPerScan: number }[] };
  assert.equal(body.ok, true);
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
