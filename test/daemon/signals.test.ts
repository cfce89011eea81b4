// Signals to the real daemon process (issue 17): SIGHUP stops it like SIGTERM (log out, flush, a log
// line, exit 0); a signal after a clean stop neither crashes the logger nor kills the process; a
// worker stuck inside a CAEN call (the simulator answers after 60 s, the library waits 60 s) does not
// keep the process alive past its stop time-out, and the next start replays the spool.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startInfluxDB, type InfluxDBServer } from '../helpers/influxdb.js';
import { daemon, fileTimes, scans, scansNow, settingsYaml, setupYaml, storedTimes, tempDir, until, writeConfig, type RunningDaemon } from '../faults/kit.js';

let sim: SimHandle;
let influx: InfluxDBServer;
before(async () => {
  [sim, influx] = await Promise.all([startSim(), startInfluxDB()]);
});
after(async () => {
  await Promise.all([sim?.stop(), influx?.dispose()]);
});

function fileConfig(t: { after(fn: () => void): void }, setup: string): { dir: string; file: string; data: string } {
  const dir = tempDir(t, 'gemcaen-signals-');
  const data = join(dir, 'data');
  const file = writeConfig(dir, [settingsYaml(dir), setupYaml({ name: setup, mainframe: { address: sim.address, library: sim.libraryPath }, slot: 2, channels: [0, 1], holdOffSeconds: 0.5, sink: { file: data } })].join('\n'));
  return { dir, file, data };
}

/** Waits until the worker of `setup` (HoldOffTime 0.5 s) is stuck in a call the crate answers late. */
async function stuckInACall(d: RunningDaemon, setup: string): Promise<void> {
  // the simulator counts a call when it arrives, before its latency: one more call = one waiting for its answer
  const calls0 = (await sim.control.counters()).totalCalls;
  await until('a call waiting for its answer', async () => (await sim.control.counters()).totalCalls > calls0);
  await d.untilHealth('no scan for 1.5 s (three hold-offs)', (h) => (h.setups.find((s) => s.name === setup)?.lastScanAgeSeconds ?? 0) > 1.5);
}

test('SIGHUP (a closed terminal) stops the daemon like SIGTERM: logged, sessions closed, points flushed, exit 0', async (t) => {
  const c = fileConfig(t, 'HUP');
  const d = daemon(t, c.file, ['HUP']);
  await until('3 scans', async () => (await scansNow(d, 'HUP')) >= 3);
  const before = await sim.control.counters();
  assert.ok(before.openSessions >= 1);
  const code = await d.stop('SIGHUP');
  assert.equal(code, 0, d.lines.join('\n'));
  assert.ok(d.lines.some((l) => /SIGHUP received/.test(l)), 'the signal is logged');
  assert.ok(d.lines.some((l) => /\bstopped\b/.test(l)), 'the stop is logged');
  assert.equal((await sim.control.counters()).openSessions, 0, 'logged out');
  assert.equal(fileTimes(c.data, 'HUP', 0).length, scans(d, 'HUP'), 'every scan flushed to the file sink');
});

test('a second signal 20 ms after a fast clean stop: no "write after end" crash, exit 0', async (t) => {
  const c = fileConfig(t, 'LATE');
  const d = daemon(t, c.file, ['LATE']);
  await until('2 scans', async () => (await scansNow(d, 'LATE')) >= 2);
  d.child.kill('SIGTERM');
  await d.waitFor(/\bstopped\b/);
  // the logger is closing now; SIGINT: the same signal within 1 s counts as one (npm forwards Ctrl-C)
  await sleep(20);
  d.child.kill('SIGINT');
  const code = await d.exited;
  assert.ok(!d.lines.some((l) => /write after end|ERR_STREAM_WRITE_AFTER_END/.test(l)), d.lines.join('\n'));
  assert.equal(d.child.signalCode, null, 'not killed by the late signal');
  assert.equal(code, 0, d.lines.join('\n'));
});

