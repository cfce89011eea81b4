// Triple-GEM rules as pure functions: electrode aliases and suffixes, the board and name checks, Ieq,
// V0Set for a target Ieq rounded to the board's precision, stack totals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_RESISTORS_MOHM,
  ELECTRODE_SUFFIXES,
  electrodeAlias,
  electrodeSuffixOf,
  electrodesOf,
  expectedSuffix,
  gemBoardProblem,
  gemNamesProblem,
  IEQ_DECIMALS,
  ieqMicroAmps,
  layerChannels,
  roundToDecimals,
  stackTotals,
  v0SetForIeq,
} from '../../src/gem/index.js';
import { channelIeqMicroAmps as pollerIeq } from '../../src/poll/gem-mapping.js';

const names = (prefix: string): string[] => ELECTRODE_SUFFIXES.map((s) => `${prefix}_${s}`);

test('layers, aliases by channel % 7 and the suffix expected at each position', () => {
  assert.deepEqual(layerChannels(1), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(layerChannels(2), [7, 8, 9, 10, 11, 12, 13]);
  assert.deepEqual(layerChannels(2).map(electrodeAlias), ['G3Bot', 'G3Top', 'G2Bot', 'G2Top', 'G1Bot', 'G1Top', 'Drift']);
  assert.equal(expectedSuffix(13), 'G0BOT');
});

test('the suffix after the last underscore, case-insensitive; anything else has none', () => {
  assert.equal(electrodeSuffixOf('ME0_L1_G3BOT'), 'G3BOT');
  assert.equal(electrodeSuffixOf('gem2_g1top '), 'G1TOP');
  assert.equal(electrodeSuffixOf('G0BOT'), 'G0BOT');
  assert.equal(electrodeSuffixOf('GEM1_G3BOTX'), undefined);
  assert.equal(electrodeSuffixOf('CHANNEL03'), undefined);
  assert.equal(electrodeSuffixOf(''), undefined);
});

test('board check: only models containing A1515', () => {
  assert.equal(gemBoardProblem(0, 'A1515TG'), undefined);
  assert.equal(gemBoardProblem(0, 'A1515'), undefined);
  assert.equal(gemBoardProblem(4, 'A1535'), 'slot 4 holds a A1535, not an A1515: a GEM setup needs a triple-GEM board (fix BOARD.SLOT or isGEMDetector)');
  assert.match(gemBoardProblem(4, '') ?? '', /no board in slot 4/);
});

test('name check: every electrode needs a known suffix with a resistor; the message lists names and suffixes', () => {
  const ch = layerChannels(1);
  assert.equal(gemNamesProblem(0, ch, names('GEM1'), DEFAULT_RESISTORS_MOHM), undefined);
  const bad = names('GEM1');
  bad[1] = 'CHANNEL01';
  bad[5] = '';
  const msg = gemNamesProblem(0, ch, bad, DEFAULT_RESISTORS_MOHM) ?? '';
  assert.match(msg, /^slot 0: channels 1 "CHANNEL01", 5 "" have no electrode suffix; names found: 0=GEM1_G3BOT, 1=CHANNEL01, 2=GEM1_G2BOT/);
  assert.match(msg, /5="", 6=GEM1_G0BOT; expected names ending in _G3BOT, _G3TOP, _G2BOT, _G2TOP, _G1BOT, _G1TOP, _G0BOT/);
  const { G0BOT: _dropped, ...noDrift } = DEFAULT_RESISTORS_MOHM;
  assert.match(gemNamesProblem(0, ch, names('GEM1'), noDrift) ?? '', /channel 6 "GEM1_G0BOT" \(no resistor for G0BOT in DividerResistorsMOhm\)/);
});

test('electrodes: name, suffix, alias by position, resistor by suffix (overrides win)', () => {
  const e = electrodesOf(layerChannels(2), names('GEM2'), { ...DEFAULT_RESISTORS_MOHM, G2TOP: 0.6 });
  assert.equal(e.length, 7);
  assert.deepEqual(e[3], { channel: 10, name: 'GEM2_G2TOP', suffix: 'G2TOP', alias: 'G2Top', resistorMOhm: 0.6 });
  assert.equal(e[6]?.resistorMOhm, 1.125007477);
});

test('Ieq = V / MOhm in uA to the one decimal a 0.1 V reading supports, not truncated; the poller uses the same rule by name', () => {
  assert.equal(IEQ_DECIMALS, 1);
  assert.equal(ieqMicroAmps(438.3, 0.625007477), 701.3); // 701.2716…
  assert.equal(ieqMicroAmps(307.1, 0.438004665), 701.1); // 701.1342…
  assert.equal(pollerIeq(438.3, 'GEM1_G3BOT', DEFAULT_RESISTORS_MOHM), 701.3);
  assert.equal(pollerIeq(438.1, 'GEM1_XX', DEFAULT_RESISTORS_MOHM), undefined);
});

test('V0Set for a target Ieq: UA x R rounded to the Decimal property', () => {
  assert.equal(v0SetForIeq(700, 0.625007477, 1), 437.5);
  assert.equal(v0SetForIeq(700, 0.438004665, 1), 306.6);
  assert.equal(v0SetForIeq(700, 0.438004665, 0), 307);
  assert.equal(v0SetForIeq(700, 0.438004665, undefined), 307);
  assert.equal(v0SetForIeq(700, 0.438004665, 2), 306.6);
  assert.equal(v0SetForIeq(690, 1.125007477, 2), 776.26);
  assert.equal(roundToDecimals(1.25, 1), 1.3);
  assert.equal(roundToDecimals(12.3456, -1), 12);
});

test('stack totals: summed volts and resistors, Ieq of the stack = ΣV / ΣR', () => {
  const t = stackTotals([
    { volts: 400, resistorMOhm: 0.5 },
    { volts: 600, resistorMOhm: 1.5 },
  ]);
  assert.deepEqual(t, { volts: 1000, resistorMOhm: 2, ieqMicroAmps: 500 });
  assert.ok(Number.isNaN(stackTotals([]).ieqMicroAmps));
});
