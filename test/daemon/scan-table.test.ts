// The supervisor's side of a scan (src/supervisor/scan-table.ts, DaemonState.recordScan): the worker's
// values (the writer's array, Ieq and board included) read by the layout it sent with the first scan,
// the latest reading of each channel, the scan event's readings, status changes across layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SetupConfig } from '../../src/config/types.js';
import type { ScanEvent, StatusChangeEvent } from '../../src/events/types.js';
import { readingsValues, scanLayout, type SetupReading } from '../../src/poll/points.js';
import { DaemonState } from '../../src/supervisor/state.js';
import { scanOf } from '../helpers/scan-table.js';
import { setupReading } from '../helpers/setup-reading.js';

/** the shared scan with a VMon of 433.5 and the board's BdStatus too */
function reading(over: Partial<SetupReading> = {}, setup: Partial<SetupConfig> = {}): SetupReading {
  return setupReading({
    values: new Map([['VMon', [433.5, 100]], ['Status', [0b1001, NaN]], ['Pw', [1, 0]]]),
    board: new Map([['Temp', { value: 31.5, kind: 'float' }], ['BdStatus', { value: 0, kind: 'int' }]]),
    ...over,
  }, setup);
}

function daemonState() {
  const state = new DaemonState();
  state.setups.set('S', { name: 'S', mainframe: 'mf', sink: 'files', holdOffSeconds: 1, paused: false, scans: 0 });
  const scans: ScanEvent[] = [];
  const changes: StatusChangeEvent[] = [];
  state.events.on('scan', (e) => scans.push(e)).on('status-change', (e) => changes.push(e));
  return { state, scans, changes };
}

test('the writer\'s values read by the scan layout: a reading per channel (no Ieq), the board by name, the same objects in the event and in latest', () => {
  const { state, scans } = daemonState();
  const r = reading({}, { isGEM: true, monitorables: ['VMon', 'Status', 'Pw', 'Ieq'], gem: { resistorsMOhm: {} } });
  const layout = scanLayout(r);
  assert.equal(layout.stride, 4, 'the Ieq column follows the parameters');
  assert.ok(state.recordScan('S', r.timeMs, 2.5, 8, 3, layout, readingsValues(r)));
  const e = scans[0]!;
  assert.deepEqual({ ...e, channels: [...e.channels], layout: undefined, values: undefined }, {
    mainframe: 'mf', setup: 'S', slot: 2, timeMs: r.timeMs, durationMs: 2.5, calls: 8, points: 3, layout: undefined, values: undefined,
    board: { Temp: 31.5, BdStatus: 0 },
    channels: [
      { setup: 'S', slot: 2, channel: 3, name: 'LV_A', timeMs: r.timeMs, values: { VMon: 433.5, Status: 9, Pw: 1 } },
      { setup: 'S', slot: 2, channel: 18, name: 'LV_B', timeMs: r.timeMs, values: { VMon: 100, Status: NaN, Pw: 0 } },
    ],
  });
  assert.equal(e.channels[1], state.latest.get('S/18'), 'one object per channel and scan');
  assert.equal(JSON.parse(JSON.stringify(e)).channels.length, 2, 'the event serialises with its readings');
  assert.deepEqual([...state.latest.keys()], ['S/3', 'S/18']);
  assert.equal(state.latest.size, 2);
  assert.deepEqual(state.readings().S!.map((x) => x.channel), [3, 18]);
  assert.deepEqual(state.setups.get('S')!.scans, 1);
});

test('later scans without a layout use the last one; a reading once made does not change with later scans', () => {
  const { state, scans } = daemonState();
  const r = reading();
  assert.ok(state.recordScan('S', r.timeMs, 1, 8, 3, scanLayout(r), readingsValues(r)));
  const first = scans[0]!;
  const second = reading({ timeMs: r.timeMs + 1000, values: new Map([['VMon', [440, 101]], ['Status', [1, 1]], ['Pw', [1, 1]]]) });
  assert.ok(state.recordScan('S', second.timeMs, 1, 8, 3, undefined, readingsValues(second)));
  assert.equal(state.latest.get('S/3')?.values.VMon, 440);
  assert.equal(state.latest.get('S/3')?.timeMs, second.timeMs);
  // the first event's readings, read only now, are still those of the first scan
  assert.equal(first.channels[0]!.values.VMon, 433.5);
  assert.equal(first.channels[0]!.timeMs, r.timeMs);
  assert.equal(scans[1]!.channels[1]!.values.VMon, 101);
  assert.equal(state.setups.get('S')!.scans, 2);
});

test('values without any layout, or not fitting it, are not recorded', () => {
  const { state, scans } = daemonState();
  const r = reading();
  assert.equal(state.recordScan('S', r.timeMs, 1, 8, 3, undefined, readingsValues(r)), false, 'no layout yet');
  assert.equal(state.recordScan('S', r.timeMs, 1, 8, 3, scanLayout(r), new Float64Array(5)), false, 'values of another width');
  assert.equal(scans.length, 0);
  assert.equal(state.setups.get('S')!.scans, 0);
  assert.equal(state.latest.size, 0);
  assert.equal(state.latest.get('S/3'), undefined);
});

test('a new layout (a renamed channel, a channel less): names follow, Status changes carry over, a channel no longer read keeps its last reading', () => {
  const { state, changes } = daemonState();
  const r = reading();
  state.recordScan('S', r.timeMs, 1, 8, 3, scanLayout(r), readingsValues(r));
  assert.deepEqual(changes.map((c) => [c.channel, c.before, c.after]), [[3, undefined, 9]], 'a first Status word is a change; NaN is none');
  const renamed = reading({ timeMs: r.timeMs + 1000, channels: [3], names: ['RENAMED'], values: new Map([['VMon', [1]], ['Status', [0b1001]], ['Pw', [1]]]) });
  state.recordScan('S', renamed.timeMs, 1, 8, 3, scanLayout(renamed), readingsValues(renamed));
  assert.equal(changes.length, 1, 'the same Status word under the new layout is no change');
  assert.equal(state.latest.get('S/3')?.name, 'RENAMED');
  assert.equal(state.latest.get('S/18')?.values.VMon, 100, 'kept from the scan it was last in');
  const tripped = reading({ timeMs: r.timeMs + 2000, channels: [3], names: ['RENAMED'], values: new Map([['VMon', [1]], ['Status', [0b1000000001]], ['Pw', [1]]]) });
  state.recordScan('S', tripped.timeMs, 1, 8, 3, undefined, readingsValues(tripped));
  const last = changes.at(-1)!;
  assert.deepEqual([last.channel, last.name, last.before, last.after, last.set, last.cleared, last.timeMs, last.slot, last.mainframe], [3, 'RENAMED', 9, 0b1000000001, ['INTTRIP'], ['OVC'], tripped.timeMs, 2, 'mf']);
});

test('a setup without Status, or without board values: no status change, an empty board', () => {
  const { state, scans, changes } = daemonState();
  state.recordScan('S', 1, 1, 1, 1, ...scanOf([{ slot: 4, channel: 0, name: '', values: { VMon: 5 } }]));
  assert.equal(changes.length, 0);
  assert.deepEqual(scans[0]!.board, {});
  assert.equal(scans[0]!.slot, 4);
  state.recordScan('S', 2, 1, 1, 1, ...scanOf([]));
  assert.equal(scans[1]!.slot, 0, 'no channel: slot 0');
  assert.equal(scans[1]!.channels.length, 0);
});