test('a worker stuck 60 s inside a CAEN call: SIGTERM ends the process within the stop time-out (exit 1), and the next start replays the spool', { timeout: 120_000 }, async (t) => {
  const db = 'stuckstop';
  await influx.createDatabase(db);
  const dir = tempDir(t, 'gemcaen-stuck-');
  const setup = 'STUCK';
  const file = writeConfig(
    dir,
    [settingsYaml(dir), setupYaml({ name: setup, mainframe: { address: sim.address, library: sim.libraryPath }, slot: 2, channels: [0, 1, 2], holdOffSeconds: 0.5, sink: { influx: { url: influx.url, database: db } } })].join('\n'),
  );
  t.after(() => sim.control.latency(0));
  // run 1: the database is down, so every scan waits in the spool; then every answer of the crate takes 60 s
  await influx.stop();
  const env = { CAENHV_SIM_TIMEOUT_MS: '60000' };
  const d1 = daemon(t, file, [setup], env);
  await until('4 scans spooled', async () => (await scansNow(d1, setup)) >= 4);
  await sim.control.latency(60_000);
  await stuckInACall(d1, setup);
  const t0 = Date.now();
  d1.child.kill('SIGTERM');
  const code = await Promise.race([d1.exited, sleep(30_000, 'still running' as const)]);
  const seconds = (Date.now() - t0) / 1000;
  assert.notEqual(code, 'still running', `the process did not end 30 s after SIGTERM:\n${d1.lines.slice(-15).join('\n')}`);
  assert.equal(code, 1, 'a forced exit is a failure (exit 1)');
  assert.ok(seconds < 13, `ended within the stop time-out and its watchdog (${seconds} s)`);
  assert.ok(d1.lines.some((l) => /stuck inside a CAEN library call/.test(l)), d1.lines.slice(-15).join('\n'));
  const produced1 = scans(d1, setup);
  console.log(`stuck worker: SIGTERM → exit ${code} after ${seconds.toFixed(1)} s; ${produced1} scans spooled`);
  // run 2: the crate answers again, the database is up: run 1's scans come from the spool
  await sim.control.latency(0);
  await influx.start();
  const run2At = Date.now();
  const d2 = daemon(t, file, [setup], env);
  await d2.waitFor(/replaying \d+ spooled lines/);
  await until('run 1 replayed', async () => {
    const s = await storedTimes(influx, db, setup).catch(() => new Map<string, number[]>());
    return s.size === 4 && [...s.values()].every((v) => v.filter((x) => x < run2At).length >= produced1);
  }, 20_000, 250);
  assert.equal(await d2.stop('SIGTERM'), 0);
});

test('a worker stuck inside a CAEN call: a second signal ends the process at once (exit 1), without waiting for the stop', { timeout: 60_000 }, async (t) => {
  const c = fileConfig(t, 'STUCK2');
  t.after(() => sim.control.latency(0));
  const d = daemon(t, c.file, ['STUCK2'], { CAENHV_SIM_TIMEOUT_MS: '60000' });
  await until('2 scans', async () => (await scansNow(d, 'STUCK2')) >= 2);
  await sim.control.latency(60_000);
  await stuckInACall(d, 'STUCK2');
  d.child.kill('SIGTERM');
  await d.waitFor(/SIGTERM received/);
  await sleep(500); // past the window in which the same signal counts once
  const t0 = Date.now();
  d.child.kill('SIGINT');
  const code = await Promise.race([d.exited, sleep(20_000, 'still running' as const)]);
  const seconds = (Date.now() - t0) / 1000;
  assert.notEqual(code, 'still running', d.lines.slice(-10).join('\n'));
  assert.equal(code, 1);
  assert.ok(seconds < 3, `ended ${seconds} s after the second signal, not after the stop's 10 s`);
  assert.ok(d.lines.some((l) => /SIGINT again: forcing the exit/.test(l)), 'the forced exit is logged');
  console.log(`stuck worker: second signal → exit ${code} after ${seconds.toFixed(2)} s`);
});

