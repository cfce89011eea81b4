import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Point } from '../../src/protocol.js';
import { SeriesHeadCache, seriesHead, toLine } from '../../src/writer/line-protocol.js';

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

test('fields and tags in any order are written sorted by code unit (as Array.prototype.sort orders strings)', () => {
  const names = ['b', 'a', 'B', 'é', 'a1', 'Z', '_', '10', '9'];
  const fields = Object.fromEntries(names.map((n, i) => [n, { type: 'int' as const, value: i }]));
  const tags = Object.fromEntries(names.map((n) => ['t' + n, n]));
  const expected = [...names].sort();
  const line = toLine({ measurement: 'm', tags, fields, timeMs: 1 }) as string;
  const [head, body] = line.split(' ');
  assert.deepEqual(body.split(',').map((kv) => kv.split('=')[0]), expected);
  assert.deepEqual(head.split(',').slice(1).map((kv) => kv.split('=')[1]), [...names].map((n) => 't' + n).sort().map((k) => k.slice(1)));
});

test('SeriesHeadCache: the same head as seriesHead for every series, whatever the strings hold; bounded', () => {
  const cache = new SeriesHeadCache(3);
  const series: Pick<Point, 'measurement' | 'tags'>[] = [
    { measurement: 'HV', tags: { b: '1', a: '2' } },
    { measurement: 'HV', tags: { a: '2', b: '1' } },
    { measurement: 'HV', tags: { a: '2:1', b: '' } },
    { measurement: 'HV', tags: { a: '2', ':1': '' } },
    { measurement: 'HV|1', tags: { a: '2' } },
    { measurement: 'HV', tags: { '1:a': '2' } },
    { measurement: 'H V', tags: { 'a,b': 'x=y\\', c: '\n' } },
  ];
  for (let round = 0; round < 2; round++)
    for (const s of series) assert.equal(cache.head(s), seriesHead(s), JSON.stringify(s));
  assert.ok(cache.size <= 3, `cache size ${cache.size} above its bound`);
});
