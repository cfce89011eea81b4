// The web page over TLS, with users written inline in the config and a short sign-in window: a
// certificate made at test time with openssl serves the page and the API over https (the certificate
// the client sees is that one; plain http on the port gets no page); the session cookie is Secure; the
// Origin must be the https origin; inline users sign in with their roles; the Nth failed sign-in from
// one address is refused with RATE_LIMITED while another address signs in, and a good sign-in passes
// once the window is over; Chromium shows the page over https and holds the session in a Secure cookie.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hashPassword } from '../../src/web/page/passwords.js';
import { browserMissing, launchBrowser } from '../helpers/browser.js';
import { randomLoopback } from '../helpers/loopback.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startWebDaemon, type WebDaemon } from './kit.js';

const PW = { olga: 'olga-operates-inline', viv: 'viv-views-inline-1' };
const WINDOW_SECONDS = 3;
const FAILURES = 3;
const { dir, cleanup } = makeTempDir('gemcaen-web-tls-');
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
let cert: Buffer;
let w: WebDaemon;

before(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile,
    '-days', '1', '-subj', '/CN=gemcaen test', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  cert = readFileSync(certFile);
  w = await startWebDaemon({
    users: false,
    web: [
      `TlsCertFile: "${certFile}"`, `TlsKeyFile: "${keyFile}"`, `LoginFailures: ${FAILURES}`, `LoginWindowSeconds: ${WINDOW_SECONDS}`,
      'Users:',
      `  olga: { Role: operator, PasswordHash: "${await hashPassword(PW.olga)}" }`,
      `  viv: { Role: viewer, PasswordHash: "${await hashPassword(PW.viv)}" }`,
    ],
  });
});
after(async () => {
  await w?.close();
  cleanup();
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
  /** sha256 fingerprint of the certificate the server presented */
  peer: string;
}

/** One https request trusting only the test's certificate; `from`: the client's own loopback address. */
function call(path: string, o: { method?: string; headers?: Record<string, string>; body?: unknown; from?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${w.origin}${path}`, {
      method: o.method ?? 'GET',
      ca: cert,
      headers: { ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers },
      ...(o.from ? { localAddress: o.from } : {}),
    }, (res) => {
      const peer = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => {
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(body) as Record<string, unknown>;
        } catch {
          // the page
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json, peer });
      });
    });
    req.on('error', reject);
    req.end(o.body !== undefined ? JSON.stringify(o.body) : undefined);
  });
}

const signIn = (name: string, password: string, from?: string, origin = w.origin) =>
  call('/api/login', { method: 'POST', headers: { origin }, body: { name, password }, ...(from ? { from } : {}) });
const setCalls = async () => (await w.sim.control.counters()).calls.CAENHV_SetChParam ?? 0;

test('the page and the API are served over https with the configured certificate; plain http gets no page', async () => {
  assert.match(w.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
  const page = await call('/');
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /text\/html/);
  assert.match(page.body, /<html/i);
  assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
  assert.equal(page.peer, new X509Certificate(cert).fingerprint256, 'the certificate made for the test');
  const me = await call('/api/me');
  assert.equal(me.json.usersConfigured, true);
  const plain = await fetch(w.url.replace('https:', 'http:')).then((r) => r.status, () => 'no answer');
  assert.notEqual(plain, 200);
});

test('over TLS the session cookie is Secure, HttpOnly, SameSite=Strict; the Origin must be the https one', async () => {
  const ok = await signIn('olga', PW.olga);
  assert.equal(ok.status, 200, ok.body);
  const setCookie = String(ok.headers['set-cookie']);
  assert.match(setCookie, /^gemcaen_session=[\w-]{40,};/);
  assert.match(setCookie, /; Secure/);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  const cookie = setCookie.split(';')[0];

  const httpOrigin = w.origin.replace('https:', 'http:');
  const foreign = await signIn('olga', PW.olga, undefined, httpOrigin);
  assert.equal(foreign.status, 403);
  assert.equal(foreign.json.code, 'ORIGIN_REFUSED');
  assert.equal(foreign.headers['set-cookie'], undefined);

  const before = await setCalls();
  const body = { setup: 'Board', channels: [1], param: 'V0Set', value: '2010' };
  const refused = await call('/api/preview', { method: 'POST', headers: { origin: httpOrigin, cookie }, body });
  assert.equal(refused.status, 403);
  assert.equal(refused.json.code, 'ORIGIN_REFUSED');
  const preview = await call('/api/preview', { method: 'POST', headers: { origin: w.origin, cookie }, body });
  assert.equal(preview.status, 200, preview.body);
  assert.equal((preview.json.rows as { channel: number }[])[0].channel, 1);
  assert.equal(await setCalls(), before, 'a preview sends nothing');
});

test('users written inline in the config sign in with their roles; a wrong password is refused', async () => {
  const viv = await signIn('viv', PW.viv);
  assert.equal(viv.status, 200);
  assert.deepEqual(viv.json.user, { name: 'viv', role: 'viewer', setups: null });
  const cookie = String(viv.headers['set-cookie']).split(';')[0];
  const snapshot = await call('/api/snapshot', { headers: { cookie } });
  assert.equal(snapshot.status, 200);
  const preview = await call('/api/preview', { method: 'POST', headers: { origin: w.origin, cookie }, body: { setup: 'Board', channels: [1], param: 'V0Set', value: '2010' } });
  assert.equal(preview.status, 403);
  assert.equal(preview.json.code, 'FORBIDDEN');
  const wrong = await signIn('viv', PW.olga, randomLoopback());
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json.code, 'LOGIN_FAILED');
});

test('the Nth failed sign-in from one address is refused with RATE_LIMITED; another address is not; after the window a good sign-in passes', async () => {
  const a = randomLoopback();
  let b = randomLoopback();
  while (b === a) b = randomLoopback();
  const firstFailure = Date.now();
  for (let i = 0; i < FAILURES; i++) {
    const bad = await signIn('olga', `wrong-${i}`, a);
    assert.equal(bad.status, 401, `failure ${i + 1}`);
    assert.equal(bad.json.code, 'LOGIN_FAILED');
  }
  const limited = await signIn('olga', PW.olga, a);
  assert.equal(limited.status, 429);
  assert.equal(limited.json.code, 'RATE_LIMITED');
  const retry = Number(limited.headers['retry-after']);
  assert.ok(retry >= 1 && retry <= WINDOW_SECONDS, `Retry-After ${retry}`);
  assert.equal(limited.headers['set-cookie'], undefined);

  const other = await signIn('olga', PW.olga, b);
  assert.equal(other.status, 200, 'another address is not limited');

  // wait for the window to pass: refused attempts do not extend it
  let again = limited;
  const deadline = Date.now() + 4 * WINDOW_SECONDS * 1000;
  while (again.status === 429 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    again = await signIn('olga', PW.olga, a);
  }
  assert.equal(again.status, 200, again.body);
  assert.ok(Date.now() - firstFailure >= WINDOW_SECONDS * 1000 - 50, 'not before the window is over');
  // the success cleared the count: one more failure is a plain failure
  const afterwards = await signIn('olga', 'wrong-again', a);
  assert.equal(afterwards.json.code, 'LOGIN_FAILED');
});

const missing = browserMissing();
test('Chromium shows the page over https and keeps the session in a Secure cookie', { skip: missing }, async () => {
  const browser = await launchBrowser(undefined, { ignoreHTTPSErrors: true });
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(w.url);
    await page.fill('#login-name', 'olga');
    await page.fill('#login-password', PW.olga);
    await page.click('#login-submit');
    await page.locator('.crate .pill.ok', { hasText: 'connected' }).waitFor();
    await page.goto(`${w.url}#/setup/Board`);
    await page.locator('#grid td.name', { hasText: 'DRIFT3' }).waitFor();
    const session = (await browser.context.cookies(w.url)).find((c) => c.name === 'gemcaen_session');
    assert.ok(session, 'the session cookie is set');
    assert.equal(session.secure, true);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(await page.evaluate('document.cookie'), '', 'the page\'s scripts cannot read it');
  } finally {
    await browser.close();
  }
});
