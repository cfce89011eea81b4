// The demo account (gemcaen.Web.DemoAccount, what `npm start -- demo` turns on): the daemon prints the
// page's URL and a random password for "demo" on its console, once; that password signs in as an
// operator; it is in no log file; another start gets another password.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startWebDaemon, type WebDaemon } from './kit.js';

const running: WebDaemon[] = [];
after(async () => {
  await Promise.all(running.map((w) => w.close()));
});

async function demoPassword(w: WebDaemon): Promise<string> {
  const line = await w.daemon.waitFor(/sign in as "demo" with password/, 30_000);
  const m = /web page: (https?:\/\/\S+\/)\s+sign in as "demo" with password (\S+)/.exec(line);
  assert.ok(m, line);
  assert.equal(m[1], w.url, 'the console line names the page\'s URL');
  return m[2];
}

test('the demo account: URL and password on the console, the password signs in as an operator and is in no log file', async () => {
  const w = await startWebDaemon({ users: false, web: ['DemoAccount: true'] });
  running.push(w);
  const password = await demoPassword(w);
  assert.ok(password.length >= 12, 'a random password, not a fixed one');
  assert.equal(w.daemon.lines.filter((l) => l.includes(password)).length, 1, 'printed once');

  const login = (pw: string) => fetch(`${w.origin}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: w.origin }, body: JSON.stringify({ name: 'demo', password: pw }) });
  const ok = await login(password);
  assert.equal(ok.status, 200);
  assert.deepEqual(((await ok.json()) as { user: unknown }).user, { name: 'demo', role: 'operator', setups: null });
  const wrong = await login(`${password}x`);
  assert.equal(wrong.status, 401);
  assert.equal(((await wrong.json()) as { code: string }).code, 'LOGIN_FAILED');

  const logs = readdirSync(join(w.dir, 'logs')).map((f) => readFileSync(join(w.dir, 'logs', f), 'utf8')).join('\n');
  assert.match(logs, /web page: http:\/\/127\.0\.0\.1:\d+\//, 'the log files were read');
  assert.ok(!logs.includes(password), 'the demo password is not in the log files');

  const again = await startWebDaemon({ users: false, web: ['DemoAccount: true'] });
  running.push(again);
  assert.notEqual(await demoPassword(again), password, 'each start makes its own password');
});
