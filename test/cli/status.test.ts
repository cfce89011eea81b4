// `gemcaen status` through the real CLI (child process) against the simulated crate: wrapper calls per
// scan, decoded status words, Ieq, errors and exit codes, no session left open.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { electrodeSuffixOf, resistorOf, DEFAULT_RESISTORS_MOHM } from '../../src/gem/index.js';
import { CHSTATUS_BITS } from '../../src/caen/status-bits.js';
import type { StatusReport } from '../../src/cli/status.js';
import { assertSessionsLoggedOut, runCli, stderrLines, tempDir, writeConfig } from '../helpers/cli.js';

let sim: SimHandle;
let tmp: ReturnType<typeof tempDir>;
let config: string;

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

before(async () => {
  sim = await startSim({ seed: 5 });
  tmp = tempDir();
  config = writeConfig(tmp.dir, sim, {
    // 36 channels x 6 channel parameters (+ Temp, a board parameter)
    Wide: { monitorables: ['VMon', 'IMon', 'V0Set', 'I0Set', 'Status', 'Pw', 'Temp'], slot: 5, channels: range(0, 35) },
    Drift: { monitorables: ['VMon', 'IMon', 'Status', 'Pw'], slot: 2, channels: [0, 1, 2, 3] },
    Gem: { monitorables: ['IMon', 'Ieq', 'Status'], slot: 0, layer: 1 },
    EmptySlot: { monitorables: ['VMon'], slot: 3, channels: [0] },
    TooFar: { monitorables: ['VMon'], slot: 0, channels: [12, 13, 14, 15] },
    Typo: { monitorables: ['VMon', 'IMOn', 'Tmp'], slot: 2, channels: [0] },
  });
});

after(async () => {
  await sim?.stop();
  tmp?.cleanup();
});

afterEach(() => assertSessionsLoggedOut(sim));

