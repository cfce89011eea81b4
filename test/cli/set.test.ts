// `gemcaen set` through the real CLI against the simulated crate: every refusal is one line, exit 2
// (3 when declined), and sends no SetChParam; an accepted set is one SetChParam, changes the crate
// and reports the read-back; Pw on/off; no session is left open.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { assertRefused, runCli, setChParamCalls, tempDir, writeConfig, type CliResult } from '../helpers/cli.js';

let sim: SimHandle;
let tmp: ReturnType<typeof tempDir>;
let config: string;

before(async () => {
  sim = await startSim({ seed: 7 });
  tmp = tempDir();
  config = writeConfig(tmp.dir, sim, {
    Drift: { slot: 2, channels: [0, 1, 2, 3] },
    Spare: { slot: 2, channels: [10, 11] },
    Gem: { slot: 0, layer: 1 },
    GemCapped: { slot: 0, layer: 2, extra: ['  MaxElectrodeVolts: 850'] },
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
  const c = await sim.control.counters();
  assert.equal(c.openSessions, 0, 'no session left open');
});

const set = (args: string[], input?: string): Promise<CliResult> => runCli(['--config', config, 'set', ...args], input);

describe('refusals (nothing written)', () => {
  test('a channel text that is no number', async () => {
    await assertRefused(sim, await set(['Drift', '--channel', 'x1', '--param', 'V0Set', '--value', '100', '--yes']), /--channel "x1": "x1" is not a channel number/);
  });

  test('a channel that is not in the setup lists the setup channels', async () => {
    const line = await assertRefused(sim, await set(['Drift', '--channel', '1,5', '--param', 'V0Set', '--value', '100', '--yes']), /channel 5 is not in setup Drift/);
    assert.match(line, /its channels are 0-3/);
  });

  test('an unknown parameter lists the board parameters', async () => {
    const line = await assertRefused(sim, await set(['Drift', '--channel', '0', '--param', 'VSet', '--value', '100', '--yes']), /has no channel parameter VSet/);
    assert.match(line, /A1535 in slot 2/);
    for (const p of ['V0Set', 'I0Set', 'RUp', 'Pw', 'SVMax']) assert.ok(line.includes(p), p);
  });

  test('a parameter in the wrong case gets a suggestion', async () => {
    await assertRefused(sim, await set(['Drift', '--channel', '0', '--param', 'v0set', '--value', '100', '--yes']), /no channel parameter v0set \(did you mean V0Set\?\)/);
  });

  test('a read-only parameter (VMon)', async () => {
    await assertRefused(sim, await set(['Drift', '--channel', '0', '--param', 'VMon', '--value', '100', '--yes']), /VMon is read-only/);
  });

  test('a value that is not a number', async () => {
    await assertRefused(sim, await set(['Drift', '--channel', '0', '--param', 'V0Set', '--value', '12O0', '--yes']), /"12O0" is not a number/);
    await assertRefused(sim, await set(['Drift', '--channel', '0', '--param', 'V0Set', '--value', 'Infinity', '--yes']), /"Infinity" is not a number/);
  });

  test('an on/off parameter given something else', async () => {
    await assertRefused(sim, await set(['Drift', '--channel', '0', '--param', 'Pw', '--value', 'maybe', '--yes']), /"maybe" is not an on\/off value; use one of on\/off\/1\/0/);
  });

  test('a BINARY parameter is refused with its type', async () => {
    await assertRefused(sim, await set(['Drift', '--channel', '0', '--param', 'TripInt', '--value', '1', '--yes']), /TripInt .* is of type BINARY/);
  });

  test('below Minval', async () => {
    await assertRefused(sim, await set(['Drift', '--channel', '0', '--param', 'V0Set', '--value', '-5', '--yes']), /V0Set -5 V is below the board's minimum 0 V/);
  });

  test('above Maxval', async () => {
    await assertRefused(sim, await set(['Drift', '--channel', '0', '--param', 'V0Set', '--value', '3600', '--yes']), /V0Set 3600 V is above the board's maximum 3500 V/);
  });

  test('above the SVMax of one of the channels, naming that channel', async () => {
    await sim.control.setChannel(2, 1, 'SVMax', 1800);
    await sim.control.resetCounters();
    try {
      const line = await assertRefused(sim, await set(['Drift', '--channel', '0,1', '--param', 'V0Set', '--value', '1900', '--yes']), /ch 1 DRIFT1: V0Set 1900 V is above the channel's SVMax 1800/);
      assert.doesNotMatch(line, /ch 0/);
    } finally {
      await sim.control.setChannel(2, 1, 'SVMax', 3500);
    }
  });

  test('GEM: above SVMax (900 V on the A1515TG), naming the electrode', async () => {
    await assertRefused(sim, await set(['Gem', '--channel', '6', '--param', 'V0Set', '--value', '950', '--yes']), /Drift \(ch 6 GEM1_G0BOT\): V0Set 950 V is above the channel's SVMax 900/);
  });

  test('GEM: above MaxElectrodeVolts of the setup', async () => {
    await assertRefused(sim, 
      await set(['GemCapped', '--channel', '13', '--param', 'V0Set', '--value', '870', '--yes']),
      /Drift \(ch 13 GEM2_G0BOT\): V0Set 870 V is above MaxElectrodeVolts 850 V of setup GemCapped/,
    );
  });

  test('no --yes and no terminal: refused, saying to add --yes (exit 2)', async () => {
    const before = (await sim.control.getChannel(2, 2)).params.V0Set;
    const r = await set(['Drift', '--channel', '2', '--param', 'V0Set', '--value', '2400']);
    const line = await assertRefused(sim, r, /no answer .*nothing was changed.*add --yes: gemcaen set Drift --channel 2 --param V0Set --value 2400 --yes/);
    assert.ok(line.length > 0);
    assert.match(r.stdout, /2500\.0 +│ 2400\.0/, 'current → new shown before the question');
    assert.equal((await sim.control.getChannel(2, 2)).params.V0Set, before);
  });

  test('answering "n" at the prompt declines (exit 3)', async () => {
    const r = await set(['Drift', '--channel', '2', '--param', 'V0Set', '--value', '2400'], 'n\n');
    await assertRefused(sim, r, /not applied \(answer "n"\); nothing was changed/, 3);
    assert.match(r.stdout, /Apply V0Set to 1 channel\? \[y\/N\] /);
    assert.equal((await sim.control.getChannel(2, 2)).params.V0Set, 2500);
  });

  test('an empty answer (Enter) declines: the default is No', async () => {
    await assertRefused(sim, await set(['Drift', '--channel', '2', '--param', 'V0Set', '--value', '2400'], '\n'), /not applied/, 3);
  });

  test('an unknown setup', async () => {
    await assertRefused(sim, await set(['Nope', '--channel', '0', '--param', 'V0Set', '--value', '1', '--yes']), /unknown setup Nope .*setups: Drift, Spare, Gem, GemCapped/);
  });

  test('missing --value is a usage error from the parser', async () => {
    const r = await set(['Drift', '--channel', '0', '--param', 'V0Set']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--value/);
    assert.equal(await setChParamCalls(sim), 0);
  });
});

describe('applied', () => {
  test('--yes: one SetChParam for two channels, the crate holds the value, read-back reported', async () => {
    const r = await set(['Drift', '--channel', '0,1', '--param', 'V0Set', '--value', '1650.5', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await setChParamCalls(sim), 1, 'one SetChParam for both channels');
    const c = (await sim.control.counters()).calls;
    assert.equal(c.CAENHV_GetChParamInfo, 1, 'parameter list read once');
    assert.equal(c.CAENHV_GetChParam, 3, 'current value, SVMax, read-back: one call each for both channels');
    for (const ch of [0, 1]) assert.equal((await sim.control.getChannel(2, ch)).params.V0Set, 1650.5);
    assert.match(r.stdout, /applied \(1 SetChParam call\); read back:/);
    assert.match(r.stdout, /│ 0 +│ DRIFT0 +│ 1650\.5 +│ 1650\.5 +│ ok/);
    assert.match(r.stdout, /│ 1 +│ DRIFT1 +│ 1650\.5 +│ 1650\.5 +│ ok/);
  });

  test('"y" at the prompt applies', async () => {
    const r = await set(['Drift', '--channel', '3', '--param', 'I0Set', '--value', '25'], 'y\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await setChParamCalls(sim), 1);
    assert.equal((await sim.control.getChannel(2, 3)).params.I0Set, 25);
  });

  test('Pw off and on again, with the board state words', async () => {
    let r = await set(['Spare', '--channel', '10,11', '--param', 'Pw', '--value', 'on', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await sim.control.getChannel(2, 10)).params.Pw, 1);
    assert.equal((await sim.control.getChannel(2, 11)).params.Pw, 1);
    assert.match(r.stdout, /│ 10 +│ CHANNEL10 +│ Off +│ On/);
    r = await set(['Spare', '--channel', '11', '--param', 'Pw', '--value', 'Off', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await sim.control.getChannel(2, 11)).params.Pw, 0);
    assert.equal((await sim.control.getChannel(2, 10)).params.Pw, 1, 'the other channel untouched');
    r = await set(['Spare', '--channel', '10', '--param', 'Pw', '--value', '0', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await sim.control.getChannel(2, 10)).params.Pw, 0);
    assert.equal(await setChParamCalls(sim), 3);
  });

  test('GEM: a V0Set under SVMax and MaxElectrodeVolts is applied', async () => {
    const r = await set(['GemCapped', '--channel', '13', '--param', 'V0Set', '--value', '780', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await sim.control.getChannel(0, 13)).params.V0Set, 780);
    assert.match(r.stdout, /electrode/);
  });
});
