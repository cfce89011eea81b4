// src/control against the simulated crate through the real binding: value parsing by parameter Type,
// channel lists, the plan's checks (no SetChParam on refusal), one SetChParam per distinct value,
// read-back comparison, and the confirmation rules (y / anything else / no answer / --yes / keepalive).
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { CaenLibrary } from '../../src/caen/library.js';
import { CaenMainframe } from '../../src/caen/mainframe.js';
import type { ParamMeta } from '../../src/caen/types.js';
import { CaenError } from '../../src/caen/caen-error.js';
import { CAENHVResult } from '../../src/caen/codes.js';
import { DEFAULT_RESISTORS_MOHM, layerChannels } from '../../src/gem/index.js';
import type { SetupConfig } from '../../src/config/types.js';
import { GemcaenError, UsageError } from '../../src/errors.js';
import {
  applyPlan,
  checkChannelsInSetup,
  confirmChange,
  formatParamValue,
  checkClampIntent,
  parseChannelList,
  parseDecimal,
  parseParamValue,
  planIeq,
  planSet,
  readStack,
  resolveTarget,
  tolerance,
  writeGroups,
  type ControlSession,
} from '../../src/control/index.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof GemcaenError, String(err));
    return err.code;
  }
  assert.fail('expected an error');
}

async function asyncCode(p: Promise<unknown>): Promise<{ code: string; usage: boolean }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof GemcaenError, String(err));
    return { code: err.code, usage: err instanceof UsageError };
  }
  assert.fail('expected an error');
}

describe('values by parameter type', () => {
  const numeric: ParamMeta = { name: 'V0Set', type: 'NUMERIC', typeCode: 0, mode: 'RDWR', min: 0, max: 1000, unit: 'V', decimal: 1 };
  const pdwn: ParamMeta = { name: 'PDwn', type: 'ONOFF', typeCode: 1, mode: 'RDWR', onState: 'Kill', offState: 'Ramp' };
  const binary: ParamMeta = { name: 'TripInt', type: 'BINARY', typeCode: 4, mode: 'RDWR' };

  test('NUMERIC: finite numbers only', () => {
    assert.equal(parseParamValue(' 450.5 ', numeric, 'V0Set'), 450.5);
    assert.equal(parseParamValue('1e2', numeric, 'V0Set'), 100);
    for (const bad of ['', 'abc', '12V', 'NaN', 'Infinity', '-Infinity']) assert.equal(code(() => parseParamValue(bad, numeric, 'V0Set')), 'VALUE_NOT_NUMBER', bad);
  });

  test('NUMERIC: a value with more decimals than the board keeps is refused, so the confirmed value is the one sent', () => {
    const rate: ParamMeta = { name: 'RUp', type: 'NUMERIC', typeCode: 0, mode: 'RDWR', min: 1, max: 500, unit: 'V/s', decimal: 0 };
    // the plan would have shown 1500.3 / 51 and sent 1500.25 / 50.6
    assert.equal(code(() => parseParamValue('1500.25', numeric, 'V0Set')), 'VALUE_TOO_PRECISE');
    assert.equal(code(() => parseParamValue('50.6', rate, 'RUp')), 'VALUE_TOO_PRECISE');
    assert.throws(() => parseParamValue('50.6', rate, 'RUp'), /RUp: 50\.6 V\/s has more decimals than the board keeps \(0\); give 51 V\/s/);
    for (const [text, v] of [['450.1', 450.1], ['450', 450], ['1e2', 100], ['-0', 0], [' 999.9 ', 999.9]] as const) {
      const parsed = parseParamValue(text, numeric, 'V0Set');
      assert.ok(Object.is(parsed, v), `${text} → ${parsed}`);
      assert.equal(Number(formatParamValue(parsed, numeric)), parsed, `${text} is shown as the number sent`);
    }
    assert.equal(parseParamValue('50', rate, 'RUp'), 50);
    // no Decimal property: nothing to compare with, the value is taken as typed
    assert.equal(parseParamValue('12.345', { ...numeric, decimal: undefined }, 'V0Set'), 12.345);
  });

  test('NUMERIC without a Decimal property: shown as the float32 that is sent, never as an integer', () => {
    const bare: ParamMeta = { name: 'V0Set', type: 'NUMERIC', typeCode: 0, mode: 'RDWR', min: 0, max: 1000, unit: 'V' };
    for (const text of ['12.345', '450.1', '450', '0.001', '-3.5', '999.99994']) {
      const sent = parseParamValue(text, bare, 'V0Set');
      const shown = formatParamValue(sent, bare);
      assert.equal(shown, String(sent), `${text} is shown as given`);
      // the value is written as a float32 (SetChParam): what is shown is that float32
      assert.equal(Math.fround(Number(shown)), Math.fround(sent), `${text}: shown ${shown}`);
    }
    // a current value read from the board (a float32) shows as its shortest decimal
    assert.equal(formatParamValue(Math.fround(433.4), bare), '433.4');
    // more digits than a float32 keeps would be confirmed as one number and sent as another: refused
    assert.equal(code(() => parseParamValue('450.123456789', bare, 'V0Set')), 'VALUE_TOO_PRECISE');
    assert.throws(() => parseParamValue('450.123456789', bare, 'V0Set'), /give 450\.12344 V/);
  });

  test('ONOFF: on/off/1/0 and the board state words, any case', () => {
    for (const w of ['on', 'ON', '1', 'Kill', 'kill', 'true']) assert.equal(parseParamValue(w, pdwn, 'PDwn'), 1, w);
    for (const w of ['off', 'Off', '0', 'Ramp', 'false']) assert.equal(parseParamValue(w, pdwn, 'PDwn'), 0, w);
    assert.throws(() => parseParamValue('2', pdwn, 'PDwn'), /use one of on\/off\/1\/0\/Kill\/Ramp/);
  });

  test('other types are refused with the reason', () => {
    assert.throws(() => parseParamValue('1', binary, 'TripInt'), /TripInt is of type BINARY, which gemcaen set does not write/);
  });

  test('tolerance: half a unit of the last decimal kept, or float32 precision', () => {
    assert.equal(tolerance(numeric, 400), 0.05);
    assert.equal(tolerance(pdwn, 1), 0);
  });
});

