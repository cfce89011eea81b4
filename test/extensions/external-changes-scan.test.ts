// The external-change check on the state's scans, without a crate (src/supervisor/external-changes.ts
// reads each scan's values by its layout): what it reports, what it does not, across layouts and setups
// that share a channel. Timers are node:test's mock timers: the hold time passes by tick, not by waiting.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { SetpointEvent } from '../../src/events/types.js';
import { ExternalChanges } from '../../src/supervisor/external-changes.js';
import { DaemonState } from '../../src/supervisor/state.js';
import { captureLogger } from '../helpers/capture-log.js';
import { scanOf, type ReadingInput } from '../helpers/scan-table.js';

const HOLD_MS = 1000;
const INTTRIP = 1 << 9;

function setup(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const state = new DaemonState();
  for (const name of ['A', 'B']) state.setups.set(name, { name, mainframe: 'mf', sink: 'k', holdOffSeconds: 1, paused: false, scans: 0 });
  const { log, lines } = captureLogger();
  const ext = new ExternalChanges(state.events, log, { holdMs: HOLD_MS });
  t.after(() => ext.close());
  const reported: SetpointEvent[] = [];
  state.events.on('setpoint', (e) => {
    if (e.external) reported.push(e);
  });
  let time = 1000;
  const scan = (setup: string, channels: readonly ReadingInput[]) => {
    state.recordScan(setup, (time += 1000), 1, 1, 1, ...scanOf(channels));
    t.mock.timers.tick(HOLD_MS + 1);
  };
  return { state, ext, reported, lines, scan };
}

const ch = (channel: number, values: Record<string, number>, name = `HV${channel}`): ReadingInput => ({ slot: 3, channel, name, values });

test('a set point changed between two scans is reported once, with the channel and both values; an unchanged one is not', (t) => {
  const { reported, lines, scan } = setup(t);
  scan('A', [ch(0, { VMon: 1, V0Set: 450, Status: 1 }), ch(1, { VMon: 2, V0Set: 300, Status: 1 })]);
  scan('A', [ch(0, { VMon: 3, V0Set: 450, Status: 1 }), ch(1, { VMon: 4, V0Set: 310, Status: 1 })]);
  scan('A', [ch(0, { VMon: 5, V0Set: 450, Status: 1 }), ch(1, { VMon: 6, V0Set: 310, Status: 1 })]);
  assert.deepEqual(reported.map((e) => [e.mainframe, e.setup, e.slot, e.channel, e.name, e.param, e.before, e.after, e.who, e.code]), [
    ['mf', 'A', 3, 1, 'HV1', 'V0Set', 300, 310, 'external', 'EXTERNAL'],
  ]);
  assert.equal(reported[0]!.timeMs, 3000, 'the time of the scan that showed it');
  assert.equal(lines.filter((l) => l.level === 'warn').length, 1);
});

test('an own set point announced before the scan that shows it is not reported', (t) => {
  const { state, reported, scan } = setup(t);
  scan('A', [ch(0, { V0Set: 450 })]);
  state.events.emit('setpoint', { timeMs: 1, who: 'ana', from: 'cli', mainframe: 'mf', setup: 'A', slot: 3, channel: 0, param: 'V0Set', before: 450, after: 460, code: 'OK', external: false });
  scan('A', [ch(0, { V0Set: 460 })]);
  assert.deepEqual(reported, []);
});

test('a new layout (other parameter order, a channel more) compares each parameter with its own last value; a renamed channel is reported as Name', (t) => {
  const { reported, scan } = setup(t);
  scan('A', [ch(0, { V0Set: 450, I0Set: 10 })]);
  scan('A', [ch(5, { I0Set: 10, V0Set: 450, RUp: 5 }), ch(0, { I0Set: 10, V0Set: 450, RUp: 5 }, 'NEWNAME')]);
  assert.deepEqual(reported.map((e) => [e.channel, e.param, e.before, e.after]), [[0, 'Name', 'HV0', 'NEWNAME']]);
  scan('A', [ch(5, { I0Set: 10, V0Set: 450, RUp: 7 }), ch(0, { I0Set: 11, V0Set: 450, RUp: 5 }, 'NEWNAME')]);
  assert.deepEqual(reported.slice(1).map((e) => [e.channel, e.param, e.before, e.after]), [[5, 'RUp', 5, 7], [0, 'I0Set', 10, 11]]);
});

test('two setups reading the same channel of a crate report its change once', (t) => {
  const { reported, scan } = setup(t);
  scan('A', [ch(0, { V0Set: 450 })]);
  scan('B', [ch(0, { V0Set: 450, VMon: 1 })]);
  scan('A', [ch(0, { V0Set: 500 })]);
  scan('B', [ch(0, { V0Set: 500, VMon: 1 })]);
  assert.deepEqual(reported.map((e) => [e.setup, e.param, e.before, e.after]), [['A', 'V0Set', 450, 500]]);
});

test('Pw going off with a trip bit set is the crate\'s doing (an alarm), without one it is a change', (t) => {
  const { reported, scan } = setup(t);
  scan('A', [ch(0, { Pw: 1, Status: 1 }), ch(1, { Pw: 1, Status: 1 })]);
  scan('A', [ch(0, { Pw: 0, Status: INTTRIP }), ch(1, { Pw: 0, Status: 0 })]);
  assert.deepEqual(reported.map((e) => [e.channel, e.param, e.before, e.after]), [[1, 'Pw', 1, 0]]);
});
