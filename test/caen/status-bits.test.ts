import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BDSTATUS_BITS,
  CHSTATUS_BITS,
  chStatusHasAlarm,
  chStatusIsOn,
  chStatusIsRamping,
  chStatusTripped,
  decodeBdStatus,
  decodeChStatus,
  formatBdStatus,
  formatChStatus,
} from '../../src/caen/status-bits.js';

test('CHSTATUS table covers all 16 bits with unique names, in order', () => {
  assert.equal(CHSTATUS_BITS.length, 16);
  CHSTATUS_BITS.forEach((b, i) => assert.equal(b.bit, i));
  assert.equal(new Set(CHSTATUS_BITS.map((b) => b.name)).size, 16);
  assert.deepEqual(
    CHSTATUS_BITS.map((b) => b.name),
    ['ON', 'RUP', 'RDW', 'OVC', 'OVV', 'UNV', 'EXTTRIP', 'MAXV', 'EXTDIS', 'INTTRIP', 'CALIBERR', 'UNPLUGGED', 'UNC', 'OVVPROT', 'POWERFAIL', 'TEMPERR'],
  );
});

test('each channel bit decodes to its own name; SY4527 bits 12-15 are not mislabelled', () => {
  for (const b of CHSTATUS_BITS) assert.deepEqual(decodeChStatus(1 << b.bit), [b.name]);
  assert.deepEqual(decodeChStatus(0b11), ['ON', 'RUP']);
  assert.deepEqual(decodeChStatus(1 << 12), ['UNC']);
  assert.deepEqual(decodeChStatus(1 << 15), ['TEMPERR']);
  assert.deepEqual(decodeChStatus(0), []);
  assert.deepEqual(decodeChStatus(1 << 16), ['BIT16']);
  assert.deepEqual(decodeChStatus(0x80000001), ['ON', 'BIT31']);
  assert.equal(formatChStatus(0), 'OFF');
  assert.equal(formatChStatus(0b1001), 'ON OVC');
  assert.throws(() => decodeChStatus(-1), RangeError);
  assert.throws(() => decodeChStatus(1.5), RangeError);
});

test('channel status predicates', () => {
  assert.equal(chStatusIsOn(1), true);
  assert.equal(chStatusIsOn(2), false);
  assert.equal(chStatusIsRamping(0b101), true);
  assert.equal(chStatusIsRamping(1), false);
  assert.equal(chStatusHasAlarm(0b111), false);
  assert.equal(chStatusHasAlarm(1 << 9), true);
  assert.equal(chStatusTripped(1 << 9), true);
  assert.equal(chStatusTripped(1 << 6), true);
  assert.equal(chStatusTripped(1 << 4), false);
});

test('BDSTATUS bits', () => {
  assert.deepEqual(
    BDSTATUS_BITS.map((b) => b.name),
    ['POWERFAIL', 'FWCHECKERR', 'HVCALIBERR', 'TEMPCALIBERR', 'UNDERTEMP', 'OVERTEMP'],
  );
  assert.deepEqual(decodeBdStatus(1 << 5), ['OVERTEMP']);
  assert.deepEqual(decodeBdStatus(0b11), ['POWERFAIL', 'FWCHECKERR']);
  assert.deepEqual(decodeBdStatus(1 << 6), ['BIT6']);
  assert.equal(formatBdStatus(0), 'OK');
});
