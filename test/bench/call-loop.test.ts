// The floor bench part 5 sets under the daemon's CPU: scripts/profile/call-loop.c --paced makes exactly the
// daemon's calls of a benchmark crate (per round and crate: 16 slots × 6 GetChParam + 16 × 2 GetBdParam),
// one thread per crate, as the simulator counts them; and it stops with a non-zero exit naming the
// function and code when a crate does not answer or a call fails.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCallLoop, runPacedCalls, CallLoopError } from '../../scripts/profile/call-loop.js';
import { crateName, cratesYaml } from '../../scripts/bench/fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { randomLoopback, startSim, type SimHandle } from '../helpers/sim.js';

const tmp = makeTempDir('gemcaen-call-loop-test-');
const build = compileCallLoop(tmp.dir);
const skip = 'noCompiler' in build ? `${build.noCompiler}: the C program cannot be built` : false;
const binary = 'binary' in build ? build.binary : '';

let sim: SimHandle;
before(async () => {
  if (skip) return;
  sim = await startSim({ cratesYaml: cratesYaml(2), timeoutMs: 30_000 });
});
after(async () => {
  await sim?.stop();
  tmp.cleanup();
});

const LOGINFAILED = 0x1004;

test('paced: per round and crate 96 GetChParam and 32 GetBdParam at the crate, one thread per crate', { skip }, async () => {
  const addresses = [crateName(0), crateName(1)].map((c) => sim.crates[c]!);
  for (const c of [crateName(0), crateName(1)]) {
    await sim.control.latency(0, c);
    await sim.control.resetCounters(c);
  }
  const r = await runPacedCalls({ binary, library: sim.libraryPath, addresses, seconds: 0.1, periodMs: 50 });
  assert.equal(r.crates, 2);
  assert.equal(r.roundsPerCrate, 2);
  assert.equal(r.calls, 2 * 2 * 128);
  assert.ok(r.wallSeconds >= 0.1, `wall ${r.wallSeconds} s: two rounds of 50 ms, start to start`);
  assert.ok(r.cpuSeconds > 0 && r.cpuUsPerCall > 0 && r.corePercent > 0);
  for (const c of [crateName(0), crateName(1)]) {
    const counters = await sim.control.counters(c);
    assert.equal(counters.calls.CAENHV_GetChParam, 2 * 16 * 6, `${c} GetChParam`);
    assert.equal(counters.calls.CAENHV_GetBdParam, 2 * 16 * 2, `${c} GetBdParam`);
    assert.equal(counters.sessionsOpened, 1, `${c}: one login`);
    assert.equal(counters.openSessions, 0, `${c}: logged out at the end`);
  }
});

test('paced: a crate that does not answer ends the program with exit 1 and InitSystem LOGINFAILED', { skip }, async () => {
  const nobody = randomLoopback();
  await assert.rejects(runPacedCalls({ binary, library: sim.libraryPath, addresses: [sim.crates[crateName(0)]!, nobody], seconds: 0.05, periodMs: 50 }), (err: unknown) => {
    assert.ok(err instanceof CallLoopError);
    assert.equal(err.exitCode, 1);
    assert.match(err.stderr, new RegExp(`CAENHV_InitSystem ${nobody.replace(/\./g, '\\.')}: code ${LOGINFAILED}\\b`));
    return true;
  });
});

test('paced: a failing call ends the program with exit 1 naming the function, slot, parameter and code', { skip }, async () => {
  const crate = crateName(1);
  await sim.control.failNext(1, 3, 'CAENHV_GetBdParam', crate);
  await assert.rejects(runPacedCalls({ binary, library: sim.libraryPath, addresses: [sim.crates[crate]!], seconds: 0.05, periodMs: 50 }), (err: unknown) => {
    assert.ok(err instanceof CallLoopError);
    assert.equal(err.exitCode, 1);
    assert.match(err.stderr, new RegExp(`CAENHV_GetBdParam ${sim.crates[crate]!.replace(/\./g, '\\.')} slot 0 Temp: code 3\\b`));
    return true;
  });
});
