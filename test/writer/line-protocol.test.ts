import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toLine } from '../../src/writer/line-protocol.js';

test('escapes measurement, tag keys/values and field keys; sorts tags; drops empty tags', () => {
  const line = toLine({
    measurement: 'CAEN Board,Monitor',
    tags: { z: 'last', ChannelName: 'GEM 904, ME0=1', a: '' },
    fields: { 'I Mon': { type: 'float', value: 1.25 } },
    timeMs: 1700000000123,
  });
  assert.equal(line, 'CAEN\\ Board\\,Monitor,ChannelName=GEM\\ 904\\,\\ ME0\\=1,z=last I\\ Mon=1.25 1700000000123');
});

test('field types: float stays float (no i), int gets i, bool, escaped string; sorted field keys', () => {
  const line = toLine({
    measurement: 'HV',
    tags: {},
    fields: {
      VMon: { type: 'float', value: 1 },
      Status: { type: 'int', value: 5 },
      Pw: { type: 'bool', value: true },
      Name: { type: 'string', value: 'a "b" \\ c\nd' },
    },
    timeMs: 5,
  });
  assert.equal(line, 'HV Name="a \\"b\\" \\\\ c\\nd",Pw=true,Status=5i,VMon=1 5');
});

test('NaN and Infinity are left out; a point with no writable field gives no line', () => {
  assert.equal(toLine({ measurement: 'HV', tags: {}, fields: { a: { type: 'float', value: NaN }, b: { type: 'float', value: 2.5 } }, timeMs: 1 }), 'HV b=2.5 1');
  assert.equal(toLine({ measurement: 'HV', tags: {}, fields: { a: { type: 'float', value: Infinity } }, timeMs: 1 }), undefined);
});

test('a trailing backslash is cut from measurement, tag keys and values and field keys (it would escape the delimiter)', () => {
  const line = toLine({
    measurement: 'HV\\',
    tags: { ChannelName: 'G3Bot\\', 'slot\\': '2', dir: 'C:\\x\\y', only: '\\\\' },
    fields: { 'VMon\\': { type: 'float', value: 1.5 }, '\\': { type: 'int', value: 1 } },
    timeMs: 7,
  });
  assert.equal(line, 'HV,ChannelName=G3Bot,dir=C:\\x\\y,slot=2 VMon=1.5 7');
});
