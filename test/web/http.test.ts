// The web page's HTTP rules, on the real daemon and the simulator: every state-changing request
// without a session, with a viewer's session, from a foreign Origin or with a forged cookie is
// refused and sends nothing to the crate; sessions are HttpOnly SameSite=Strict cookies; every
// answer carries a strict CSP; sign-ins are rate-limited; no hash or token appears in any answer
// or log line.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { login, PASSWORDS, startWebDaemon, type WebDaemon } from './kit.js';

let w: WebDaemon;
const bodies: string[] = [];

before(async () => {
  w = await startWebDaemon();
});
after(async () => {
  await w?.close();
});

async function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${w.origin}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  bodies.push(text, JSON.stringify([...res.headers]));
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // a page or a script
  }
  return { status: res.status, json, headers: res.headers };
}

const setCalls = async () => {
  const c = await w.sim.control.counters();
  return (c.calls.CAENHV_SetChParam ?? 0) + (c.calls.CAENHV_SetBdParam ?? 0) + (c.calls.CAENHV_ExecComm ?? 0);
};

const PREVIEW = { setup: 'Board', channels: [1], param: 'V0Set', value: '2010' };
const STATE_CHANGING: { path: string; body: unknown }[] = [
  { path: '/api/preview', body: PREVIEW },
  { path: '/api/apply', body: { previewId: 'x', confirmations: 2 } },
  { path: '/api/alarms/any/ack', body: {} },
];

test('the page and its files are served with a strict Content-Security-Policy', async () => {
  for (const path of ['/', '/js/main.js', '/css/app.css', '/vendor/uPlot.esm.js', '/api/me', '/api/snapshot']) {
    const r = await call(path);
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/, path);
    assert.match(csp, /script-src 'self'(;|$)/, path);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, path);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  }
  assert.equal((await call('/js/../../package.json')).status, 404);
});

test('with users configured, reads need a session or a token', async () => {
  assert.equal((await call('/api/snapshot')).status, 401);
  assert.equal((await call('/api/snapshot')).json.code, 'NOT_SIGNED_IN');
  assert.equal((await call('/api/history?setup=Board&channel=0&quantity=VMon')).status, 401);
  const stream = await fetch(`${w.origin}/api/stream`);
  assert.equal(stream.status, 401);
  await stream.body?.cancel();
  const me = await call('/api/me');
  assert.equal(me.json.user, null);
  assert.equal(me.json.usersConfigured, true);
  const viaToken = await call('/api/snapshot', { headers: { authorization: `Bearer ${w.token}` } });
  assert.equal(viaToken.status, 200);
  assert.ok(Array.isArray(viaToken.json.setups));
  assert.equal((await call('/api/snapshot', { headers: { authorization: 'Bearer gct_forged' } })).status, 401);
});

