// Issue 7, crate side, end to end: the real daemon CLI with two simulated crates (file sink, so the
// stored timestamps do not depend on a database): a crate taken down and up 10 times (case 3; case 4,
// the crate that drops idle sessions, is in crate-keepalive.test.ts so that the two run side by side).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { crateSetupYaml, daemon, figure, fileTimes, health, largestGap, scansNow, settingsYaml, tempDir, TWO_CRATES_YAML, until, writeConfig } from './kit.js';

const CYCLES = 10;
const HOLD_OFF = 0.5;

let sim: SimHandle;
before(async () => {
  sim = await startSim({ cratesYaml: TWO_CRATES_YAML });
});
after(async () => {
  await sim?.stop();
});

const crateSetup = (name: string, crate: 'a' | 'b', slot: number, data: string, holdOffSeconds: number, keepaliveSeconds?: number): string =>
  crateSetupYaml(sim, name, crate, slot, data, holdOffSeconds, keepaliveSeconds);

test(`fault 3: crate down and up ${CYCLES} times: a reconnect each time, no session leaked, the other crate unaffected`, { timeout: 150_000 }, async (t) => {
  const dir = tempDir(t, 'gemcaen-fault-');
  const data = join(dir, 'data');
  const file = writeConfig(dir, [settingsYaml(dir), crateSetup('RA', 'a', 2, data, HOLD_OFF), crateSetup('RB', 'b', 3, data, HOLD_OFF)].join('\n'));
  await sim.control.resetCounters('a');
  await sim.control.resetCounters('b');
  const d = daemon(t, file, ['RA', 'RB']);
  t.after(() => sim.control.crateOn('a'));
  await until('both setups scanning', async () => (await scansNow(d, 'RA')) >= 2 && (await scansNow(d, 'RB')) >= 2);
  const aId = sim.crates.a.toLowerCase();
  const stateOfA = async () => (await health(d))?.crates.find((c) => c.id === aId)?.state;

  const startedMs = Date.now();
  let reconnects = 0;
  let maxOpenWhileRunning = 0;
  for (let i = 1; i <= CYCLES; i++) {
    const before = await sim.control.counters('a');
    await sim.control.crateOff('a');
    await until(`cycle ${i}: the daemon to see crate a down`, async () => (await stateOfA()) === 'backoff');
    await sleep(300 + 100 * i); // outages of different lengths
    await sim.control.crateOn('a');
    const scansBefore = await scansNow(d, 'RA');
    await until(`cycle ${i}: crate a logged in again and scanning`, async () => {
      const c = await sim.control.counters('a');
      return c.sessionsOpened === before.sessionsOpened + 1 && (await stateOfA()) === 'connected' && (await scansNow(d, 'RA')) > scansBefore;
    });
    const c = await sim.control.counters('a');
    maxOpenWhileRunning = Math.max(maxOpenWhileRunning, c.openSessions);
    assert.equal(c.openSessions, 1, `cycle ${i}: one open session on crate a`);
    reconnects++;
  }
  const endMs = Date.now();
  await until('crate a logged after the last outage', () => fileTimes(data, 'RA', 0).some((x) => x > endMs));
  const ca = await sim.control.counters('a');
  const cb = await sim.control.counters('b');
  const connectedLines = d.lines.filter((l) => l.includes(`connected to SY4527 at ${sim.crates.a}`)).length;
  const rbTimes = fileTimes(data, 'RB', 0).filter((x) => x >= startedMs && x <= endMs);
  const rbGap = largestGap(rbTimes);
  const raAfter = fileTimes(data, 'RA', 0).filter((x) => x > endMs).length;

  assert.equal(await d.stop('SIGTERM'), 0);
  const openAfterA = (await sim.control.counters('a')).openSessions;
  const openAfterB = (await sim.control.counters('b')).openSessions;
  figure(
    3,
    `crate down and up ${CYCLES} times: ${reconnects} reconnects (sessions opened on crate a: ${ca.sessionsOpened}, "connected" log lines: ${connectedLines}), ` +
      `open sessions while running ${maxOpenWhileRunning}, after SIGTERM ${openAfterA}; other crate: ${cb.sessionsOpened} session, ` +
      `${rbTimes.length} scans stored during the ${((endMs - startedMs) / 1000).toFixed(1)} s of outages, largest gap ${rbGap} ms (HoldOffTime ${HOLD_OFF * 1000} ms)`,
  );
  assert.equal(ca.sessionsOpened, CYCLES + 1, 'the first login and one per outage, no more');
  assert.equal(connectedLines, CYCLES + 1);
  assert.equal(ca.openSessions, 1);
  assert.equal(openAfterA, 0, 'no session left on crate a after SIGTERM');
  assert.equal(openAfterB, 0, 'no session left on crate b after SIGTERM');
  assert.equal(cb.sessionsOpened, 1, 'crate b was never reconnected');
  assert.ok(rbTimes.length >= ((endMs - startedMs) / (HOLD_OFF * 1000)) * 0.9, `crate b kept its cadence (${rbTimes.length} scans)`);
  assert.ok(rbGap <= 2 * HOLD_OFF * 1000, `crate b's largest gap ${rbGap} ms is within 2 × HoldOffTime`);
  assert.ok(raAfter > 0, 'crate a is logged again after the last outage');
});
