// The event bus's order and snapshot rules: listeners run in the order they subscribed, once each
// however often they subscribe; an emit runs the listeners subscribed when it began (one subscribed or
// unsubscribed meanwhile by another listener takes effect from the next emit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DaemonEvents } from '../../src/events/bus.js';
import type { SetupStateEvent } from '../../src/events/types.js';

const event: SetupStateEvent = { setup: 'A', mainframe: 'mf', paused: true, timeMs: 1 };

test('listeners run in subscription order, once each; off removes only the one given', () => {
  const bus = new DaemonEvents();
  const calls: string[] = [];
  const a = () => calls.push('a');
  const b = () => calls.push('b');
  bus.on('setup-state', a).on('setup-state', b).on('setup-state', a);
  assert.equal(bus.listenerCount('setup-state'), 2);
  bus.emit('setup-state', event);
  bus.off('setup-state', a).off('setup-state', () => {});
  bus.emit('setup-state', event);
  assert.deepEqual(calls, ['a', 'b', 'b']);
});

test('a listener that subscribes or unsubscribes others during an emit changes the next emit, not this one', () => {
  const bus = new DaemonEvents();
  const calls: string[] = [];
  const late = () => calls.push('late');
  const second = () => calls.push('second');
  const first = () => {
    calls.push('first');
    bus.off('setup-state', second).on('setup-state', late);
  };
  bus.on('setup-state', first).on('setup-state', second);
  bus.emit('setup-state', event);
  assert.deepEqual(calls, ['first', 'second']);
  calls.length = 0;
  bus.off('setup-state', first);
  bus.emit('setup-state', event);
  assert.deepEqual(calls, ['late']);
});