test('sign-in sets an HttpOnly SameSite=Strict session cookie; a wrong password or foreign Origin is refused', async () => {
  const res = await fetch(`${w.origin}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: w.origin }, body: JSON.stringify({ name: 'alice', password: PASSWORDS.alice }) });
  assert.equal(res.status, 200);
  const cookie = res.headers.get('set-cookie') ?? '';
  assert.match(cookie, /^gemcaen_session=[\w-]{40,};/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const body = (await res.json()) as { user: { name: string; role: string } };
  assert.deepEqual(body.user, { name: 'alice', role: 'operator', setups: null });
  assert.ok(!JSON.stringify(body).includes(cookie.split(';')[0].split('=')[1]), 'the session id is not in the body');

  const wrong = await call('/api/login', { method: 'POST', headers: { origin: w.origin }, body: { name: 'alice', password: 'nope' } });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json.code, 'LOGIN_FAILED');
  const foreign = await call('/api/login', { method: 'POST', headers: { origin: 'http://evil.example' }, body: { name: 'alice', password: PASSWORDS.alice } });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.json.code, 'ORIGIN_REFUSED');
  assert.equal(foreign.headers.get('set-cookie'), null);
});

test('every state-changing request without a session, as a viewer, from a foreign Origin or with a forged cookie is refused and sends nothing', async () => {
  const before = await setCalls();
  const alice = await login(w, 'alice');
  const victor = await login(w, 'victor');
  for (const { path, body } of STATE_CHANGING) {
    const none = await call(path, { method: 'POST', headers: { origin: w.origin }, body });
    assert.equal(none.status, 401, `${path} without a session`);
    assert.equal(none.json.code, 'NOT_SIGNED_IN');

    const viewer = await call(path, { method: 'POST', headers: { origin: w.origin, cookie: victor }, body });
    assert.equal(viewer.status, 403, `${path} as a viewer`);
    assert.equal(viewer.json.code, 'FORBIDDEN');

    const foreign = await call(path, { method: 'POST', headers: { origin: 'http://evil.example', cookie: alice }, body });
    assert.equal(foreign.status, 403, `${path} from a foreign Origin`);
    assert.equal(foreign.json.code, 'ORIGIN_REFUSED');

    const noOrigin = await call(path, { method: 'POST', headers: { cookie: alice }, body });
    assert.equal(noOrigin.status, 403, `${path} with a cookie and no Origin`);
    assert.equal(noOrigin.json.code, 'ORIGIN_REFUSED');

    const forged = await call(path, { method: 'POST', headers: { origin: w.origin, cookie: 'gemcaen_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, body });
    assert.equal(forged.status, 401, `${path} with a forged cookie`);
    assert.equal(forged.json.code, 'NOT_SIGNED_IN');
  }
  // an operator limited to GEM1 may not touch Board
  const gemma = await login(w, 'gemma');
  const limited = await call('/api/preview', { method: 'POST', headers: { origin: w.origin, cookie: gemma }, body: PREVIEW });
  assert.equal(limited.status, 403);
  assert.equal(limited.json.code, 'FORBIDDEN');
  // a made-up preview id is refused
  const fake = await call('/api/apply', { method: 'POST', headers: { origin: w.origin, cookie: alice }, body: { previewId: 'made-up', confirmations: 2 } });
  assert.equal(fake.json.code, 'PREVIEW_UNKNOWN');
  assert.equal(await setCalls(), before, 'no set call reached the crate');
});

test('a signed-out session is dead', async () => {
  const alice = await login(w, 'alice');
  assert.equal((await call('/api/snapshot', { headers: { cookie: alice } })).status, 200);
  assert.equal((await call('/api/logout', { method: 'POST', headers: { origin: w.origin, cookie: alice }, body: {} })).status, 200);
  assert.equal((await call('/api/snapshot', { headers: { cookie: alice } })).status, 401);
});

test('the history comes from the daemon\'s memory: points of a channel after a few scans', async () => {
  const auth = { authorization: `Bearer ${w.token}` };
  let r = await call('/api/history?setup=Board&channel=3&quantity=VMon', { headers: auth });
  const deadline = Date.now() + 10_000;
  while ((r.json.t as number[]).length < 1 && Date.now() < deadline) r = await call('/api/history?setup=Board&channel=3&quantity=VMon', { headers: auth });
  assert.ok((r.json.t as number[]).length >= 1);
  assert.ok(Math.abs((r.json.v as number[])[0] - 3000) < 5, `VMon of DRIFT3 about 3000 V, got ${String(r.json.v)}`);
});

test('sign-in attempts are rate-limited per address (429 with Retry-After)', async () => {
  let last = { status: 0, json: {} as Record<string, unknown>, headers: new Headers() };
  for (let i = 0; i < 7; i++) last = await call('/api/login', { method: 'POST', headers: { origin: w.origin }, body: { name: 'victor', password: `wrong-${i}` } });
  assert.equal(last.status, 429);
  assert.equal(last.json.code, 'RATE_LIMITED');
  assert.ok(Number(last.headers.get('retry-after')) > 0);
  // even the right password waits now
  const right = await call('/api/login', { method: 'POST', headers: { origin: w.origin }, body: { name: 'victor', password: PASSWORDS.victor } });
  assert.equal(right.status, 429);
});

test('no password hash, token or password appears in any answer or log line', async () => {
  const logs = w.daemon.lines.join('\n');
  const files = readdirSync(join(w.dir, 'logs')).map((f) => readFileSync(join(w.dir, 'logs', f), 'utf8')).join('\n');
  const secrets = [...w.hashes, w.token, ...Object.values(PASSWORDS), ...w.hashes.map((h) => h.split('$').pop()!)];
  for (const s of secrets) {
    for (const [what, text] of [['answers', bodies.join('\n')], ['console', logs], ['log files', files]] as const) {
      assert.ok(!text.includes(s), `${what} contain a secret (${s.slice(0, 12)}…)`);
    }
  }
  assert.ok(bodies.length > 20, 'the answers of the tests above were collected');
  assert.match(logs, /alice \(operator\) signed in/);
});
