// `gemcaen crate` through the real CLI against the simulated crate: the crate map and system properties
// match the simulator's default crate; connection and credential failures are one line.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomLoopback, startSim, type SimHandle } from '../helpers/sim.js';
import { defaultCrate } from '../../sim/mainframe/crate-spec.js';
import { BoardModels } from '../../sim/mainframe/catalog.js';
import type { CrateReport } from '../../src/cli/crate.js';
import { assertSessionsLoggedOut, runCli, stderrLines, tempDir, writeConfig } from '../helpers/cli.js';

let sim: SimHandle;
let tmp: ReturnType<typeof tempDir>;
let config: string;

before(async () => {
  sim = await startSim({ seed: 2 });
  tmp = tempDir();
  config = writeConfig(tmp.dir, sim, {
    Drift: { monitorables: ['VMon'], slot: 2, channels: [0, 1] },
    Gem: { monitorables: ['VMon'], slot: 0, layer: 2 },
    // the crate command does not check the slot: it is how one finds the right one
    Wrong: { monitorables: ['VMon'], slot: 7, channels: [0] },
  });
});

after(async () => {
  await sim?.stop();
  tmp?.cleanup();
});

afterEach(() => assertSessionsLoggedOut(sim));

/** The crate map the simulator's default crate must show, derived from its spec and board catalog. */
function expectedSlots(): { slot: number; model: string; description: string; channels: number; serial: number; firmware: string }[] {
  const spec = defaultCrate();
  return Object.entries(spec.slots)
    .map(([slot, b]) => {
      const m = BoardModels[b.model]!;
      return {
        slot: Number(slot),
        model: m.model,
        description: m.description.trim(),
        channels: m.channels,
        serial: b.serial ?? 0,
        firmware: `${m.fmwMax}.${String(m.fmwMin).padStart(2, '0')}`,
      };
    })
    .sort((a, b) => a.slot - b.slot);
}

describe('crate map', () => {
  test('--json: boards and system properties of the default crate, with the setups using each slot', async () => {
    const r = await runCli(['--config', config, 'crate', 'Drift', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const report = JSON.parse(r.stdout) as CrateReport;
    assert.deepEqual(
      report.slots.map(({ setups: _setups, ...b }) => b),
      expectedSlots(),
    );
    assert.deepEqual(Object.fromEntries(report.slots.map((b) => [b.slot, b.setups])), { 0: ['Gem'], 2: ['Drift'], 5: [] });
    const spec = defaultCrate();
    assert.equal(report.systemProperties.ModelName, spec.modelName);
    assert.equal(report.systemProperties.SwRelease, spec.swRelease);
    assert.equal(report.systemProperties.SymbolicName, spec.name);
    assert.equal(typeof report.systemProperties.GenSignCfg, 'number');
    assert.deepEqual(report.mainframe, { address: sim.address, systemType: 'SY4527', linkType: 'TCPIP' });
    assert.equal(report.library.release, '6.1');
  });

  test('tables: one row per board, then the system properties; costs one GetCrateMap', async () => {
    await sim.control.resetCounters();
    const r = await runCli(['--config', config, 'crate', 'Gem']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await sim.control.counters()).calls.CAENHV_GetCrateMap, 1);
    assert.match(r.stdout, new RegExp(`^SY4527 at ${sim.address.replace(/\./g, '\\.')} over TCPIP .*: 3 boards\n`));
    assert.match(r.stdout, /│ slot │ model +│ description +│ channels │ serial │ firmware │ setups +│/);
    for (const b of expectedSlots()) {
      assert.match(r.stdout, new RegExp(`│ ${b.slot} +│ ${b.model} +│ ${b.description.replace(/[./]/g, '\\$&')} +│ ${b.channels} +│ ${b.serial} +│ ${b.firmware.replace('.', '\\.')} +│`));
    }
    assert.match(r.stdout, /system properties:\n/);
    assert.match(r.stdout, /│ ModelName +│ SY4527 +│/);
  });

  test('a setup whose slot is empty still shows the crate (that is how to find the right slot)', async () => {
    const r = await runCli(['--config', config, 'crate', 'Wrong', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as CrateReport).slots.length, 3);
  });
});

describe('failures', () => {
  test('unknown setup: exit 2 listing the setups', async () => {
    const r = await runCli(['--config', config, 'crate', 'Nope']);
    assert.equal(r.code, 2);
    assert.deepEqual(stderrLines(r), [`gemcaen: unknown setup Nope in ${config}; setups: Drift, Gem, Wrong`]);
  });

  test('unreachable crate (nothing on TCP 2527): exit 1, one line naming the address and what to check', async () => {
    const address = randomLoopback();
    const file = writeConfig(tmp.dir, sim, { Away: { monitorables: ['VMon'], slot: 2, channels: [0], address } }, { file: 'away.yml' });
    const r = await runCli(['--config', file, 'crate', 'Away']);
    assert.equal(r.code, 1);
    const lines = stderrLines(r);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, new RegExp(`^gemcaen: no answer from the crate at ${address.replace(/\./g, '\\.')} \\(TCP 2527\\): is it on and reachable\\? \\(SY4527, InitSystem LOGINFAILED 0x1004\\) Check CAENHV_BOARD_ADDRESS`));
    assert.match(lines[0]!, /gemcaen sim/);
    assert.equal(r.stdout, '');
  });

  test('crate switched off: the same one line, exit 1', async () => {
    await sim.control.crateOff();
    try {
      const r = await runCli(['--config', config, 'status', 'Drift']);
      assert.equal(r.code, 1);
      assert.match(stderrLines(r)[0]!, new RegExp(`^gemcaen: no answer from the crate at ${sim.address.replace(/\./g, '\\.')} \\(TCP 2527\\)`));
    } finally {
      await sim.control.crateOn();
    }
  });

  test('crate answering on TCP 2527 but closing the login (CFE server down): refused login, exit 2, naming both causes', async () => {
    await sim.control.crateDown();
    try {
      const r = await runCli(['--config', config, 'status', 'Drift']);
      assert.equal(r.code, 2);
      const lines = stderrLines(r);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /answers on TCP 2527 but refused the login .*USERPASSFAILED 0x1007.*CAENHV_PASSWORD.*still booting/);
    } finally {
      await sim.control.crateUp();
    }
  });

  test('wrong password: exit 2, one line naming CAENHV_USER/CAENHV_PASSWORD, never the password', async () => {
    const password = 'Wr0ng-S3cret-pw';
    const file = writeConfig(tmp.dir, sim, { Locked: { monitorables: ['VMon'], slot: 2, channels: [0], password } }, { file: 'locked.yml' });
    const r = await runCli(['--config', file, 'crate', 'Locked']);
    assert.equal(r.code, 2);
    const lines = stderrLines(r);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /refused the login of user admin \(USERPASSFAILED 0x1007: .*\): check CAENHV_USER and CAENHV_PASSWORD/);
    assert.match(lines[0]!, /or wait if the crate is still booting/);
    assert.ok(!r.stderr.includes(password) && !r.stdout.includes(password), 'the password is not printed');
  });
});
