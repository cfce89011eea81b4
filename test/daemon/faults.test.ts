// Crate faults seen by the running daemon (real CLI, one simulated crate): a dropped session (dead
// socket) and a negative result reconnect and logging resumes; refused credentials are one loud
// error and a failing health, not a tight retry loop.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSim, type SimHandle } from '../helpers/sim.js';
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

async function scansAfter(d: RunningDaemon, sinceIndex: number, n: number): Promise<void> {
  const end = Date.now() + 15_000;
  while (d.lines.slice(sinceIndex).filter((l) => /F1: scan of 2 channels/.test(l)).length < n) {
    if (Date.now() > end) throw new Error(`fewer than ${n} scans after line ${sinceIndex}:\n${d.lines.slice(sinceIndex).join('\n')}`);
    await sleep(100);
  }
}

test('a dropped session and a negative result: deinit, log in again, scans resume, no session left', async (t) => {
  const dir = tempDir(t);
  const d = start(t, dir);
  await d.waitFor(/connected to SY4527/);
  await scansAfter(d, 0, 2);

  await sim.control.resetCounters();
  assert.equal(await sim.control.dropSessions(), 1);
  let mark = d.lines.length;
  await d.waitFor(/unreachable: connection lost/);
  await scansAfter(d, mark, 2);
  let c = await sim.control.counters();
  assert.equal(c.sessionsOpened, 1, 'one new login after the drop');
  assert.equal(c.openSessions, 1);

  mark = d.lines.length;
  await sim.control.failNext(1, -7, 'GetChParam');
  const end = Date.now() + 10_000;
  while (d.lines.slice(mark).filter((l) => /connected to SY4527/.test(l)).length < 1 && Date.now() < end) await sleep(100);
  assert.match(d.lines.slice(mark).join('\n'), /unreachable: connection lost: CAENHV_GetChParam failed: .*-7/);
  await scansAfter(d, d.lines.length, 2);
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
  await d.waitFor(/refused the login/);
  await sleep(2000);
  const c = await sim.control.counters();
  assert.equal(c.loginFailures, 1, 'no retry within seconds');
  assert.equal(d.lines.filter((l) => /error/.test(l) && /refused the login/.test(l)).length, 1);
  const h = (await (await fetch(await d.healthUrl())).json()) as { ok: boolean; crates: { state: string }[] };
  assert.equal(h.ok, false);
  assert.equal(h.crates[0].state, 'auth-failed');
  assert.equal(await d.stop('SIGTERM'), 0);
});

test('SIGTERM during a slow call: the call finishes, the handle is deinitialised, exit 0; a second signal forces exit 1', async (t) => {
  const dir = tempDir(t);
  await sim.control.resetCounters();
  const d = start(t, dir);
  await d.waitFor(/connected to SY4527/);
  await scansAfter(d, 0, 1);
  await sim.control.latency(1500);
  t.after(() => sim.control.latency(0));
  await sleep(800); // inside a 1.5 s call
  const t0 = Date.now();
  assert.equal(await d.stop('SIGTERM'), 0);
  const took = Date.now() - t0;
  assert.ok(took < 10_000, `stopped in ${took} ms`);
  assert.equal((await sim.control.counters()).openSessions, 0, 'DeinitSystem ran after the call in progress');

  const d2 = start(t, tempDir(t));
  await d2.waitFor(/connected to SY4527/);
  await sleep(1000);
  d2.child.kill('SIGTERM');
  await d2.waitFor(/SIGTERM received/);
  const t1 = Date.now();
  d2.child.kill('SIGTERM');
  assert.equal(await d2.exited, 1);
  assert.ok(Date.now() - t1 < 1000, 'the second signal does not wait for the stop');
  assert.match(d2.lines.join('\n'), /forcing the exit/);
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
  await sleep(1500);
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
