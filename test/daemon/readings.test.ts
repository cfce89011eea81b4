// The compact readings a mainframe worker sends the writer (src/readings.ts): the same points as toPoints,
// the layout kept per setup until it changes, and the real writer thread turning them into lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { layoutKey, readingsLayout, readingsValues, toPoints } from '../../src/poll/points.js';
import type { FromWriterThread, ReadingsMessage } from '../../src/protocol.js';
import { expandReadings, pointCount, ReadingsIntake } from '../../src/readings.js';
import { fileWriterInit, intakePoints, tempDir, waitFor } from '../writer/util.js';
import { setupReading } from '../helpers/setup-reading.js';

const reading = setupReading;

test('layout + values expand to the points toPoints gives; a status word that is not a number gives no bit fields', () => {
  const r = reading();
  const layout = readingsLayout(r);
  const values = readingsValues(r);
  const points = expandReadings(layout, values, r.timeMs);
  assert.deepEqual(points, toPoints(r));
  assert.equal(pointCount(layout, values), 3);
  assert.deepEqual(points[0]!.fields.VMon, { type: 'float', value: 433.4 }, 'float32 as its shortest decimal');
  assert.equal(points[0]!.fields.Status_OVC?.value, 1);
  assert.equal(Object.keys(points[1]!.fields).filter((k) => k.startsWith('Status')).length, 0, 'NaN status: no Status fields');
});

test('GEM: Ieq on its own point, from the VMon of the same scan; a channel without a resistor has no Ieq point', () => {
  const r = reading(
    { channels: [7, 8], names: ['L2_G3BOT', 'L2_NOPE'], values: new Map([['VMon', [400, 300]]]), kinds: new Map([['VMon', 'float']]), board: new Map() },
    { isGEM: true, layer: 2, slot: 0, channels: [7, 8], monitorables: ['VMon', 'Ieq'], gem: { resistorsMOhm: { G3BOT: 0.625007477 } } },
  );
  const points = expandReadings(readingsLayout(r), readingsValues(r), r.timeMs);
  assert.deepEqual(points, toPoints(r));
  assert.deepEqual(points.map((p) => Object.keys(p.fields)), [['VMon'], ['Ieq'], ['VMon']]);
  assert.equal(pointCount(readingsLayout(r), readingsValues(r)), 3);
});

test('the intake keeps each setup\'s layout until a new one comes; values before a layout or of another width are refused', () => {
  const intake = new ReadingsIntake();
  const r = reading();
  const msg = (layout: boolean, values = readingsValues(r)): ReadingsMessage => ({ type: 'readings', setup: 'S', sink: 'files', timeMs: r.timeMs, values, ...(layout ? { layout: readingsLayout(r) } : {}) });
  assert.ok('error' in intakePoints(intake, msg(false)), 'no layout yet');
  assert.deepEqual(intakePoints(intake, msg(true)), toPoints(r));
  assert.deepEqual(intakePoints(intake, msg(false)), toPoints(r), 'the kept layout');
  assert.ok('error' in intakePoints(intake, msg(false, new Float64Array(3))), 'values that do not fit the layout');
  const renamed = reading({ names: ['LV_A', 'RENAMED'] });
  assert.notEqual(layoutKey(renamed), layoutKey(r), 'a renamed channel is a new layout');
  const points = intakePoints(intake, { type: 'readings', setup: 'S', sink: 'files', timeMs: 5, layout: readingsLayout(renamed), values: readingsValues(renamed) });
  assert.ok(!('error' in points));
  assert.equal(points[1]!.tags.ChannelName, 'RENAMED');
});

test('writer thread: readings on a mainframe port become lines (the layout sent once), values without a layout none', async (t) => {
  const dir = tempDir(t);
  const init = fileWriterInit(dir);
  const worker = new Worker(new URL('../../workers/writer.worker.js', import.meta.url), { workerData: init });
  const got: FromWriterThread[] = [];
  worker.on('message', (m: FromWriterThread) => got.push(m));
  const exited = once(worker, 'exit');
  assert.ok(await waitFor(() => got.some((m) => m.type === 'ready')));
  const { port1, port2 } = new MessageChannel();
  worker.postMessage({ type: 'port', mainframe: 'mf', port: port2 }, [port2]);
  const timeMs = Date.UTC(2024, 5, 1, 10, 0, 0);
  const first = reading({ timeMs });
  const second = reading({ timeMs: timeMs + 1000, values: new Map([['VMon', [434, 101]], ['Status', [1, 1]], ['Pw', [0, 1]]]) });
  port1.postMessage({ type: 'readings', setup: 'OTHER', sink: 'files', timeMs, values: readingsValues(first) } satisfies ReadingsMessage);
  port1.postMessage({ type: 'readings', setup: 'S', sink: 'files', timeMs, layout: readingsLayout(first), values: readingsValues(first) } satisfies ReadingsMessage);
  port1.postMessage({ type: 'readings', setup: 'S', sink: 'files', timeMs: timeMs + 1000, values: readingsValues(second) } satisfies ReadingsMessage);
  port1.postMessage({ type: 'stop', reason: 'mainframe task ended' });
  worker.postMessage({ type: 'stop', reason: 'test' });
  const [code] = await exited;
  assert.equal(code, 0);
  const lines = readFileSync(join(dir, 'lp', 'gemcaen-2024-06-01.lp'), 'utf8').trim().split('\n');
  assert.ok(lines.every((l) => !l.includes('setup=OTHER')), 'no line from values without a layout');
  assert.ok(lines.some((l) => l.startsWith('CAEN_Board_Monitor,') && l.includes('ChannelName=LV_A') && l.includes('VMon=433.4') && l.endsWith(` ${timeMs}`)));
  assert.ok(lines.some((l) => l.includes('ChannelName=LV_B') && l.includes('VMon=101') && l.endsWith(` ${timeMs + 1000}`)), 'the second scan, with the kept layout');
  assert.ok(lines.some((l) => l.startsWith('CAEN_Board,') && l.includes('Temp=31.5')));
  assert.ok(got.some((m) => m.type === 'log' && m.level === 'error'), 'the refused readings are logged as an error');
  port1.close();
});
