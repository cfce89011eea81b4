// `gemcaen ieq` through the real CLI against the simulated crate: the stack table and JSON (Ieq = VMon / R
// per electrode, totals), `--set UA` refusals (no SetChParam) and an accepted set (V0Set = UA x R rounded
// to the board's Decimal on all seven, Pw untouched), and the GEM board and channel-name checks.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { DEFAULT_RESISTORS_MOHM, ELECTRODE_ALIASES, ELECTRODE_SUFFIXES } from '../../src/gem/index.js';
import { assertRefused, errorLines, gemCratesYaml, runCli, setChParamCalls, tempDir, writeConfig, type CliResult } from '../helpers/cli.js';

interface StackJson {
  setup: string;
  layer: number;
  board: string;
  electrodes: { channel: number; name: string; alias: string; suffix: string; resistorMOhm: number; VMon: number; Ieq: number; V0Set: number; Pw: number; StatusText: string }[];
  total: { VMon: number; V0Set: number; resistorMOhm: number; Ieq: number };
}

const R = (c: number): number => DEFAULT_RESISTORS_MOHM[ELECTRODE_SUFFIXES[c % 7] as keyof typeof DEFAULT_RESISTORS_MOHM];
const round1 = (v: number): number => Number(v.toFixed(1));

let sim: SimHandle;
let tmp: ReturnType<typeof tempDir>;
let config: string;

before(async () => {
  sim = await startSim({ seed: 11 });
  tmp = tempDir();
  config = writeConfig(tmp.dir, sim, {
    L1: { slot: 0, layer: 1 },
    L2: { slot: 0, layer: 2 },
    L2Capped: { slot: 0, layer: 2, extra: ['  MaxElectrodeVolts: 750'] },
    L1Custom: { slot: 0, layer: 1, extra: ['  DividerResistorsMOhm: { G0BOT: 1.0 }'] },
    Drift: { slot: 2, channels: [0, 1] },
  });
});

after(async () => {
  await sim?.stop();
  tmp?.cleanup();
});

beforeEach(async () => {
  await sim.control.resetCounters();
});

afterEach(async () => {
  assert.equal((await sim.control.counters()).openSessions, 0, 'no session left open');
});

const ieq = (args: string[], input?: string): Promise<CliResult> => runCli(['--config', config, 'ieq', ...args], input);