describe('decimal numbers only (one rule for every door)', () => {
  const numeric: ParamMeta = { name: 'V0Set', type: 'NUMERIC', typeCode: 0, mode: 'RDWR', min: 0, max: 4000, unit: 'V', decimal: 1 };

  test('decimal forms are accepted', () => {
    for (const [text, value] of [['450', 450], ['+3', 3], ['-0.5', -0.5], ['.5', 0.5], ['5.', 5], ['1.25e3', 1250], ['1E2', 100], ['-0', 0], ['0e-400', 0]] as const) {
      const r = parseDecimal(text);
      assert.ok(r.ok, `${text}: ${r.ok ? '' : r.reason}`);
      assert.ok(Object.is(r.value, value), `${text} → ${r.value}`);
    }
  });

  test('hex, binary, octal, separators, words, underflow to 0 and float32 overflow are refused', () => {
    for (const text of ['0x10', '0X10', '0b11111010000', '0o2734', '-0x10', '1_000', '1,5', 'Infinity', 'NaN', '1e-400', '1e-50', '4e38', '1e400', '1e1000', '', ' ', '++1', '1e', '.', `1${'0'.repeat(50)}`]) {
      assert.equal(parseDecimal(text).ok, false, text);
    }
    assert.match((parseDecimal('0x10') as { reason: string }).reason, /hexadecimal, binary and octal are not accepted/);
    assert.match((parseDecimal('1e-400') as { reason: string }).reason, /would be sent as 0/);
  });

  test('a set point goes through the same rule: VALUE_NOT_NUMBER, never the number Number() would make', () => {
    for (const text of ['0x10', '0b11111010000', '0o2734', '1e-400']) assert.equal(code(() => parseParamValue(text, numeric, 'V0Set')), 'VALUE_NOT_NUMBER', text);
  });
});

