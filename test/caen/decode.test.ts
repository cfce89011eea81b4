import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endianness } from 'node:os';
import { cString, decodePacked, decodeRecords, firmwareText, packedLength, ValueBuffer } from '../../src/caen/decode.js';

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

test('value buffers: float32, uint32 (status words above 2^31), int32, in the host byte order the C library writes', () => {
  const le = endianness() === 'LE';
  const b = new ValueBuffer(4);
  b.bytes[le ? 'writeFloatLE' : 'writeFloatBE'](3.5, 0);
  b.bytes[le ? 'writeFloatLE' : 'writeFloatBE'](-0.25, 4);
  assert.deepEqual(b.decode('float32', 2), [3.5, -0.25]);
  b.bytes[le ? 'writeUInt32LE' : 'writeUInt32BE'](0x80000001, 0);
  b.bytes[le ? 'writeUInt32LE' : 'writeUInt32BE'](7, 4);
  assert.deepEqual(b.decode('uint32', 2), [0x80000001, 7]);
  b.bytes[le ? 'writeInt32LE' : 'writeInt32BE'](-2, 0);
  assert.deepEqual(b.decode('int32', 1), [-2]);
});

test('a reused value buffer is zeroed for the next read: a library that writes fewer values leaves zeros, not the last read', () => {
  const b = new ValueBuffer(3);
  b.bytes.fill(0xff);
  b.zero(2);
  assert.deepEqual(b.decode('uint32', 3), [0, 0, 0xffffffff]);
  assert.equal(b.bytes.length, 12);
});

test('cString stops at NUL or the end; firmware text', () => {
  assert.equal(cString(Buffer.from('On\0xx', 'latin1')), 'On');
  assert.equal(cString(Buffer.from('Off', 'latin1')), 'Off');
  assert.equal(firmwareText(2, 5), '2.05');
  assert.equal(firmwareText(1, 12), '1.12');
});