async function stack(setup: string): Promise<StackJson> {
  const r = await ieq([setup, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as StackJson;
}

describe('reading the stack', () => {
  test('one row per electrode: channel, name, alias, R, VMon, Ieq = VMon / R (not truncated), V0Set, Pw, status; totals', async () => {
    const s = await stack('L1');
    assert.equal(s.board, 'A1515TG');
    assert.equal(s.layer, 1);
    assert.deepEqual(s.electrodes.map((e) => e.channel), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(s.electrodes.map((e) => e.alias), [...ELECTRODE_ALIASES]);
    assert.deepEqual(s.electrodes.map((e) => e.name), ELECTRODE_SUFFIXES.map((x) => `GEM1_${x}`));
    for (const e of s.electrodes) {
      assert.equal(e.resistorMOhm, R(e.channel));
      assert.ok(e.VMon > 300, `VMon ${e.VMon}`);
      assert.equal(e.Ieq, Number((e.VMon / e.resistorMOhm).toFixed(1)));
      assert.equal(e.Pw, 1);
      assert.equal(e.StatusText, 'ON');
    }
    assert.ok(s.electrodes.some((e) => !Number.isInteger(e.Ieq)), 'Ieq keeps its decimals');
    const vsum = s.electrodes.reduce((a, e) => a + e.VMon, 0);
    const rsum = s.electrodes.reduce((a, e) => a + e.resistorMOhm, 0);
    assert.ok(Math.abs(s.total.VMon - vsum) < 1e-9);
    assert.equal(s.total.Ieq, Number((vsum / rsum).toFixed(1)));
    assert.ok(Math.abs(s.total.Ieq - 700) < 2, `the demo stack sits at about 700 uA: ${s.total.Ieq}`);
    const c = await sim.control.counters();
    assert.equal(c.calls.CAENHV_GetChParam, 5, 'VMon, IMon, V0Set, Pw, Status: one call each for the seven electrodes');
  });

  test('layer 2 is channels 7-13 with the same aliases', async () => {
    const s = await stack('L2');
    assert.deepEqual(s.electrodes.map((e) => e.channel), [7, 8, 9, 10, 11, 12, 13]);
    assert.deepEqual(s.electrodes.map((e) => e.alias), [...ELECTRODE_ALIASES]);
  });

  test('DividerResistorsMOhm overrides one resistor, the others keep the defaults', async () => {
    const s = await stack('L1Custom');
    assert.equal(s.electrodes[6]?.resistorMOhm, 1.0);
    assert.equal(s.electrodes[6]?.Ieq, s.electrodes[6]!.VMon / 1.0);
    assert.equal(s.electrodes[0]?.resistorMOhm, DEFAULT_RESISTORS_MOHM.G3BOT);
  });

  test('the table shows every electrode and the stack row', async () => {
    const r = await ieq(['L1']);
    assert.equal(r.code, 0, r.stderr);
    for (const a of ELECTRODE_ALIASES) assert.match(r.stdout, new RegExp(`│ ${a} `));
    assert.match(r.stdout, /│ +│ stack +│/);
  });

  test('a stack with a tripped electrode: the table still, then one line naming it, exit 1', async (t) => {
    // a crate of its own: the trip must not leak into the other tests
    const own = await startSim({ seed: 12 });
    t.after(() => own.stop());
    const dir = tempDir();
    t.after(dir.cleanup);
    const file = writeConfig(dir.dir, own, { L1: { slot: 0, layer: 1 } });
    await own.control.trip(0, 2);
    const r = await runCli(['--config', file, 'ieq', 'L1']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /│ G2Bot /, 'the stack is shown');
    const lines = errorLines(r);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] as string, /G2Bot \(channel 2\).*INTTRIP/);
    const healthy = await runCli(['--config', config, 'ieq', 'L1']);
    assert.equal(healthy.code, 0, 'a stack in no alarm exits 0');
  });

  test('a setup that is not GEM is refused', async () => {
    await assertRefused(sim, await ieq(['Drift']), /setup Drift is not a GEM setup/);
  });
});

describe('--set UA', () => {
  test('above SVMax (900 V): refused, naming the electrode and the limit', async () => {
    const line = await assertRefused(sim, await ieq(['L1', '--set', '850', '--yes']), /Drift \(ch 6 GEM1_G0BOT\): V0Set 956\.3 V is above the channel's SVMax 900/);
    assert.ok(line);
  });

  test('above Maxval (1000 V): refused', async () => {
    await assertRefused(sim, await ieq(['L1', '--set', '950', '--yes']), /Drift \(ch 6 GEM1_G0BOT\) at 950 uA: V0Set 1068\.8 V is above the board's maximum 1000 V/);
  });

  test('above MaxElectrodeVolts: refused', async () => {
    await assertRefused(sim, await ieq(['L2Capped', '--set', '700', '--yes']), /Drift \(ch 13 GEM2_G0BOT\): V0Set 787\.5 V is above MaxElectrodeVolts 750 V of setup L2Capped/);
  });

  test('a limit belongs to the channel: L2 (no limit of its own) shares its channels with L2Capped, whose limit holds', async () => {
    await assertRefused(
      sim,
      await ieq(['L2', '--set', '690', '--yes']),
      /Drift \(ch 13 GEM2_G0BOT\): V0Set 776\.3 V is above MaxElectrodeVolts 750 V of setup L2Capped, which shares this channel/,
    );
  });

  test('every electrode over a limit is named, one line each, not only the first', async () => {
    const r = await ieq(['L1', '--set', '1500', '--yes']);
    assert.equal(r.code, 2, r.stderr);
    const range = errorLines(r);
    assert.equal(range.length, 2, r.stderr);
    assert.match(range[0] as string, /G2Bot \(ch 2 GEM1_G2BOT\) at 1500 uA: V0Set 1312\.5 V is above the board's maximum 1000 V/);
    assert.match(range[1] as string, /Drift \(ch 6 GEM1_G0BOT\) at 1500 uA: V0Set 1687\.5 V is above the board's maximum/);
    const limits = await ieq(['L2Capped', '--set', '870', '--yes']);
    assert.equal(limits.code, 2, limits.stderr);
    const lines = errorLines(limits);
    assert.equal(lines.length, 2, limits.stderr);
    assert.match(lines[0] as string, /G2Bot \(ch 9 GEM2_G2BOT\): V0Set 761\.2 V is above MaxElectrodeVolts 750 V/);
    assert.match(lines[1] as string, /Drift \(ch 13 GEM2_G0BOT\): V0Set 978\.8 V is above the channel's SVMax 900/);
    assert.equal(await setChParamCalls(sim), 0, 'nothing written');
  });

  test('not a number, negative', async () => {
    await assertRefused(sim, await ieq(['L1', '--set', 'lots', '--yes']), /--set "lots": it is not a decimal number/);
    await assertRefused(sim, await ieq(['L1', '--set', '-1', '--yes']), /must be a decimal number of uA, 0 or more/);
  });

  test('decimal numbers only: hex, binary, octal and an underflow to 0 are refused (IEQ_INVALID), nothing written', async () => {
    for (const text of ['0x2bc', '0b1010111100', '0o1274', '1e-400', '7_00']) {
      await assertRefused(sim, await ieq(['L1', '--set', text, '--yes']), /--set ".*": it is (not a decimal number|too small: it would be sent as 0)/);
    }
  });

  test('no --yes without a terminal, and "n" at the prompt: nothing written', async () => {
    const r = await ieq(['L1', '--set', '650']);
    await assertRefused(sim, r, /add --yes: gemcaen ieq L1 --set 650 --yes/);
    assert.match(r.stdout, /total stack voltage: [\d.]+ V → 3053\.8 V/);
    await assertRefused(sim, await ieq(['L1', '--set', '650'], 'no\n'), /not applied/, 3);
  });

  test('accepted: V0Set = UA x R rounded to 0.1 V on all seven, read back; Pw untouched', async () => {
    await sim.control.setChannel(0, 10, 'Pw', 0); // one electrode off: --set must not switch it on
    await sim.control.resetCounters();
    const target = 655;
    const r = await ieq(['L2', '--set', String(target), '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Pw is not changed/);
    assert.match(r.stdout, /read back:/);
    const expected = [7, 8, 9, 10, 11, 12, 13].map((c) => round1(target * R(c)));
    assert.equal(await setChParamCalls(sim), new Set(expected).size, 'one SetChParam per distinct value');
    for (const [i, c] of [7, 8, 9, 10, 11, 12, 13].entries()) {
      const ch = await sim.control.getChannel(0, c);
      assert.equal(ch.params.V0Set, Math.fround(expected[i] as number), `channel ${c} (float32 on the wire)`);
      assert.equal(ch.params.Pw, c === 10 ? 0 : 1, `Pw of channel ${c} unchanged`);
    }
    const s = await stack('L2');
    assert.deepEqual(s.electrodes.map((e) => e.V0Set), expected);
    // the other layer was not touched
    const l1 = await stack('L1');
    assert.deepEqual(l1.electrodes.map((e) => e.V0Set), [438, 368, 612, 385, 307, 392, 788]);
    await sim.control.setChannel(0, 10, 'Pw', 1);
  });

  test('"y" at the prompt applies', async () => {
    const r = await ieq(['L1', '--set', '690'], 'y\n');
    assert.equal(r.code, 0, r.stderr);
    const s = await stack('L1');
    assert.deepEqual(s.electrodes.map((e) => e.V0Set), [0, 1, 2, 3, 4, 5, 6].map((c) => round1(690 * R(c))));
  });
});

describe('GEM board and channel names', () => {
  test('a GEM setup on a board that is not an A1515: one message naming the slot and the model', async () => {
    const other = await startSim({ cratesYaml: gemCratesYaml({ model: 'A1535' }) });
    const t = tempDir();
    try {
      const cfg = writeConfig(t.dir, other, { G: { slot: 0, layer: 1 } });
      for (const args of [['ieq', 'G'], ['ieq', 'G', '--set', '700', '--yes'], ['set', 'G', '--channel', '0', '--param', 'V0Set', '--value', '400', '--yes']]) {
        const r = await runCli(['--config', cfg, ...args]);
        assert.equal(r.code, 2, r.stderr);
        assert.deepEqual(errorLines(r), ['gemcaen: setup G: slot 0 holds a A1535, not an A1515: a GEM setup needs a triple-GEM board (fix BOARD.SLOT or isGEMDetector)']);
      }
      assert.equal((await other.control.counters()).calls.CAENHV_SetChParam ?? 0, 0);
    } finally {
      await other.stop();
      t.cleanup();
    }
  });

  test('a channel name without an electrode suffix: the names found and the suffixes expected', async () => {
    const other = await startSim({ cratesYaml: gemCratesYaml({ names: { 3: 'GEM1_TOPX' } }) });
    const t = tempDir();
    try {
      const cfg = writeConfig(t.dir, other, { G: { slot: 0, layer: 1 }, G2: { slot: 0, layer: 2 } });
      for (const args of [['ieq', 'G'], ['ieq', 'G', '--set', '700', '--yes'], ['set', 'G', '--channel', '0', '--param', 'V0Set', '--value', '400', '--yes']]) {
        const r = await runCli(['--config', cfg, ...args]);
        assert.equal(r.code, 2, r.stderr);
        const lines = errorLines(r);
        assert.equal(lines.length, 1);
        assert.match(lines[0] as string, /setup G: slot 0: channel 3 "GEM1_TOPX" has no electrode suffix/);
        assert.match(lines[0] as string, /names found: 0=GEM1_G3BOT, 1=GEM1_G3TOP, 2=GEM1_G2BOT, 3=GEM1_TOPX, 4=GEM1_G1BOT/);
        assert.match(lines[0] as string, /expected names ending in _G3BOT, _G3TOP, _G2BOT, _G2TOP, _G1BOT, _G1TOP, _G0BOT/);
      }
      assert.equal((await other.control.counters()).calls.CAENHV_SetChParam ?? 0, 0);
      // the other layer is fine
      const r = await runCli(['--config', cfg, 'ieq', 'G2', '--json']);
      assert.equal(r.code, 0, r.stderr);
    } finally {
      await other.stop();
      t.cleanup();
    }
  });
});