describe('channel lists', () => {
  test('bounded: a channel above 99 and a text above 400 characters are refused at once (CHANNEL_INVALID)', () => {
    for (const bad of ['99999999999999999999', '0-65535', '100', '0-100', `${'1,'.repeat(300)}1`]) {
      const started = process.hrtime.bigint();
      assert.equal(code(() => parseChannelList(bad)), 'CHANNEL_INVALID', bad);
      assert.ok(process.hrtime.bigint() - started < 1_000_000_000n, `${bad.slice(0, 20)} took over a second`);
    }
    assert.equal(parseChannelList('0-99').length, 100);
    assert.deepEqual(parseChannelList('099, 007'), [99, 7]);
    // many overlapping ranges: each channel once, linear (a Set, not a list search)
    assert.equal(parseChannelList(Array.from({ length: 60 }, () => '0-99').join(',')).length, 100);
  });

  test('numbers, commas and ranges; duplicates once', () => {
    assert.deepEqual(parseChannelList('3'), [3]);
    assert.deepEqual(parseChannelList('0-2, 5,1'), [0, 1, 2, 5]);
    for (const bad of ['', 'a', '1,,2', '3-1', '-1', '1.5']) assert.equal(code(() => parseChannelList(bad)), 'CHANNEL_INVALID', bad);
  });

  test('channels outside the setup are named with the setup channels', () => {
    assert.throws(() => checkChannelsInSetup('S', [0, 1, 2, 3], [2, 7, 9]), /channels 7, 9 are not in setup S; its channels are 0-3/);
    checkChannelsInSetup('S', [0, 1, 2, 3], [3, 0]);
  });

  test('write groups: one per distinct value, in order', () => {
    const rows = [5, 6, 7, 8].map((channel, i) => ({ channel, label: '', current: 0, next: [1, 2, 1, 3][i] as number }));
    assert.deepEqual(writeGroups(rows), [
      { value: 1, channels: [5, 7] },
      { value: 2, channels: [6] },
      { value: 3, channels: [8] },
    ]);
  });
});

describe('confirmation', () => {
  const base = { output: new PassThrough(), command: 'gemcaen set X' };

  test('--yes asks nothing', async () => {
    const input = new PassThrough();
    await confirmChange('Apply?', { ...base, yes: true, input });
    assert.equal(input.listenerCount('data'), 0);
  });

  test('"y" or "yes" applies, anything else declines (DECLINED), no answer is CONFIRMATION_REQUIRED (a usage error)', async () => {
    for (const answer of ['y\n', 'YES\n', ' y \n']) {
      const input = new PassThrough();
      input.end(answer);
      await confirmChange('Apply?', { ...base, yes: false, input });
    }
    for (const answer of ['n\n', '\n', 'yy\n', 'ok\n']) {
      const input = new PassThrough();
      input.end(answer);
      assert.deepEqual(await asyncCode(confirmChange('Apply?', { ...base, yes: false, input })), { code: 'DECLINED', usage: false }, answer);
    }
    const input = new PassThrough();
    input.end();
    assert.deepEqual(await asyncCode(confirmChange('Apply?', { ...base, yes: false, input })), { code: 'CONFIRMATION_REQUIRED', usage: true });
  });

  test('the session is kept alive while the question waits', async () => {
    const input = new PassThrough();
    let calls = 0;
    const waiting = confirmChange('Apply?', { ...base, yes: false, input, keepalive: () => calls++, keepaliveMs: 20 });
    // the question waits: keepalives keep coming, every keepaliveMs
    while (calls < 3) await sleep(5);
    input.end('y\n');
    await waiting;
    const after = calls;
    // nothing is owed any more: three periods pass without a call
    await sleep(60);
    assert.equal(calls, after, 'no keepalive after the answer');
  });
});

