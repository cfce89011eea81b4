// Crate faults seen by the running daemon (real CLI, one simulated crate): a dropped session (dead
// socket) and a negative result reconnect and logging resumes; refused credentials are one loud
// error and a failing health, not a tight retry loop.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSim, type SimHandle } from '../helpers/sim.js';
import type { HealthReport } from '../../src/supervisor/state.js';
import { mainframeYaml, settingsYaml, startDaemon, tempDir, writeConfig, type RunningDaemon } from './run-daemon.js';
import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';

let sim: SimHandle;
before(async () => {
  sim = await startSim();
});
after(async () => {
  await sim?.stop();
});

function start(t: { after(fn: () => unknown): void }, dir: string): RunningDaemon {
  const text = [
    settingsYaml(dir),
    'F1:',
    '  Monitorables: [VMon, Status]',
    '  HoldOffTime: 0.3',
    '  isGEMDetector: false',
    mainframeYaml({ address: sim.address, library: sim.libraryPath }),
    '  BOARD:',
    '    SLOT: 2',
    '    CHANNELS: [0, 1]',
    '  FILE:',
    `    DIRECTORY: "${join(dir, 'data')}"`,
  ].join('\n');
  const d = startDaemon(['-c', writeConfig(dir, text), 'start', 'F1', '--log-level', 'debug']);
  t.after(() => d.stop('SIGKILL'));
  return d;
}

const scans = (h: HealthReport, setup = 'F1') => h.setups.find((s) => s.name === setup)?.scans ?? 0;
const crateState = (h: HealthReport) => h.crates[0]?.state;

/** Waits until the setup has made n more scans than it had in `since` (health's count). */
async function scansAfter(d: RunningDaemon, since: HealthReport | null, n: number): Promise<HealthReport> {
  const base = since ? scans(since) : 0;
  return d.untilHealth(`${n} scans of F1`, (h) => scans(h) >= base + n);
}

/** Waits until the simulator has counted `n` logins since its counters were reset. */
async function loginsCounted(n: number): Promise<void> {
  const end = Date.now() + 15_000;
  while ((await sim.control.counters()).sessionsOpened < n) {
    if (Date.now() > end) throw new Error(`fewer than ${n} logins`);
    await sleep(50);
  }
}

test('a dropped session and a negative result: deinit, log in again, scans resume, no session left', async (t) => {
  const dir = tempDir(t);
  const d = start(t, dir);
  await d.untilHealth('the crate connected', (h) => crateState(h) === 'connected');
  await scansAfter(d, null, 2);

  await sim.control.resetCounters();
  assert.equal(await sim.control.dropSessions(), 1);
  await loginsCounted(1);
  let h = await scansAfter(d, await d.health(), 2);
  let c = await sim.control.counters();
  assert.equal(c.sessionsOpened, 1, 'one new login after the drop');
  assert.equal(c.openSessions, 1);
  assert.equal(h.crates[0]?.restarts, 0, 'the worker reconnected by itself (no restart)');

  await sim.control.failNext(1, -7, 'GetChParam');
  await loginsCounted(2);
  h = await scansAfter(d, await d.health(), 2);
  assert.equal(crateState(h), 'connected');
  c = await sim.control.counters();
  assert.equal(c.sessionsOpened, 2);
  assert.equal(c.openSessions, 1, 'the old handle was deinitialised before the new login');

  assert.equal(await d.stop('SIGTERM'), 0);
  assert.equal((await sim.control.counters()).openSessions, 0);
});

