import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cString, decodeFloat32, decodeInt32, decodePacked, decodeRecords, decodeUint32, firmwareText, packedLength } from '../../src/caen/decode.js';

function records(size: number, names: string[], trailingEmpty = false): Buffer {
  const buf = Buffer.alloc(size * (names.length + (trailingEmpty ? 1 : 0)));
  names.forEach((n, i) => buf.write(n, i * size, 'latin1'));
  return buf;
}

test('packed strings: walked with strlen+1, empty strings kept (empty slots)', () => {
  const buf = Buffer.from('A1515TG\0\0A1535\0junk', 'latin1');
  assert.deepEqual(decodePacked(buf, 3), ['A1515TG', '', 'A1535']);
  assert.equal(packedLength(buf, 3), 15);
  assert.deepEqual(decodePacked(buf, 0), []);
  assert.throws(() => decodePacked(Buffer.from('abc', 'latin1'), 1), RangeError);
  assert.equal(packedLength(Buffer.from('ab\0cd', 'latin1'), 2), -1);
});

test('10-byte parameter records: with a count, and up to the empty end record', () => {
  const buf = records(10, ['V0Set', 'I0Set', 'VMon', 'Status', 'Pw012345'], true);
  assert.deepEqual(decodeRecords(buf, 10, 5), ['V0Set', 'I0Set', 'VMon', 'Status', 'Pw012345']);
  assert.deepEqual(decodeRecords(buf, 10), ['V0Set', 'I0Set', 'VMon', 'Status', 'Pw012345']);
  // a 10-char name without NUL is cut at the record boundary, not run into the next one
  const full = Buffer.concat([Buffer.from('ABCDEFGHIJ', 'latin1'), Buffer.from('K\0\0\0\0\0\0\0\0\0', 'latin1')]);
  assert.deepEqual(decodeRecords(full, 10, 2), ['ABCDEFGHIJ', 'K']);
  assert.throws(() => decodeRecords(buf, 10, 7), RangeError);
});

test('12-byte channel name records keep empty names when counted', () => {
  const buf = records(12, ['G3Bot', '', 'Drift_L1_xx']);
  assert.deepEqual(decodeRecords(buf, 12, 3), ['G3Bot', '', 'Drift_L1_xx']);
});

test('value buffers: float32, uint32 (status words above 2^31), int32', () => {
  const f = Buffer.alloc(8);
  f.writeFloatLE(3.5, 0);
  f.writeFloatLE(-0.25, 4);
  assert.deepEqual(decodeFloat32(f, 2), [3.5, -0.25]);
  const u = Buffer.alloc(8);
  u.writeUInt32LE(0x80000001, 0);
  u.writeUInt32LE(7, 4);
  assert.deepEqual(decodeUint32(u, 2), [0x80000001, 7]);
  const i = Buffer.alloc(4);
  i.writeInt32LE(-2, 0);
  assert.deepEqual(decodeInt32(i, 1), [-2]);
});

test('cString stops at NUL or the end; firmware text', () => {
  assert.equal(cString(Buffer.from('On\0xx', 'latin1')), 'On');
  assert.equal(cString(Buffer.from('Off', 'latin1')), 'Off');
  assert.equal(firmwareText(2, 5), '2.05');
  assert.equal(firmwareText(1, 12), '1.12');
});