describe('plans and writes on the simulated crate', () => {
  let sim: SimHandle;
  let mf: CaenMainframe;
  const plain: SetupConfig = {
    name: 'Drift', monitorables: ['VMon'], holdOffSeconds: 1, isGEM: false, mainframe: 'm', slot: 2, channels: [0, 1, 2, 3],
    sink: 'f', heartbeatSeconds: 300, deadbands: {},
  };
  const gem: SetupConfig = {
    ...plain, name: 'Gem', isGEM: true, slot: 0, layer: 2, channels: layerChannels(2), gem: { resistorsMOhm: DEFAULT_RESISTORS_MOHM },
  };

  before(async () => {
    sim = await startSim({ seed: 4 });
    mf = CaenMainframe.connect(CaenLibrary.open(sim.libraryPath), { systemType: 'SY4527', linkType: 'TCPIP', address: sim.address, user: 'admin', password: 'admin' });
  });
  after(async () => {
    mf?.deinit();
    await sim?.stop();
  });
  beforeEach(async () => {
    await sim.control.resetCounters();
  });
  const sets = async (): Promise<number> => (await sim.control.counters()).calls.CAENHV_SetChParam ?? 0;

  test('a set plan reads the current values; refusals make no SetChParam', async () => {
    const target = resolveTarget(mf, plain);
    const plan = planSet(mf, target, { channels: [1, 3], param: 'V0Set', value: '2222' });
    assert.deepEqual(plan.rows.map((r) => [r.channel, r.current, r.next]), [[1, 2000, 2222], [3, 3000, 2222]]);
    assert.equal(code(() => planSet(mf, target, { channels: [1], param: 'IMon', value: '1' })), 'PARAM_READ_ONLY');
    assert.equal(code(() => planSet(mf, target, { channels: [1], param: 'I0Set', value: '3001' })), 'VALUE_ABOVE_MAX');
    assert.equal(code(() => planSet(mf, target, { channels: [1], param: 'RUp', value: '0' })), 'VALUE_BELOW_MIN');
    assert.equal(code(() => planSet(mf, target, { channels: [1], param: 'Foo', value: '0' })), 'PARAM_UNKNOWN');
    assert.equal(await sets(), 0);
  });

  test('one value for several channels is one SetChParam; the read-back is compared', async () => {
    const target = resolveTarget(mf, plain);
    const result = applyPlan(mf, planSet(mf, target, { channels: [0, 1, 2], param: 'RUp', value: '33' }));
    assert.equal(result.writes, 1);
    assert.equal(await sets(), 1);
    assert.deepEqual(result.rows.map((r) => [r.readBack, r.ok]), [[33, true], [33, true], [33, true]]);
    assert.equal((await sim.control.getChannel(2, 2)).params.RUp, 33);
  });

  test('a read-back that differs (clamped by the board) is reported as a mismatch', () => {
    const target = resolveTarget(mf, plain);
    const plan = planSet(mf, target, { channels: [0, 1], param: 'V0Set', value: '1234.5' });
    // the board keeps channel 1 at 1200 (as an SVMax lowered by another client would)
    const clamping: ControlSession = new Proxy(mf, {
      get(t, prop, receiver) {
        if (prop === 'readChParam') {
          return (slot: number, param: string, channels: readonly number[]) =>
            t.readChParam(slot, param, channels).map((v, i) => (channels[i] === 1 && param === 'V0Set' ? 1200 : v));
        }
        const v = Reflect.get(t, prop, receiver) as unknown;
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
    const result = applyPlan(clamping, plan);
    assert.deepEqual(result.mismatches.map((r) => [r.channel, r.readBack, r.next]), [[1, 1200, 1234.5]]);
    assert.equal(result.rows[0]?.ok, true);
  });

  test('ieq plan: seven distinct V0Set values = seven SetChParam on an SY4527 (first element only); Pw never written', async () => {
    const target = resolveTarget(mf, gem);
    const stack = readStack(mf, target);
    assert.deepEqual(stack.electrodes.map((e) => e.v0set), [431, 362, 604, 380, 302, 386, 776]);
    const plan = planIeq(mf, stack, 650);
    await sim.control.resetCounters();
    const result = applyPlan(mf, plan);
    assert.equal(result.writes, 7);
    assert.equal(await sets(), 7);
    assert.equal(result.mismatches.length, 0);
    const expected = Object.values(DEFAULT_RESISTORS_MOHM).map((r) => Number((650 * r).toFixed(1)));
    assert.deepEqual(result.rows.map((r) => r.readBack), expected);
    for (const c of layerChannels(2)) assert.equal((await sim.control.getChannel(0, c)).params.Pw, 1);
  });

  test('ieq plan refusals: above SVMax names the electrode; a non-GEM setup has no stack', () => {
    const stack = readStack(mf, resolveTarget(mf, gem));
    assert.throws(() => planIeq(mf, stack, 820), /Drift \(ch 13 GEM2_G0BOT\): V0Set 922\.5 V is above the channel's SVMax 900\.0 V/);
    assert.equal(code(() => readStack(mf, resolveTarget(mf, plain))), 'NOT_GEM_SETUP');
  });

  test('SVMax is read again just before SetChParam: lowered while the plan waited, the write is refused (VALUE_ABOVE_SVMAX), nothing sent', async () => {
    const target = resolveTarget(mf, plain);
    const plan = planSet(mf, target, { channels: [2], param: 'V0Set', value: '3400' });
    await sim.control.setChannel(2, 2, 'SVMax', 2000);
    await sim.control.resetCounters();
    let caught: unknown;
    try {
      applyPlan(mf, plan);
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof UsageError, String(caught));
    assert.equal(caught.code, 'VALUE_ABOVE_SVMAX');
    assert.match(caught.message, /SVMax is now 2000\.0 V, was 3500\.0 V when the plan was shown\); nothing was written/);
    assert.equal(await sets(), 0);
    assert.notEqual((await sim.control.getChannel(2, 2)).params.V0Set, 3400);
  });

  test('SVMax below a set point: the plan lists the clamp, applying needs allowClamp (SVMAX_BELOW_SET_POINT); with it the crate lowers V0Set', async () => {
    const target = resolveTarget(mf, plain);
    await sim.control.setChannel(2, 3, 'SVMax', 3500);
    await sim.control.setChannel(2, 3, 'V0Set', 3000);
    const plan = planSet(mf, target, { channels: [3], param: 'SVMax', value: '100' });
    assert.deepEqual(plan.clamps.filter((c) => c.param === 'V0Set').map((c) => [c.channel, c.current, c.clampedTo]), [[3, 3000, 100]]);
    assert.equal(code(() => checkClampIntent(plan, plan.clamps, {})), 'SVMAX_BELOW_SET_POINT');
    await sim.control.resetCounters();
    assert.equal(code(() => applyPlan(mf, plan)), 'SVMAX_BELOW_SET_POINT');
    assert.equal(await sets(), 0);
    assert.equal((await sim.control.getChannel(2, 3)).params.V0Set, 3000);
    applyPlan(mf, plan, { allowClamp: true });
    const ch = await sim.control.getChannel(2, 3);
    assert.deepEqual([ch.params.SVMax, ch.params.V0Set], [100, 100]);
  });

  test('a set point raised after an SVMax plan was shown is caught when applying', async () => {
    const target = resolveTarget(mf, plain);
    await sim.control.setChannel(2, 0, 'SVMax', 3500);
    await sim.control.setChannel(2, 0, 'V0Set', 1000);
    const plan = planSet(mf, target, { channels: [0], param: 'SVMax', value: '2500' });
    assert.deepEqual(plan.clamps, []);
    await sim.control.setChannel(2, 0, 'V0Set', 2600);
    await sim.control.resetCounters();
    assert.equal(code(() => applyPlan(mf, plan)), 'SVMAX_BELOW_SET_POINT');
    assert.equal(await sets(), 0);
  });

  test('MaxElectrodeVolts of the channel holds for a plain setup on the same channels', async () => {
    const shared: SetupConfig = { ...plain, channelMaxVolts: [{ channel: 1, volts: 850, setup: 'Gem' }] };
    const target = resolveTarget(mf, shared);
    assert.throws(() => planSet(mf, target, { channels: [0, 1], param: 'V0Set', value: '899' }), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.code, 'VALUE_ABOVE_MAX_ELECTRODE_VOLTS');
      assert.match(err.message, /ch 1 .*850 V of setup Gem, which shares this channel/);
      return true;
    });
    planSet(mf, target, { channels: [0, 1], param: 'V0Set', value: '850' });
    assert.equal(await sets(), 0);
  });

  describe('SET_PARTIAL: the reply of one SetChParam is lost', () => {
    /** the real crate, except that the second SetChParam times out (after the crate applied it, or before) */
    function losingSecondReply(applied: boolean, readFails = false): ControlSession {
      let writes = 0;
      let lost = false;
      return new Proxy(mf, {
        get(t, prop, receiver) {
          if (prop === 'writeChParam') {
            return (slot: number, param: string, channels: readonly number[], value: number) => {
              writes++;
              if (writes === 2) {
                if (applied) t.writeChParam(slot, param, channels, value);
                lost = true;
                throw new CaenError('CAENHV_SetChParam', CAENHVResult.TIMEERR, 'time out in the communication with the mainframe');
              }
              t.writeChParam(slot, param, channels, value);
            };
          }
          if (prop === 'readChParam' && readFails) {
            return (slot: number, param: string, channels: readonly number[]) => {
              if (lost) throw new CaenError('CAENHV_GetChParam', CAENHVResult.TIMEERR, 'time out in the communication with the mainframe');
              return t.readChParam(slot, param, channels);
            };
          }
          const v = Reflect.get(t, prop, receiver) as unknown;
          return typeof v === 'function' ? v.bind(t) : v;
        },
      });
    }

    function partial(session: ControlSession, microAmps: number): GemcaenError {
      const plan = planIeq(mf, readStack(mf, resolveTarget(mf, gem)), microAmps);
      try {
        applyPlan(session, plan);
      } catch (err) {
        assert.ok(err instanceof GemcaenError, String(err));
        assert.equal(err.code, 'SET_PARTIAL');
        assert.doesNotMatch(err.message, /not on 8\b/);
        return err;
      }
      assert.fail('expected SET_PARTIAL');
    }

    test('applied by the crate: read back and reported as applied; the channels after it not written', async () => {
      const err = partial(losingSecondReply(true), 610);
      assert.deepEqual(err.details, { written: [7], unknown: [], applied: [8], notApplied: [], notWritten: [9, 10, 11, 12, 13], readBack: { 8: Number((610 * (DEFAULT_RESISTORS_MOHM.G3TOP as number)).toFixed(1)) } });
      assert.match(err.message, /the reply for channel 8 .* was lost: .*TIMEERR.*; channel 8 read back .* \(applied\); not written on channels 9, 10, 11, 12, 13/);
    });

    test('not applied by the crate: read back and reported as not applied', async () => {
      const err = partial(losingSecondReply(false), 620);
      assert.deepEqual(err.details?.written, [7]);
      assert.deepEqual(err.details?.notApplied, [8]);
      assert.match(err.message, /channel 8 read back .* \(not applied\)/);
    });

    test('the read-back fails too: the channel is reported unknown', async () => {
      const err = partial(losingSecondReply(true, true), 630);
      assert.deepEqual(err.details?.unknown, [8]);
      assert.match(err.message, /channel 8 unknown \(the read-back failed too: /);
    });
  });
});
