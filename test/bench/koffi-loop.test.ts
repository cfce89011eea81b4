// The floor of the design bench part 5 sets under the daemon's CPU: scripts/profile/koffi-loop.ts makes
// exactly the daemon's calls of a benchmark crate (per round and crate: 16 slots × 6 GetChParam + 16 × 2
// GetBdParam) through the binding's koffi functions, one node worker thread per crate, as the simulator
// counts them; and it stops with a non-zero exit naming the function and code when a call fails.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CallLoopError } from '../../scripts/profile/call-loop.js';
import { runPacedKoffi } from '../../scripts/profile/koffi-loop.js';
import { crateName, cratesYaml } from '../../scripts/bench/fixtures.js';
import { randomLoopback, startSim, type SimHandle } from '../helpers/sim.js';

let sim: SimHandle;
before(async () => {
  sim = await startSim({ cratesYaml: cratesYaml(2), timeoutMs: 30_000 });
});
after(async () => {
  await sim?.stop();
});

const LOGINFAILED = 0x1004;

test('paced through koffi: per round and crate 96 GetChParam and 32 GetBdParam at the crate, warm-up rounds too, one login per crate', async () => {
  const crates = [crateName(0), crateName(1)];
  for (const c of crates) {
    await sim.control.latency(0, c);
    await sim.control.resetCounters(c);
  }
  // one warm-up round and two measured ones of 50 ms
  const r = await runPacedKoffi({ library: sim.libraryPath, addresses: crates.map((c) => sim.crates[c]!), seconds: 0.1, periodMs: 50, warmupSeconds: 0.05 });
  assert.equal(r.crates, 2);
  assert.equal(r.roundsPerCrate, 2);
  assert.equal(r.calls, 2 * 2 * 128, 'the measured rounds only');
  assert.ok(r.cpuSeconds > 0 && r.cpuUsPerCall > 0 && r.corePercent > 0);
  for (const c of crates) {
    const counters = await sim.control.counters(c);
    assert.equal(counters.calls.CAENHV_GetChParam, 3 * 16 * 6, `${c} GetChParam`);
    assert.equal(counters.calls.CAENHV_GetBdParam, 3 * 16 * 2, `${c} GetBdParam`);
    assert.equal(counters.sessionsOpened, 1, `${c}: one login`);
    assert.equal(counters.openSessions, 0, `${c}: logged out at the end`);
  }
});

test('paced through koffi: a crate that does not answer ends the program with exit 1 and InitSystem LOGINFAILED', async () => {
  const nobody = randomLoopback();
  await assert.rejects(runPacedKoffi({ library: sim.libraryPath, addresses: [sim.crates[crateName(0)]!, nobody], seconds: 0.05, periodMs: 50, warmupSeconds: 0 }), (err: unknown) => {
    assert.ok(err instanceof CallLoopError);
    assert.equal(err.exitCode, 1);
    assert.match(err.stderr, new RegExp(`CAENHV_InitSystem ${nobody.replace(/\./g, '\\.')}: code ${LOGINFAILED}\\b`));
    return true;
  });
});

test('paced through koffi: a failing call ends the program with exit 1 naming the function, slot, parameter and code', async () => {
  const crate = crateName(1);
  await sim.control.failNext(1, 3, 'CAENHV_GetBdParam', crate);
  await assert.rejects(runPacedKoffi({ library: sim.libraryPath, addresses: [sim.crates[crate]!], seconds: 0.05, periodMs: 50, warmupSeconds: 0 }), (err: unknown) => {
    assert.ok(err instanceof CallLoopError);
    assert.equal(err.exitCode, 1);
    assert.match(err.stderr, new RegExp(`CAENHV_GetBdParam ${sim.crates[crate]!.replace(/\./g, '\\.')} slot 0 Temp: code 3\\b`));
    return true;
  });
});
