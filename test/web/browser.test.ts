// The web page in real headless Chromium against the real daemon and the simulator: sign-in, the
// grid with the simulator's names and values, live updates from another client, set points through
// the page (read back, audited with the user), refusals that send nothing, stale previews, alarms,
// one stream per browser, a resumed stream; and the README's screenshots (into a temp dir, or into
// GEMCAEN_SCREENSHOTS when set: `GEMCAEN_SCREENSHOTS=docs/img node scripts/run-tests.mjs web/browser`
// refreshes the README's, so that an ordinary test run leaves the checkout as it was).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserMissing, launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { PASSWORDS, startWebDaemon, type WebDaemon } from './kit.js';

const missing = browserMissing();
let w: WebDaemon;
let browser: TestBrowser;
let page: Page;
let proxy: TcpProxy;
/** the page as the browser reaches it: through a proxy that a test cuts */
let url: string;
const shots = process.env.GEMCAEN_SCREENSHOTS ? undefined : makeTempDir('gemcaen-screenshots-');
const IMG = process.env.GEMCAEN_SCREENSHOTS ?? shots!.dir;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

before(async () => {
  if (missing) return;
  // both started side by side; whichever started is kept so that after() stops it even if the other failed
  const [daemon, chromium] = await Promise.allSettled([startWebDaemon({ web: ['GrafanaUrl: "http://grafana.lab.example/d/gemcaen"'] }), launchBrowser()]);
  if (daemon.status === 'fulfilled') w = daemon.value;
  if (chromium.status === 'fulfilled') browser = chromium.value;
  if (daemon.status === 'rejected') throw daemon.reason;
  if (chromium.status === 'rejected') throw chromium.reason;
  const target = new URL(w.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  url = `http://${proxy.address}/`;
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  mkdirSync(IMG, { recursive: true });
});
after(async () => {
  await browser?.close();
  await proxy?.close();
  await w?.close();
  shots?.cleanup();
});

const cell = (channel: number, param: string) => page.locator(`#grid tr[data-channel="${channel}"] td[data-param="${param}"]`);
const setCalls = async () => (await w.sim.control.counters()).calls.CAENHV_SetChParam ?? 0;
const streams = async () => {
  const r = await fetch(`${w.origin}/api/stats`, { headers: { authorization: `Bearer ${w.token}` } });
  return ((await r.json()) as { streams: { open: number; resumed: number; snapshots: number } }).streams;
};

test('sign in; the grid shows the simulator\'s channel names and values', { skip: missing }, async () => {
  await page.goto(url);
  await page.fill('#login-name', 'alice');
  await page.fill('#login-password', 'wrong password');
  await page.click('#login-submit');
  await page.locator('#login-error', { hasText: 'Wrong name or password' }).waitFor();
  await page.fill('#login-password', PASSWORDS.alice);
  await page.click('#login-submit');
  await page.locator('.crate .pill.ok', { hasText: 'connected' }).waitFor();
  await page.goto(`${url}#/setup/Board`);
  await page.locator('#grid td.name', { hasText: 'DRIFT3' }).waitFor();
  assert.deepEqual(await page.locator('#grid td.name').allTextContents(), ['DRIFT0', 'DRIFT1', 'DRIFT2', 'DRIFT3']);
  assert.equal(await cell(2, 'V0Set').textContent(), '2500.0');
  assert.equal(await page.locator('#conn').textContent(), 'live');
});

test('the grid updates when another client changes a value', { skip: missing }, async () => {
  await w.sim.control.setChannel(2, 0, 'V0Set', 1510);
  await cell(0, 'V0Set').filter({ hasText: '1510.0' }).waitFor({ timeout: 5000 });
});

test('a set through the page reaches the crate, is read back on screen and is in the audit with the user', { skip: missing }, async () => {
  const before = await setCalls();
  await page.check('#grid tr[data-channel="1"] input.pick');
  await page.selectOption('.set-param', 'V0Set');
  await page.fill('.set-value', '2010');
  await page.click('.set-preview');
  const preview = page.locator('.preview-box');
  await preview.waitFor();
  assert.match((await preview.locator('tbody tr').first().textContent()) ?? '', /2000.*→.*2010/);
  await page.click('.set-confirm');
  const applied = page.locator('.applied.ok');
  await applied.waitFor({ timeout: 10_000 });
  assert.match((await applied.locator('td.readback').textContent()) ?? '', /^2010/);
  assert.ok((await setCalls()) > before, 'SetChParam reached the crate');
  assert.equal((await w.sim.control.getChannel(2, 1)).params.V0Set, 2010);
  await cell(1, 'V0Set').filter({ hasText: '2010.0' }).waitFor({ timeout: 5000 });
  await page.goto(`${url}#/audit`);
  const line = page.locator('#audit tbody tr', { hasText: 'V0Set' }).filter({ hasText: '2010' }).first();
  await line.waitFor({ timeout: 5000 });
  assert.match((await line.locator('td.who').textContent()) ?? '', /alice/);
});

test('a refused value shows its reason and sends nothing', { skip: missing }, async () => {
  await page.goto(`${url}#/setup/Board`);
  await page.locator('#grid td.name', { hasText: 'DRIFT3' }).waitFor();
  const before = await setCalls();
  await page.check('#grid tr[data-channel="2"] input.pick');
  await page.fill('.set-value', '99999');
  await page.click('.set-preview');
  const refused = page.locator('.refused');
  await refused.waitFor();
  assert.match((await refused.getAttribute('data-code')) ?? '', /^VALUE_ABOVE_(MAX|SVMAX)$/);
  assert.match((await refused.textContent()) ?? '', /nothing was sent/);
  assert.equal(await setCalls(), before);
});

test('a preview made stale by another client is refused, and nothing is sent', { skip: missing }, async () => {
  await page.fill('.set-value', '2520');
  await page.click('.set-preview');
  await page.locator('.preview-box').waitFor();
  await w.sim.control.setChannel(2, 2, 'V0Set', 2490); // someone else, at the crate
  await cell(2, 'V0Set').filter({ hasText: '2490.0' }).waitFor({ timeout: 5000 });
  const before = await setCalls();
  await page.click('.set-confirm');
  const refused = page.locator('.refused');
  await refused.waitFor({ timeout: 10_000 });
  assert.equal(await refused.getAttribute('data-code'), 'PREVIEW_STALE');
  assert.equal(await setCalls(), before);
  assert.equal((await w.sim.control.getChannel(2, 2)).params.V0Set, 2490);
});

test('switching a channel on asks a second time', { skip: missing }, async () => {
  await w.sim.control.setChannel(2, 3, 'Pw', 0);
  await cell(3, 'Pw').filter({ hasText: 'Off' }).waitFor({ timeout: 15_000 });
  await page.uncheck('#grid tr[data-channel="2"] input.pick');
  await page.check('#grid tr[data-channel="3"] input.pick');
  await page.selectOption('.set-param', 'Pw');
  await page.selectOption('.set-pw', 'on');
  await page.click('.set-preview');
  await page.locator('.preview-box .warn', { hasText: 'switches a channel on' }).waitFor();
  await page.click('.set-confirm');
  assert.match((await page.locator('.set-confirm').textContent()) ?? '', /2 of 2/);
  assert.equal((await w.sim.control.getChannel(2, 3)).params.Pw, 0, 'nothing sent after the first confirmation');
  await page.click('.set-confirm');
  await page.locator('.applied.ok').waitFor({ timeout: 15_000 });
  assert.equal((await w.sim.control.getChannel(2, 3)).params.Pw, 1);
});

test('a trip appears as an alarm within a scan; an operator acknowledges it', { skip: missing }, async () => {
  await w.sim.control.trip(2, 0);
  await page.locator('#alarm-count').waitFor({ timeout: 3000 });
  await page.goto(`${url}#/alarms`);
  const row = page.locator('#alarms-active tbody tr', { hasText: 'INTTRIP' });
  await row.waitFor({ timeout: 3000 });
  await row.locator('button.ack').click();
  await row.filter({ hasText: 'acknowledged by alice' }).waitFor({ timeout: 5000 });
});

test('several tabs share one stream; a lost connection shows at once and the stream resumes where it stopped', { skip: missing }, async () => {
  const second = await browser.context.newPage();
  await second.goto(`${url}#/setup/Board`);
  await second.locator('#grid td.name', { hasText: 'DRIFT3' }).waitFor();
  assert.equal((await streams()).open, 1, 'one event stream for both tabs');
  await second.close();

  const before = await streams();
  proxy.cut();
  await page.locator('#conn.conn-lost').waitFor({ timeout: 5000 });
  assert.equal(await page.locator('#banner').isVisible(), true);
  proxy.restore();
  await page.locator('#conn.conn-live').waitFor({ timeout: 10_000 });
  const now = await streams();
  assert.equal(now.resumed, before.resumed + 1, 'the reconnect resumed from Last-Event-ID');
  assert.equal(now.snapshots, before.snapshots, 'no new snapshot was needed');
  await w.sim.control.setChannel(2, 1, 'V0Set', 2030);
  await page.goto(`${url}#/setup/Board`);
  await cell(1, 'V0Set').filter({ hasText: '2030.0' }).waitFor({ timeout: 5000 });
});

test('screenshots for the README: overview, a setup, a GEM board, the history', { skip: missing }, async () => {
  await page.goto(`${url}#/overview`);
  await page.locator('.crate .bars').first().waitFor();
  await page.screenshot({ path: join(IMG, 'overview.png'), fullPage: true });
  await page.goto(`${url}#/setup/Board`);
  await page.locator('#grid td.name', { hasText: 'DRIFT3' }).waitFor();
  await page.check('#grid tr[data-channel="1"] input.pick');
  await page.check('#grid tr[data-channel="2"] input.pick');
  await page.selectOption('.set-param', 'V0Set');
  await page.fill('.set-value', '2100');
  await page.click('.set-preview');
  await page.locator('.preview-box').waitFor();
  await page.screenshot({ path: join(IMG, 'setup.png'), fullPage: true });
  await page.click('#nav a[href^="#/gem/"]');
  await page.locator('.layer[data-setup="GEM2"] td.ieq').first().waitFor();
  await page.screenshot({ path: join(IMG, 'gem.png'), fullPage: true });
  await page.goto(`${url}#/history/Board/VMon`);
  await page.locator('#chart canvas').waitFor();
  await page.screenshot({ path: join(IMG, 'history.png'), fullPage: true });
  const phone = await browser.context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${url}#/setup/Board`);
  await phone.locator('#grid td.name', { hasText: 'DRIFT3' }).waitFor();
  await phone.screenshot({ path: join(IMG, 'phone.png') });
  await phone.close();
  for (const name of ['overview', 'setup', 'gem', 'history', 'phone']) {
    const png = readFileSync(join(IMG, `${name}.png`));
    assert.ok(png.length > 10_000 && png.subarray(0, 8).equals(PNG_SIGNATURE), `${name}.png is a PNG of the page`);
  }
});