async function status(setup: string): Promise<StatusReport> {
  const r = await runCli(['--config', config, 'status', setup, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as StatusReport;
}

describe('cost', () => {
  test('36 channels x 6 parameters cost 6 GetChParam calls, not 216; metadata counted apart', async () => {
    await sim.control.resetCounters();
    const report = await status('Wide');
    const c = await sim.control.counters();
    assert.equal(c.calls.CAENHV_GetChParam, 6);
    assert.equal(c.calls.CAENHV_GetChName, 1, 'channel names in one call');
    assert.equal(c.calls.CAENHV_GetBdParam, 2, 'Temp and BdStatus, one call each');
    assert.equal(c.calls.CAENHV_TestBdPresence, 1);
    assert.equal(c.calls.CAENHV_GetChParamInfo, 1);
    assert.equal(c.calls.CAENHV_InitSystem, 1);
    assert.equal(c.calls.CAENHV_DeinitSystem, 1);
    assert.equal(c.sessionsOpened, 1);
    assert.equal(report.channels.length, 36);
    assert.deepEqual(report.columns.map((col) => col.name), ['VMon', 'IMon', 'V0Set', 'I0Set', 'Status', 'Pw']);
    for (const ch of report.channels) assert.deepEqual(Object.keys(ch.values), ['VMon', 'IMon', 'V0Set', 'I0Set', 'Status', 'Pw']);
    assert.equal(report.channels[18]?.name, 'LV_CH18');
    assert.equal(report.channels[18]?.values.V0Set, 120);
    assert.equal(typeof report.board.values.Temp, 'number');
    assert.deepEqual(report.board.decoded.BdStatus, []);
  });

  test('a GEM layer with Ieq reads VMon for it: 3 GetChParam (IMon, VMon, Status), Ieq = VMon / R by name suffix', async () => {
    await sim.control.resetCounters();
    const report = await status('Gem');
    const c = await sim.control.counters();
    assert.equal(c.calls.CAENHV_GetChParam, 3);
    assert.deepEqual(report.columns.map((col) => col.name), ['IMon', 'VMon', 'Status', 'Ieq']);
    assert.equal(report.channels.length, 7);
    for (const ch of report.channels) {
      const suffix = electrodeSuffixOf(ch.name);
      assert.ok(suffix, `channel ${ch.channel} ${ch.name} has an electrode suffix`);
      const r = resistorOf(suffix, DEFAULT_RESISTORS_MOHM) as number;
      const vmon = ch.values.VMon as number;
      assert.ok(vmon > 100, `channel ${ch.channel} is on (VMon ${vmon})`);
      assert.equal(ch.values.Ieq, Number((vmon / r).toFixed(1)), `Ieq of ${ch.name}: VMon / R to one decimal`);
    }
  });
});

describe('decoded status', () => {
  test('a trip caused through the control API shows as INTTRIP with Pw Off; the other channels stay ON/On', async () => {
    await sim.control.trip(2, 1);
    const state = await sim.control.getChannel(2, 1);
    const report = await status('Drift');
    const tripped = report.channels.find((c) => c.channel === 1)!;
    assert.equal(tripped.values.Status, state.params.Status);
    const expected = CHSTATUS_BITS.filter((b) => ((state.params.Status as number) >>> b.bit) & 1).map((b) => b.name);
    assert.deepEqual(tripped.decoded.Status, expected);
    assert.ok((tripped.decoded.Status as string[]).includes('INTTRIP'));
    assert.equal(tripped.decoded.Pw, 'Off');
    assert.equal(tripped.values.Pw, 0);
    assert.equal(tripped.alarm, true);
    for (const ch of report.channels.filter((c) => c.channel !== 1)) {
      assert.deepEqual(ch.decoded.Status, ['ON'], `channel ${ch.channel}`);
      assert.equal(ch.decoded.Pw, 'On');
      assert.equal(ch.alarm, false);
    }
  });

  test('the table names the alarm and prints Status words and On/Off', async () => {
    const r = await runCli(['--config', config, 'status', 'Drift']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Drift: SY4527 ${sim.address.replace(/\./g, '\\.')}, slot 2 A1535`));
    assert.match(r.stdout, /VMon \[V\].*IMon \[uA\].*Status.*Pw/);
    assert.match(r.stdout, /│ 1 +│ DRIFT1 +│.*INTTRIP.*│ Off +│/);
    assert.match(r.stdout, /1 channel in alarm: 1 \(.*INTTRIP.*\)/);
    // recover for later tests: Pw On clears the trip
    await sim.control.setChannel(2, 1, 'Pw', 1);
  });
});

describe('errors', () => {
  test('unknown setup: exit 2, the message lists the setups', async () => {
    const r = await runCli(['--config', config, 'status', 'Nope']);
    assert.equal(r.code, 2);
    assert.deepEqual(stderrLines(r), [`gemcaen: unknown setup Nope in ${config}; setups: Wide, Drift, Gem, EmptySlot, TooFar, Typo`]);
  });

  test('empty slot: exit 2 naming the slot and the boards present', async () => {
    const r = await runCli(['--config', config, 'status', 'EmptySlot']);
    assert.equal(r.code, 2);
    const lines = stderrLines(r);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /slot 3 .*holds no board; boards present: slot 0 A1515TG, slot 2 A1535, slot 5 A1536/);
  });

  test('channel beyond the board: exit 2 naming the channels and the board range', async () => {
    const r = await runCli(['--config', config, 'status', 'TooFar']);
    assert.equal(r.code, 2);
    assert.deepEqual(stderrLines(r), ['gemcaen: setup TooFar: channels 14 15 not on the A1515TG in slot 0, which has channels 0-13; fix BOARD.CHANNELS']);
  });

  test('unknown monitorables: exit 2 naming them, the setup and the parameters the board has; no GetChParam made', async () => {
    await sim.control.resetCounters();
    const r = await runCli(['--config', config, 'status', 'Typo']);
    assert.equal(r.code, 2);
    const lines = stderrLines(r);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /setup Typo: the A1535 in slot 2 has no parameter IMOn, Tmp; its channel parameters: V0Set .*VMon IMon Status Pw/);
    assert.match(lines[0]!, /board parameters: BdStatus HVMax Temp/);
    assert.equal((await sim.control.counters()).calls.CAENHV_GetChParam ?? 0, 0);
  });

  test('a negative result (the power supply) is reported with its number and GetError text: exit 1', async () => {
    await sim.control.failNext(1, -3, 'GetChParam');
    const r = await runCli(['--config', config, 'status', 'Drift']);
    assert.equal(r.code, 1);
    const lines = stderrLines(r);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /CAENHV_GetChParam failed: Mainframe error -3 \(injected by the simulator\) \(power-supply error -3\)/);
  });

  test('an unknown result code is reported with its number and GetError text: exit 1', async () => {
    await sim.control.failNext(1, 777, 'GetChParam');
    const r = await runCli(['--config', config, 'status', 'Drift']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /CAENHV_GetChParam failed: Simulated failure 777 \(injected by the simulator\) \(unknown result 777\)/);
  });
});
