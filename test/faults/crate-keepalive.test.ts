// Issue 7, crate side, end to end: the real daemon CLI with a simulated crate (file sink, so the stored
// timestamps do not depend on a database) that drops idle sessions while the daemon's HoldOffTime is
// longer than the crate's limit (case 4; case 3 is in crate.test.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { crateSetupYaml, daemon, figure, fileTimes, health, largestGap, scans, scansNow, settingsYaml, tempDir, TWO_CRATES_YAML, until, writeConfig } from './kit.js';


let sim: SimHandle;
before(async () => {
  sim = await startSim({ cratesYaml: TWO_CRATES_YAML });
});
after(async () => {
  await sim?.stop();
});

const crateSetup = (name: string, crate: 'a' | 'b', slot: number, data: string, holdOffSeconds: number, keepaliveSeconds?: number): string =>
  crateSetupYaml(sim, name, crate, slot, data, holdOffSeconds, keepaliveSeconds);

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
