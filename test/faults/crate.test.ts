// Issue 7, crate side, end to end: the real daemon CLI with two simulated crates (file sink, so the
// stored timestamps do not depend on a database): a crate taken down and up 10 times, and a crate that
// drops idle sessions while the daemon's HoldOffTime is longer than the crate's limit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { daemon, figure, fileTimes, health, largestGap, scans, scansNow, settingsYaml, setupYaml, tempDir, until, writeConfig } from './kit.js';

const CRATES = `
crates:
  - name: a
    system: SY4527
    slots:
      2: { model: A1535, channels: { 0: { name: A_CH0, V0Set: 100, Pw: On }, 1: { name: A_CH1, V0Set: 150, Pw: On } } }
  - name: b
    system: SY4527
    slots:
      3: { model: A1535, channels: { 0: { name: B_CH0, V0Set: 200, Pw: On }, 1: { name: B_CH1, V0Set: 250, Pw: On } } }
`;
const CYCLES = 10;
const HOLD_OFF = 0.5;

let sim: SimHandle;
before(async () => {
  sim = await startSim({ cratesYaml: CRATES });
});
after(async () => {
  await sim?.stop();
});

function crateSetup(name: string, crate: 'a' | 'b', slot: number, data: string, holdOffSeconds: number, keepaliveSeconds?: number): string {
  const mainframe = { address: sim.crates[crate], library: sim.libraryPath, ...(keepaliveSeconds !== undefined ? { keepaliveSeconds } : {}) };
  return setupYaml({ name, mainframe, slot, channels: [0, 1], holdOffSeconds, sink: { file: data } });
}

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

test('fault 4: a crate that drops idle sessions, HoldOffTime longer than its limit: the keepalive keeps the session, no gap, no reconnect', { timeout: 90_000 }, async (t) => {
  const IDLE_DROP = 1.5;
  const LONG_HOLD_OFF = 3;
  /** scans of the run: four 3 s pauses, each far longer than the crate's idle limit */
  const RUN_SCANS = 5;
  await sim.control.idleDrop(IDLE_DROP, 'a');
  t.after(() => sim.control.idleDrop(null, 'a'));

  // control run: the keepalive slower than the crate's limit: the crate drops the session (the fault is real)
  const dir0 = tempDir(t, 'gemcaen-fault-');
  await sim.control.resetCounters('a');
  const d0 = daemon(t, writeConfig(dir0, [settingsYaml(dir0), crateSetup('KX', 'a', 2, join(dir0, 'data'), LONG_HOLD_OFF, 10)].join('\n')), ['KX']);
  await until('the control run scanning', async () => (await scansNow(d0, 'KX')) >= 1);
  await until('the crate dropping the idle session of the control run', async () => (await sim.control.counters('a')).sessionsDropped >= 1, 3 * LONG_HOLD_OFF * 1000);
  assert.equal(await d0.stop('SIGTERM'), 0);
  const dropsWithout = (await sim.control.counters('a')).sessionsDropped;

  // the run: KEEPALIVE_SECONDS below the crate's limit
  const dir = tempDir(t, 'gemcaen-fault-');
  const data = join(dir, 'data');
  await sim.control.resetCounters('a');
  const d = daemon(t, writeConfig(dir, [settingsYaml(dir), crateSetup('KA', 'a', 2, data, LONG_HOLD_OFF, 1)].join('\n')), ['KA']);
  await until(`${RUN_SCANS} scans`, async () => (await scansNow(d, 'KA')) >= RUN_SCANS, (RUN_SCANS + 2) * LONG_HOLD_OFF * 1000);
  const c = await sim.control.counters('a');
  const h = await health(d);
  assert.equal(await d.stop('SIGTERM'), 0);
  const produced = scans(d, 'KA');
  const times = fileTimes(data, 'KA', 0);
  const gap = largestGap(times);
  figure(
    4,
    `crate drops sessions idle ${IDLE_DROP} s, HoldOffTime ${LONG_HOLD_OFF} s, KEEPALIVE_SECONDS 1: ${produced} scans, ${times.length} stored, ` +
      `largest gap ${gap} ms, ${c.sessionsOpened} session, ${c.sessionsDropped} drops, ${c.calls.CAENHV_GetSysPropList ?? 0} keepalive calls ` +
      `(control run with KEEPALIVE_SECONDS 10: ${dropsWithout} drops)`,
  );
  assert.ok(dropsWithout >= 1, 'without a fast enough keepalive the crate drops the idle session');
  assert.equal(c.sessionsDropped, 0, 'no idle drop');
  assert.equal(c.sessionsOpened, 1, 'no reconnect');
  assert.equal(h?.crates[0]?.restarts, 0);
  assert.equal(times.length, produced, 'every scan stored');
  assert.ok(gap <= LONG_HOLD_OFF * 1000 + 250, `largest gap ${gap} ms`);
  // at least one keepalive in each 3 s pause between two scans (two when the timers fall well; the session
  // surviving a 1.5 s idle limit, asserted above, is what counts)
  assert.ok((c.calls.CAENHV_GetSysPropList ?? 0) >= produced - 1, `keepalive calls between the scans: ${c.calls.CAENHV_GetSysPropList ?? 0}`);
});
