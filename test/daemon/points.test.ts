// The database schema of a scan: measurements, tags, typed fields, decoded status bits, Ieq.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SetupConfig } from '../../src/config/types.js';
import { toPoints, type SetupReading } from '../../src/poll/points.js';
import { kindOf } from '../../src/poll/plan.js';
import { float32Decimal } from '../../src/float32.js';
import { setupReads } from '../../src/setup-reads.js';

function setup(over: Partial<SetupConfig>): SetupConfig {
  return {
    name: 'S', monitorables: ['VMon', 'IMon', 'Status', 'Pw'], holdOffSeconds: 1, isGEM: false, mainframe: '127.0.0.1',
    slot: 2, channels: [3, 18], sink: 'file:x', heartbeatSeconds: 300, deadbands: {}, ...over,
  };
}

test('plain setup: CAEN_Board_Monitor with the board channel name, zero-padded channel, typed fields and 16 status bits', () => {
  const r: SetupReading = {
    setup: setup({}), mainframe: '127.0.0.1', model: 'A1535', channels: [3, 18], names: ['LV_A', 'LV_B'],
    values: new Map([['VMon', [12.5, 100]], ['IMon', [0.25, 1]], ['Status', [0b1001, 1 << 15]], ['Pw', [1, 0]]]),
    kinds: new Map([['VMon', 'float'], ['IMon', 'float'], ['Status', 'status'], ['Pw', 'int']]),
    board: new Map([['Temp', { value: 31.5, kind: 'float' }], ['BdStatus', { value: 0, kind: 'int' }]]),
    timeMs: 1_700_000_000_123,
  };
  const points = toPoints(r);
  assert.equal(points.length, 3);
  const [p0, p1, board] = points;
  assert.equal(p0.measurement, 'CAEN_Board_Monitor');
  assert.deepEqual(p0.tags, { ChannelName: 'LV_A', setup: 'S', mainframe: '127.0.0.1', slot: '2', channel: '03', board: 'A1535' });
  assert.equal(p0.timeMs, 1_700_000_000_123);
  assert.deepEqual(p0.fields.VMon, { type: 'float', value: 12.5 });
  assert.deepEqual(p0.fields.Status, { type: 'int', value: 9 });
  assert.deepEqual(p0.fields.Pw, { type: 'int', value: 1 });
  assert.deepEqual(p0.fields.Status_ON, { type: 'int', value: 1 });
  assert.deepEqual(p0.fields.Status_OVC, { type: 'int', value: 1 });
  assert.deepEqual(p0.fields.Status_RUP, { type: 'int', value: 0 });
  assert.equal(Object.keys(p0.fields).filter((k) => k.startsWith('Status_')).length, 16);
  assert.equal(p1.tags.channel, '18');
  assert.deepEqual(p1.fields.Status_TEMPERR, { type: 'int', value: 1 });
  assert.deepEqual(p1.fields.Status_ON, { type: 'int', value: 0 });
  assert.equal(board.measurement, 'CAEN_Board');
  assert.deepEqual(board.tags, { setup: 'S', mainframe: '127.0.0.1', slot: '2', board: 'A1535' });
  assert.deepEqual(board.fields, { Temp: { type: 'float', value: 31.5 }, BdStatus: { type: 'int', value: 0 } });
});

test('GEM setup: HV measurement, electrode alias as ChannelName, layer tag, Ieq = VMon / R by name suffix', () => {
  const s = setup({ isGEM: true, layer: 2, slot: 0, channels: [7, 8, 13], monitorables: ['VMon', 'Ieq'], gem: { resistorsMOhm: { G3BOT: 0.625007477, G3TOP: 0.525001495, G0BOT: 1.125007477 } } });
  assert.deepEqual(setupReads(s.monitorables).chParams, ['VMon']);
  const r: SetupReading = {
    setup: s, mainframe: 'mf', model: 'A1515TG', channels: [7, 8, 13], names: ['L2_G3BOT', 'L2_G3TOP', 'L2_G0BOT'],
    values: new Map([['VMon', [400, 300, 600]]]), kinds: new Map([['VMon', 'float']]), board: new Map(), timeMs: 5,
  };
  const all = toPoints(r);
  // per channel: the read parameters, then Ieq on a point of its own (same measurement, tags, time)
  const points = all.filter((p) => !('Ieq' in p.fields));
  const ieq = all.filter((p) => 'Ieq' in p.fields);
  assert.equal(points.length, 3);
  assert.deepEqual(points.map((p) => p.tags.ChannelName), ['G3Bot', 'G3Top', 'Drift']);
  assert.ok(all.every((p) => p.measurement === 'HV' && p.tags.layer === '2'));
  assert.deepEqual(ieq.map((p) => p.tags), points.map((p) => p.tags), 'Ieq in the same series as its channel');
  assert.ok(ieq.every((p) => p.timeMs === 5 && Object.keys(p.fields).length === 1 && p.fields.Ieq.type === 'float'), 'Ieq alone on its line, a float');
  assert.ok(points.every((p) => p.fields.Ieq === undefined && p.fields.VMon !== undefined), 'VMon never on the Ieq line');
  assert.equal(all.length, 6);
  assert.equal(ieq[0].fields.Ieq.value, Number((400 / 0.625007477).toFixed(1)), 'Ieq to one decimal');
  assert.equal(ieq[2].fields.Ieq.value, Number((600 / 1.125007477).toFixed(1)));
});

test('parameter types map onto field kinds; strings are not logged', () => {
  assert.equal(kindOf({ type: 'NUMERIC' }), 'float');
  assert.equal(kindOf({ type: 'CHSTATUS' }), 'status');
  assert.equal(kindOf({ type: 'ONOFF' }), 'int');
  assert.equal(kindOf({ type: 6 }), 'int');
  assert.equal(kindOf({ type: 'STRING' }), null);
});

test('float32 readings are written as their shortest decimal', () => {
  assert.equal(float32Decimal(Math.fround(433.4)), 433.4);
  assert.equal(float32Decimal(Math.fround(0.217)), 0.217);
  assert.equal(float32Decimal(Math.fround(-1.5e-7)), -1.5e-7);
  assert.equal(float32Decimal(0.1 + 0.2), 0.3); // a double: the float32 it would travel as
});
