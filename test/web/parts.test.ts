// The page's parts on their own: idle sessions expire, login failures are counted per address,
// password hashes verify only their password, the history rings stay bounded, the event stream
// resumes exactly after Last-Event-ID (or starts over with a snapshot when it cannot).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import { History, POINTS, RECENT } from '../../src/web/page/history.js';
import { hashPassword, hashToken, newToken, verifyPassword } from '../../src/web/page/passwords.js';
import { LoginLimiter } from '../../src/web/page/rate-limit.js';
import { SessionStore } from '../../src/web/page/sessions.js';
import { StreamHub } from '../../src/web/page/stream.js';
import { mayChange, UserDirectory } from '../../src/web/page/users.js';
import { makeTempDir } from '../helpers/temp-dir.js';

test('a session unused for the idle time is gone; using it keeps it alive', () => {
  let now = 0;
  const store = new SessionStore(60_000, () => now);
  const cookie = store.create({ name: 'alice', role: 'operator', via: 'session' });
  now = 59_000;
  assert.equal(store.touch(cookie), 'alice');
  now = 118_000;
  assert.equal(store.touch(cookie), 'alice', 'the last use counts, not the sign-in');
  now = 178_001;
  assert.equal(store.touch(cookie), undefined);
  assert.equal(store.touch(cookie), undefined);
  assert.equal(store.touch('forged'), undefined);
});

test('login failures: the sixth attempt within a minute waits; a success clears the count', () => {
  let now = 0;
  const limiter = new LoginLimiter(5, 60_000, () => now);
  for (let i = 0; i < 5; i++) limiter.failed('10.0.0.1');
  assert.equal(limiter.retryAfterMs('10.0.0.1'), 60_000);
  assert.equal(limiter.retryAfterMs('10.0.0.2'), 0, 'per address');
  now = 60_001;
  assert.equal(limiter.retryAfterMs('10.0.0.1'), 0);
  limiter.failed('10.0.0.1');
  limiter.succeeded('10.0.0.1');
  assert.equal(limiter.retryAfterMs('10.0.0.1'), 0);
});

