import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../../src/backoff.js';
import { classify } from '../../src/poll/session.js';
import { recoveryOf } from '../../src/caen/codes.js';

test('back-off doubles up to its cap, jitter stays within ± its fraction, reset starts over', () => {
  const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 });
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
  b.reset();
  assert.equal(b.next(), 100);
  const lo = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.2 }, () => 0);
  const hi = new Backoff({ initialMs: 1000, maxMs: 5000, jitter: 0.2 }, () => 0.999999);
  assert.equal(lo.next(), 800);
  assert.equal(hi.next(), 1200);
  assert.throws(() => new Backoff({ initialMs: 0 }), RangeError);
});

test('wrapper errors are sorted into reconnect, credentials, absent board and bad request', () => {
  assert.equal(classify({ result: 5, connectionLost: true }), 'connection');
  assert.equal(classify({ result: -3, connectionLost: false }), 'connection');
  assert.equal(classify({ result: 0x1007 }), 'credentials');
  assert.equal(classify({ result: 0x1004 }), 'credentials');
  assert.equal(classify({ result: 7 }), 'board-absent');
  assert.equal(classify({ result: 22, connectionLost: false }), 'request');
  assert.equal(classify(new Error('socket hang up')), 'connection');
});

test('one classification of a result for recovery (src/caen/codes.ts), the poller maps it', () => {
  assert.equal(recoveryOf(0x1004), 'login-refused');
  assert.equal(recoveryOf(0x1007), 'login-refused');
  assert.equal(recoveryOf(7), 'board-absent');
  assert.equal(recoveryOf(22), 'request');
  for (const r of [1, 3, 4, 5, 29, 0x1002, -3, 777]) assert.equal(recoveryOf(r), 'reconnect', `result ${r}`);
});