test('refused credentials: one error line, health auth-failed, no tight retry loop, clean stop', async (t) => {
  const dir = tempDir(t);
  await sim.control.resetCounters();
  await sim.control.refuseLogins(true);
  t.after(() => sim.control.refuseLogins(false));
  const d = start(t, dir);
  const h = await d.untilHealth('the login refused', (x) => crateState(x) === 'auth-failed');
  assert.equal(h.ok, false);
  // a connection back-off would have tried again after 1 s and 2 s: wait past that, then count
  const inAuthFailed = Date.now();
  await d.untilHealth('3 s in auth-failed', (x) => crateState(x) === 'auth-failed' && Date.now() - inAuthFailed > 3000);
  const c = await sim.control.counters();
  assert.equal(c.loginFailures, 1, 'no retry within seconds');
  // one error line from the crate's worker (the alarm for the lost crate is a line of its own, [alarm])
  assert.equal(d.lines.filter((l) => / error \[\d/.test(l)).length, 1, `one error line: ${d.lines.join('\n')}`);
  assert.equal(await d.stop('SIGTERM'), 0);
});

test('SIGTERM during a slow call: the call finishes, the handle is deinitialised, exit 0; a second signal forces exit 1', async (t) => {
  const dir = tempDir(t);
  await sim.control.resetCounters();
  const d = start(t, dir);
  await d.untilHealth('the crate connected', (h) => crateState(h) === 'connected');
  await scansAfter(d, null, 1);
  await sim.control.latency(1500);
  t.after(() => sim.control.latency(0));
  // the simulator counts a call when it arrives, before its latency: one more call = one in progress
  const calls0 = (await sim.control.counters()).totalCalls;
  while ((await sim.control.counters()).totalCalls <= calls0) await sleep(20);
  const t0 = Date.now();
  assert.equal(await d.stop('SIGTERM'), 0);
  const took = Date.now() - t0;
  assert.ok(took < 10_000, `stopped in ${took} ms`);
  assert.equal((await sim.control.counters()).openSessions, 0, 'DeinitSystem ran after the call in progress');

  // the second signal: the stop is held up by a 4 s call (under the library's 5 s time-out); a forced exit does not wait for it, so the
  // crate sees the session dropped by the client, not logged out
  await sim.control.latency(0);
  await sim.control.resetCounters();
  const d2 = start(t, tempDir(t));
  await d2.untilHealth('the crate connected', (h) => crateState(h) === 'connected');
  await sim.control.latency(4000);
  const calls1 = (await sim.control.counters()).totalCalls;
  while ((await sim.control.counters()).totalCalls <= calls1) await sleep(20);
  d2.child.kill('SIGTERM');
  await d2.untilHealth('the daemon stopping', (h) => h.phase === 'stopping');
  d2.child.kill('SIGINT'); // another signal (the same one within 0.3 s counts once: npm forwards Ctrl-C)
  assert.equal(await d2.exited, 1, 'a forced exit');
  await sim.control.latency(0);
  const dropped = (await sim.control.counters()).sessions.at(-1);
  assert.notEqual(dropped?.closeReason, 'logout', 'the forced exit did not wait for the logout');
});

test('GEM: a channel without an electrode suffix loses only its Ieq, with one warning; the stack keeps logging', async (t) => {
  const dir = tempDir(t);
  await sim.control.setChannel(0, 8, 'name', 'BADNAME');
  t.after(() => sim.control.setChannel(0, 8, 'name', 'GEM2_G3TOP'));
  const data = join(dir, 'data');
  const text = [
    settingsYaml(dir),
    'G2:',
    '  Monitorables: [VMon, Ieq]',
    '  HoldOffTime: 0.3',
    '  isGEMDetector: true',
    mainframeYaml({ address: sim.address, library: sim.libraryPath }),
    '  BOARD:',
    '    SLOT: 0',
    '    LAYER: 2',
    '  FILE:',
    `    DIRECTORY: "${data}"`,
  ].join('\n');
  const d = startDaemon(['-c', writeConfig(dir, text), 'start', 'G2']);
  t.after(() => d.stop('SIGKILL'));
  await d.waitFor(/Ieq not written/);
  // the warning names the channel once, however many scans follow (HoldOffTime 0.3 s)
  const warned = await d.health();
  await d.untilHealth('five more scans of G2', (h) => scans(h, 'G2') >= scans(warned, 'G2') + 5);
  assert.equal(await d.stop('SIGTERM'), 0);
  assert.equal(d.lines.filter((l) => /Ieq not written/.test(l)).length, 1);
  const lines = readdirSync(data).flatMap((f) => readFileSync(join(data, f), 'utf8').split('\n')).filter((l) => l.startsWith('HV,'));
  const ch07 = lines.filter((l) => l.includes('channel=07'));
  const ch08 = lines.filter((l) => l.includes('channel=08'));
  // Ieq is a line of its own (same series and time as the channel's line): channel 7 has an Ieq line for
  // every VMon line and only Ieq lines besides; channel 8 has VMon lines and no Ieq at all
  const time = (l: string) => l.slice(l.lastIndexOf(' ') + 1);
  const ch07vmon = ch07.filter((l) => /VMon=/.test(l));
  const ch07ieq = ch07.filter((l) => / Ieq=[^,]+ \d+$/.test(l));
  assert.ok(ch07vmon.length > 0 && ch07vmon.length + ch07ieq.length === ch07.length);
  assert.ok(ch07vmon.every((l) => ch07ieq.some((i) => time(i) === time(l))), 'every VMon of channel 7 comes with its Ieq');
  assert.ok(ch08.length > 0 && ch08.every((l) => /VMon=/.test(l) && !/Ieq=/.test(l)));
  assert.ok(ch08.every((l) => l.includes('ChannelName=G3Top')), 'the alias comes from the channel index');
});
