import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dedup } from '../../src/writer/dedup.js';
import { f, i, point } from './util.js';

const ch = { ChannelName: 'G3Bot' };

test('unchanged values are written only when the heartbeat is due, per field', () => {
  const d = new Dedup({ S: { heartbeatSeconds: 10, deadbands: {} } });
  assert.deepEqual(d.filter('S', point(ch, { VMon: f(100), Status: i(1) }, 0))?.fields, { VMon: f(100), Status: i(1) });
  assert.equal(d.filter('S', point(ch, { VMon: f(100), Status: i(1) }, 5_000)), undefined);
  // only the changed field is kept
  assert.deepEqual(d.filter('S', point(ch, { VMon: f(100), Status: i(3) }, 6_000))?.fields, { Status: i(3) });
  // VMon heartbeat due at 10 s after its last write (0), Status not (written at 6 s)
  assert.deepEqual(d.filter('S', point(ch, { VMon: f(100), Status: i(3) }, 10_000))?.fields, { VMon: f(100) });
  assert.equal(d.filter('S', point(ch, { VMon: f(100), Status: i(3) }, 15_999)), undefined);
  assert.deepEqual(d.filter('S', point(ch, { VMon: f(100), Status: i(3) }, 16_000))?.fields, { Status: i(3) });
});

test('deadband compares with the last WRITTEN value, so a slow drift is still written', () => {
  const d = new Dedup({ S: { heartbeatSeconds: 300, deadbands: { VMon: 0.5 } } });
  const vmon = (v: number, t: number) => d.filter('S', point(ch, { VMon: f(v) }, t))?.fields.VMon;
  assert.deepEqual(vmon(100, 0), f(100));
  assert.equal(vmon(100.3, 1000), undefined);
  assert.equal(vmon(100.5, 2000), undefined); // |Δ| = 0.5 is not > 0.5
  assert.deepEqual(vmon(100.6, 3000), f(100.6)); // drifted 0.6 from the last written 100
  assert.equal(vmon(100.2, 4000), undefined);
  assert.deepEqual(vmon(100.0, 5000), f(100.0));
});

test('series are separate per setup, measurement and tags; other setups use the default 300 s heartbeat', () => {
  const d = new Dedup({ S: { heartbeatSeconds: 1, deadbands: {} } });
  assert.ok(d.filter('S', point(ch, { VMon: f(1) }, 0)));
  assert.ok(d.filter('T', point(ch, { VMon: f(1) }, 0)));
  assert.ok(d.filter('S', point({ ChannelName: 'G3Top' }, { VMon: f(1) }, 0)));
  assert.ok(d.filter('S', point(ch, { VMon: f(1) }, 0, 'Other')));
  assert.ok(d.filter('S', point(ch, { VMon: f(1) }, 1000)));
  assert.equal(d.filter('T', point(ch, { VMon: f(1) }, 299_999)), undefined);
  assert.ok(d.filter('T', point(ch, { VMon: f(1) }, 300_000)));
});

test('a type change is a change; invalid policies are refused', () => {
  const d = new Dedup({});
  assert.ok(d.filter('S', point(ch, { X: f(1) }, 0)));
  assert.ok(d.filter('S', point(ch, { X: i(1) }, 1)));
  assert.throws(() => new Dedup({ S: { heartbeatSeconds: 0, deadbands: {} } }), RangeError);
  assert.throws(() => new Dedup({ S: { heartbeatSeconds: 1, deadbands: { VMon: -1 } } }), RangeError);
});
