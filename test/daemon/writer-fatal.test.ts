// The writer thread dying unasked stops the daemon: the pollers stop and log out of the crate, and the
// process exits 1 with one error line, so that pm2/systemd restart it and the spool is replayed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { startSim } from '../helpers/sim.js';
import { writeConfig } from '../helpers/cli.js';
import { settingsYaml, tempDir } from './run-daemon.js';

const SCRIPT = new URL('./fixtures/daemon-writer-dies.js', import.meta.url);

test('writer thread dies: pollers stop and log out, the process exits 1 with one error line', async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  const dir = tempDir(t);
  const config = writeConfig(dir, sim, { Plain: { slot: 2, channels: [0, 1], holdOffSeconds: 0.2 } }, { head: settingsYaml(dir) });
  const child = spawn(process.execPath, [SCRIPT.pathname, config, 'Plain'], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(kill);
  assert.equal(code, 1, out);
  assert.match(out, /connected to SY4527/, 'the poller had logged in');
  const errors = out.split('\n').filter((l) => / error /.test(l));
  assert.equal(errors.length, 1, out);
  assert.match(errors[0] as string, /\[writer\] writer thread exited \(code 7\): stopping gemcaen \(exit 1\)/);
  const c = await sim.control.counters();
  assert.ok(c.sessionsOpened >= 1);
  assert.equal(c.openSessions, 0, 'every session closed');
  assert.ok(c.sessions.every((s) => s.closeReason === 'logout'), JSON.stringify(c.sessions.map((s) => s.closeReason)));
});
