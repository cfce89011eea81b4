// The writer thread: init data over structured clone (secrets rewrapped), a mainframe port, stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { Secret } from '../../src/config/secret.js';
import type { PointsMessage } from '../../src/protocol.js';
import type { FromWriterThread, WriterInit } from '../../src/protocol.js';
import { startResponder } from '../helpers/responder.js';
import { fileWriterInit, tempDir, waitFor } from './util.js';

const WORKER = new URL('../../workers/writer.worker.js', import.meta.url);

/** Starts the real writer thread, waits for its READY, and hands it one mainframe port (as the supervisor does). */
async function startWriterThread(init: WriterInit) {
  const worker = new Worker(WORKER, { workerData: init });
  const got: FromWriterThread[] = [];
  worker.on('message', (m: FromWriterThread) => got.push(m));
  const exited = once(worker, 'exit');
  assert.ok(await waitFor(() => got.some((m) => m.type === 'ready')));
  const { port1, port2 } = new MessageChannel();
  worker.postMessage({ type: 'port', mainframe: 'mf1', port: port2 }, [port2]);
  return { worker, got, exited, port1 };
}

test('writer thread: ready, points through a transferred port to two sinks, secret rewrapped, status, stopped, exit', async (t) => {
  const dir = tempDir(t);
  const r = await startResponder();
  t.after(() => r.close());
  const TOKEN = 'worker-token-xyz';
  const init = fileWriterInit(dir, [{ kind: 'influx-v2', id: 'db', url: r.url, token: new Secret(TOKEN), org: 'o', bucket: 'b' }]);
  const { worker, got, exited, port1 } = await startWriterThread(init);
  const timeMs = Date.UTC(2024, 5, 1, 10, 0, 0);
  for (const sink of ['files', 'db'])
    port1.postMessage({ type: 'points', setup: 'GEM', sink, points: [{ measurement: 'HV', tags: { ChannelName: 'Drift' }, fields: { VMon: { type: 'float', value: 3000.5 } }, timeMs }] } satisfies PointsMessage);
  assert.ok(await waitFor(() => r.requests.length === 1));
  worker.postMessage({ type: 'stop', reason: 'test' });
  const [code] = await exited;
  assert.equal(code, 0);
  const types = got.map((m) => m.type);
  assert.ok(types.indexOf('stopped') > types.indexOf('ready'));
  const last = got.filter((m) => m.type === 'status').pop();
  assert.ok(last && last.type === 'status');
  assert.deepEqual(
    last.sinks.map((s) => [s.id, s.writtenLines, s.state]),
    [['files', 1, 'ok'], ['db', 1, 'ok']],
  );
  assert.equal(r.requests[0].headers.authorization, `Token ${TOKEN}`, 'the token survived the thread boundary as a Secret');
  assert.equal(r.requests[0].body, `HV,ChannelName=Drift VMon=3000.5 ${timeMs}`);
  assert.equal(readFileSync(join(dir, 'lp', 'gemcaen-2024-06-01.lp'), 'utf8'), `HV,ChannelName=Drift VMon=3000.5 ${timeMs}\n`);
  assert.ok(!JSON.stringify(got).includes(TOKEN));
  port1.close();
});

test('writer thread: points a mainframe posted before the stop reached the writer are written, not dropped with the closed port', async (t) => {
  const dir = tempDir(t);
  const init = fileWriterInit(dir);
  const { worker, got, exited, port1 } = await startWriterThread(init);
  const timeMs = Date.UTC(2024, 5, 1, 10, 0, 0);
  // the mainframe's last scans, then its end of channel, then (as the supervisor does once the task returned) stop
  const N = 50;
  for (let i = 0; i < N; i++)
    port1.postMessage({ type: 'points', setup: 'S', sink: 'files', points: [{ measurement: 'm', tags: { ch: String(i) }, fields: { VMon: { type: 'float', value: i + 0.5 } }, timeMs }] } satisfies PointsMessage);
  port1.postMessage({ type: 'stop', reason: 'mainframe task ended' });
  worker.postMessage({ type: 'stop', reason: 'test' });
  const [code] = await exited;
  assert.equal(code, 0);
  const lines = readFileSync(join(dir, 'lp', 'gemcaen-2024-06-01.lp'), 'utf8').trim().split('\n');
  assert.equal(lines.length, N, 'every point posted before stop is in the file');
  assert.equal(lines[N - 1], `m,ch=${N - 1} VMon=${N - 1 + 0.5} ${timeMs}`);
  port1.close();
});
