// The health endpoint against a hostile browser and for plain tools (issue 17): HEAD answers like GET
// without a body; a Host header naming another host (DNS rebinding) is refused with 421; listening on
// every interface is warned about by validate (and so at start).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { HealthServer } from '../../src/web/health-server.js';
import { DaemonState } from '../../src/supervisor/state.js';
import { simLibraryPath } from '../helpers/sim.js';
import { CLI, tempDir, writeConfig } from './run-daemon.js';
import { setupYaml } from '../faults/kit.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function ask(address: string, method: string, path: string, host?: string): Promise<Answer> {
  const [hostname, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers: host === undefined ? {} : { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function server(t: { after(fn: () => unknown): void }, failing: boolean): Promise<string> {
  const state = new DaemonState();
  state.phase = 'running';
  state.crates.set('mf', { id: 'mf', address: '127.0.0.1:1', systemType: 'SY4527', state: failing ? 'backoff' : 'connected', sinceMs: Date.now(), setups: [], restarts: 0 });
  const s = new HealthServer(state);
  const address = await s.start('127.0.0.1:0');
  t.after(() => s.stop());
  return address;
}

test('HEAD /health: the same status and content type as GET, no body (200 and 503)', async (t) => {
  for (const failing of [false, true]) {
    const address = await server(t, failing);
    const get = await ask(address, 'GET', '/health');
    const head = await ask(address, 'HEAD', '/health');
    assert.equal(get.status, failing ? 503 : 200);
    assert.equal(head.status, get.status);
    assert.equal(head.headers['content-type'], get.headers['content-type']);
    assert.equal(head.body, '');
    assert.ok(get.body.length > 0);
    assert.equal((await ask(address, 'HEAD', '/readings')).status, 200);
  }
});

test('a Host header naming another host (DNS rebinding) is refused with 421; addresses and localhost names are served', async (t) => {
  const address = await server(t, false);
  const port = address.slice(address.lastIndexOf(':') + 1);
  for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.nip.io:${port}`, `localhost.evil.example:${port}`]) {
    const r = await ask(address, 'GET', '/health', host);
    assert.equal(r.status, 421, host);
    assert.ok(!r.body.includes('"crates"'), 'no state in the refusal');
    assert.equal((await ask(address, 'GET', '/readings', host)).status, 421, host);
  }
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'LOCALHOST', `gemcaen.localhost:${port}`, `[::1]:${port}`, '10.1.2.3']) {
    assert.equal((await ask(address, 'GET', '/health', host)).status, 200, host);
  }
});

test('HealthListen on every interface (0.0.0.0 or ::): validate warns, naming the key and the loopback fix; 127.0.0.1 does not', (t) => {
  const dir = tempDir(t);
  const setup = setupYaml({ name: 'H', mainframe: { address: '127.0.0.1', library: simLibraryPath() }, slot: 2, channels: [0], holdOffSeconds: 1, sink: { file: join(dir, 'data') } });
  for (const [listen, warned] of [['0.0.0.0:8765', true], ['[::]:8765', true], ['127.0.0.1:8765', false]] as const) {
    const file = writeConfig(dir, ['gemcaen:', `  HealthListen: "${listen}"`, setup].join('\n'));
    const r = spawnSync(process.execPath, [CLI, '-c', file, 'validate'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => /HealthListen/.test(l));
    if (!warned) {
      assert.deepEqual(lines, [], listen);
      continue;
    }
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^gemcaen: warning: gemcaen\.HealthListen: .* \[CONFIG_LISTEN_ALL_INTERFACES\]$/);
    assert.match(lines[0], /127\.0\.0\.1:8765/, 'the fix');
    const strict = spawnSync(process.execPath, [CLI, '-c', file, 'validate', '--strict'], { encoding: 'utf8' });
    assert.equal(strict.status, 2, 'a warning, so --strict refuses it');
  }
});
