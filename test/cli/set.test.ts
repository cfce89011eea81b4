// `gemcaen set` through the real CLI against the simulated crate: every refusal is one line, exit 2
// (3 when declined), and sends no SetChParam; an accepted set is one SetChParam, changes the crate
// and reports the read-back; Pw on/off; no session is left open.
import { spawn } from 'node:child_process';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { assertRefused, cliPath, repoRoot, runCli, setChParamCalls, tempDir, writeConfig, type CliResult } from '../helpers/cli.js';

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
    // a plain view of two of GemCapped's channels: GemCapped's MaxElectrodeVolts holds here too
    GemPlain: { slot: 0, channels: [12, 13] },
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
    assert.equal(c.CAENHV_GetChParam, 4, 'current value, SVMax, SVMax again just before writing, read-back: one call each for both channels');
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

/** `gemcaen set …` that waits at its prompt while `meanwhile` changes the crate, then answers "y". */
function setAfterChange(args: string[], meanwhile: () => Promise<unknown>): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [cliPath, '--config', config, 'set', ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', GEMCAEN_CONFIG: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let asked = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!asked && /\[y\/N\] $/.test(stdout)) {
        asked = true;
        meanwhile().then(() => child.stdin.end('y\n'), reject);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code, signal) => resolveRun({ code, signal, stdout, stderr }));
  });
}

describe('voltages changed without being asked (issue 17)', () => {
  test('SVMax lowered on the crate while set waits at its prompt: refused when applying (VALUE_ABOVE_SVMAX), nothing sent', async () => {
    await sim.control.setChannel(2, 10, 'SVMax', 3500);
    await sim.control.resetCounters();
    try {
      const r = await setAfterChange(['Spare', '--channel', '10', '--param', 'V0Set', '--value', '3400'], () => sim.control.setChannel(2, 10, 'SVMax', 2000));
      const line = await assertRefused(sim, r, /ch 10 CHANNEL10: V0Set 3400 V is above the channel's SVMax 2000\.0 V \(SVMax is now 2000\.0 V, was 3500\.0 V when the plan was shown\); nothing was written/);
      assert.ok(line);
      assert.notEqual((await sim.control.getChannel(2, 10)).params.V0Set, 3400);
    } finally {
      await sim.control.setChannel(2, 10, 'SVMax', 3500);
    }
  });

  test('SVMax below V0Set: the plan shows the clamp and, even with --yes, it is refused without --allow-clamp (SVMAX_BELOW_SET_POINT)', async () => {
    await sim.control.setChannel(2, 11, 'SVMax', 3500);
    await sim.control.setChannel(2, 11, 'V0Set', 3000);
    await sim.control.resetCounters();
    try {
      const r = await set(['Spare', '--channel', '11', '--param', 'SVMax', '--value', '100', '--yes']);
      await assertRefused(sim, r, /SVMax 100\.0 is below the set point of ch 11 CHANNEL11 V0Set 3000\.0 → 100\.0: the crate would lower it .*add --allow-clamp/);
      assert.match(r.stdout, /ch 11 CHANNEL11: V0Set 3000\.0 → 100\.0 \(clamped by the crate; raising SVMax later does not restore it\)/);
      assert.equal((await sim.control.getChannel(2, 11)).params.V0Set, 3000);
      assert.equal((await sim.control.getChannel(2, 11)).params.SVMax, 3500);

      const ok = await set(['Spare', '--channel', '11', '--param', 'SVMax', '--value', '100', '--allow-clamp', '--yes']);
      assert.equal(ok.code, 0, ok.stderr);
      const ch = await sim.control.getChannel(2, 11);
      assert.deepEqual([ch.params.SVMax, ch.params.V0Set], [100, 100]);
    } finally {
      await sim.control.setChannel(2, 11, 'SVMax', 3500);
    }
  });

  test('hex, binary, octal and an underflow to 0 are refused as set points (VALUE_NOT_NUMBER), nothing sent', async () => {
    for (const value of ['0x10', '0b11111010000', '0o2734', '1e-400']) {
      await assertRefused(sim, await set(['Drift', '--channel', '0', '--param', 'V0Set', '--value', value, '--yes']), /is not a number: it is (not a decimal number|too small)/);
    }
  });

  test('MaxElectrodeVolts belongs to the channel: a plain setup on a GEM setup\'s channels is refused above it', async () => {
    await assertRefused(
      sim,
      await set(['GemPlain', '--channel', '13', '--param', 'V0Set', '--value', '899', '--yes']),
      /ch 13 GEM2_G0BOT: V0Set 899 V is above MaxElectrodeVolts 850 V of setup GemCapped, which shares this channel/,
    );
  });

  test('--channel: a huge number or range is refused at once with one line (CHANNEL_INVALID)', async () => {
    for (const channel of ['99999999999999999999', '0-65535']) {
      const r = await set(['Drift', '--channel', channel, '--param', 'V0Set', '--value', '1', '--yes']);
      const line = await assertRefused(sim, r, /--channel ".*": .* is above 99, the highest channel number of a board/);
      assert.ok(line.length < 300, `${line.length} characters`);
    }
  });
});