test('scrypt hashes verify their password only; tokens are stored as sha256', async () => {
  const hash = await hashPassword('correct horse');
  assert.match(hash, /^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  assert.notEqual(await hashPassword('correct horse'), hash, 'salted');
  assert.equal(await verifyPassword('correct horse', hash), true);
  assert.equal(await verifyPassword('correct horsE', hash), false);
  assert.equal(await verifyPassword('correct horse', 'scrypt$1$1$1$x$y'), false);
  const { token, hash: th } = newToken();
  assert.equal(hashToken(token), th);
  assert.ok(!th.includes(token));
});

test('roles: viewers change nothing; operators their setups\' usual parameters; experts any parameter', () => {
  assert.equal(mayChange({ name: 'v', role: 'viewer', via: 'session' }, 'A', 'V0Set'), false);
  assert.equal(mayChange({ name: 'o', role: 'operator', via: 'session' }, 'A', 'V0Set'), true);
  assert.equal(mayChange({ name: 'o', role: 'operator', via: 'session' }, 'A', 'SVMax'), false);
  assert.equal(mayChange({ name: 'o', role: 'operator', setups: ['B'], via: 'session' }, 'A', 'V0Set'), false);
  assert.equal(mayChange({ name: 'e', role: 'expert', via: 'token' }, 'A', 'SVMax'), true);
});

test('history: bounded rings; every recent scan, one point per step before', () => {
  const windowMs = 60 * 60_000;
  const h = new History(windowMs);
  const start = 1_000_000;
  const total = 7200; // two hours of 1 s scans: more than the window
  for (let i = 0; i < total; i++) h.record([{ setup: 'S', slot: 0, channel: 1, name: 'X', timeMs: start + i * 1000, values: { VMon: i } }]);
  const now = start + (total - 1) * 1000;
  const s = h.series('S', 1, 'VMon', undefined, now);
  assert.ok(s.t.length <= POINTS + RECENT);
  assert.ok(s.t[0] >= now - windowMs, 'nothing older than the window');
  const last = s.v.slice(-RECENT);
  assert.deepEqual(last, Array.from({ length: RECENT }, (_, i) => total - RECENT + i), 'every one of the recent scans');
  for (let i = 1; i < s.t.length; i++) assert.ok(s.t[i] > s.t[i - 1], 'in time order');
  assert.equal(h.series('S', 1, 'VMon', 5, now).t.length, 301, 'the last 5 minutes, both ends included');
  assert.deepEqual(h.series('S', 2, 'VMon', undefined, now), { t: [], v: [] });
});

test('history: channels of one scan share a slot, also when recorded one by one; a quantity a scan did not read has no point there', () => {
  const h = new History(60 * 60_000);
  const r = (channel: number, timeMs: number, values: Record<string, number>) => ({ setup: 'S', slot: 0, channel, name: `C${channel}`, timeMs, values });
  h.record([r(0, 1000, { VMon: 10, IMon: 1 })]);
  h.record([r(1, 1000, { VMon: 20, IMon: 2 })]); // the same scan, another channel (as at the page's start)
  h.record([r(0, 2000, { VMon: 11 }), r(1, 2000, { VMon: 21 })]);
  h.record([r(0, 1500, { VMon: 99 })]); // an older scan than the newest kept: ignored
  h.record([r(0, 3000, { VMon: 12, IMon: 3, Status: NaN })]);
  assert.deepEqual(h.series('S', 0, 'VMon', undefined, 3000), { t: [1000, 2000, 3000], v: [10, 11, 12] });
  assert.deepEqual(h.series('S', 1, 'VMon', undefined, 3000), { t: [1000, 2000], v: [20, 21] });
  assert.deepEqual(h.series('S', 0, 'IMon', undefined, 3000), { t: [1000, 3000], v: [1, 3] });
  assert.deepEqual(h.series('S', 1, 'IMon', undefined, 3000), { t: [1000], v: [2] });
  assert.deepEqual(h.series('S', 0, 'Status', undefined, 3000), { t: [], v: [] });
  assert.deepEqual(h.series('T', 0, 'VMon', undefined, 3000), { t: [], v: [] });
});

test('users: inline in the config and in the users file; a name in both takes the file\'s entry', async () => {
  const { dir, cleanup } = makeTempDir('gemcaen-web-users-');
  try {
    const file = join(dir, 'users.yml');
    writeFileSync(file, `users:\n  alice: { Role: viewer, PasswordHash: "${await hashPassword('from-the-file')}" }\n`);
    const inline = [
      { name: 'alice', role: 'expert' as const, passwordHash: await hashPassword('from-the-config'), tokenHashes: [] },
      { name: 'bob', role: 'operator' as const, setups: ['A'], passwordHash: await hashPassword('bob-inline'), tokenHashes: [] },
    ];
    const users = UserDirectory.fromSettings({ listen: '127.0.0.1:0', users: inline, usersFile: file, idleMinutes: 30, loginFailures: 5, loginWindowSeconds: 60, confirmStepVolts: 50, historyMinutes: 60, demoAccount: false });
    assert.equal(users.size, 2);
    assert.deepEqual(await users.login('alice', 'from-the-file'), { name: 'alice', role: 'viewer', via: 'session' });
    assert.equal(await users.login('alice', 'from-the-config'), undefined);
    assert.deepEqual(await users.login('bob', 'bob-inline'), { name: 'bob', role: 'operator', setups: ['A'], via: 'session' });
  } finally {
    cleanup();
  }
});

function fakeResponse(): { res: ServerResponse; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  const res = Object.assign(stream, { writeHead: () => res }) as unknown as ServerResponse;
  return { res, text: () => text };
}

test('event stream: a client resuming with Last-Event-ID gets exactly what it missed; an unknown id gets a snapshot', () => {
  const hub = new StreamHub(() => ({ snap: true }));
  hub.publish('scan', { n: 1 });
  const first = fakeResponse();
  hub.attach(first.res, undefined);
  assert.match(first.text(), new RegExp(`id: ${hub.epoch}-1\\nevent: snapshot\\n`));
  hub.publish('scan', { n: 2 });
  hub.publish('scan', { n: 3 });
  assert.match(first.text(), /data: \{"n":3\}/);
  const resumed = fakeResponse();
  hub.attach(resumed.res, `${hub.epoch}-2`);
  assert.doesNotMatch(resumed.text(), /snapshot|"n":2/);
  assert.match(resumed.text(), /event: resumed\ndata: \{"missed":1\}/);
  assert.match(resumed.text(), new RegExp(`id: ${hub.epoch}-3\\nevent: scan\\ndata: \\{"n":3\\}`));
  const other = fakeResponse();
  hub.attach(other.res, 'deadbeef-2'); // another start of the daemon
  assert.match(other.text(), /event: snapshot/);
  assert.deepEqual({ ...hub.stats(), open: undefined }, { open: undefined, opened: 3, resumed: 1, snapshots: 2, published: 3, dropped: 0 });
  hub.stop();
});

test('event stream: a client that does not read is cut once too much waits for it; the others go on', () => {
  const hub = new StreamHub(() => ({ snap: true }), 64 * 1024);
  const reader = fakeResponse();
  // a client that never reads: nothing consumes its stream, so what is written stays buffered
  const stalled = Object.assign(new PassThrough({ highWaterMark: 1024 }), { writeHead: () => stalled }) as unknown as ServerResponse;
  hub.attach(reader.res, undefined);
  hub.attach(stalled, undefined);
  const big = 'x'.repeat(16 * 1024);
  for (let i = 0; i < 4; i++) hub.publish('scan', { n: i, big });
  assert.equal(hub.stats().open, 2, 'still under the limit');
  for (let i = 4; i < 10; i++) hub.publish('scan', { n: i, big });
  assert.equal(stalled.destroyed, true, 'the stalled stream is cut');
  assert.equal(hub.stats().open, 1);
  assert.equal(hub.stats().dropped, 1);
  assert.match(reader.text(), /"n":9/, 'the reading client got every event');
  hub.stop();
});
