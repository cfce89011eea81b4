// The influx-v2 sink through the official client's transport into a real VictoriaMetrics (/api/v2/write).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Secret } from '../../src/config/secret.js';
import type { SinkConfig } from '../../src/config/types.js';
import { sampleCount, startVictoria, type VictoriaServer } from '../helpers/victoria.js';
import { collectLogs, f, i, makeWriter, msg, point, tempDir, waitFor } from './util.js';

let vm: VictoriaServer;
before(async () => {
  vm = await startVictoria();
});
after(async () => {
  await vm.dispose();
});

const T0 = Date.now() - 3_600_000; // VictoriaMetrics drops points more than 2 days in the future or before retention

function v2(id: string, bucket = 'GEM 904 cosmic ME0 stand'): SinkConfig {
  return { kind: 'influx-v2', id, url: vm.url, token: new Secret('tok-SECRET-123'), org: 'CMS GEM project', bucket };
}

async function vmRequests(): Promise<number> {
  const text = await (await fetch(`${vm.url}/metrics`)).text();
  const m = /vm_http_requests_total\{path="\/influx\/write", protocol="influx"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

test('exact tags, fields and ms timestamps read back; one request per batch', async (t) => {
  const spool = tempDir(t);
  const w = makeWriter([v2('v2a')], spool, { settings: { batchMaxMs: 300 } });
  await w.start();
  t.after(() => w.stop(1000));
  const before = await vmRequests();
  // 3 messages inside one batch window: 2 channels × 2 timestamps
  w.accept(msg('v2a', [point({ ChannelName: 'G3 Bot', Layer: '1' }, { VMon: f(701.25), IMon: f(1), Status: i(3) }, T0)]));
  w.accept(msg('v2a', [point({ ChannelName: 'G3Top', Layer: '1' }, { VMon: f(650.5), IMon: f(0.5), Status: i(1) }, T0)]));
  w.accept(msg('v2a', [point({ ChannelName: 'G3 Bot', Layer: '1' }, { VMon: f(702.75), IMon: f(1), Status: i(3) }, T0 + 1000)]));
  await w.flush();
  // the server's own request counter (it is updated just after the answer: poll, then make sure it stays)
  await waitFor(async () => (await vmRequests()) > before, 2000);
  await sleep(300);
  assert.equal((await vmRequests()) - before, 1, 'one HTTP request for the batch');
  const st = w.status()[0];
  assert.equal(st.writtenLines, 3);
  assert.equal(st.requests, 1);
  assert.equal(st.state, 'ok');
  const series = await vm.exportSeries('{__name__=~"HV_.*"}', (s) => sampleCount(s) >= 7);
  const byKey = new Map(series.map((s) => [`${s.metric.__name__}|${s.metric.ChannelName}|${s.metric.Layer}`, s]));
  assert.equal(series.length, 6);
  assert.deepEqual(byKey.get('HV_VMon|G3 Bot|1')?.values, [701.25, 702.75]);
  assert.deepEqual(byKey.get('HV_VMon|G3 Bot|1')?.timestamps, [T0, T0 + 1000]);
  // the unchanged IMon and Status of the second reading are deduplicated
  assert.deepEqual(byKey.get('HV_IMon|G3 Bot|1')?.timestamps, [T0]);
  assert.deepEqual(byKey.get('HV_Status|G3 Bot|1')?.values, [3]);
  assert.deepEqual(byKey.get('HV_VMon|G3Top|1')?.values, [650.5]);
  assert.deepEqual(Object.keys(byKey.get('HV_VMon|G3Top|1')!.metric).sort(), ['ChannelName', 'Layer', '__name__']);
});

test('database down for a few seconds while points keep coming: every point arrives afterwards', async (t) => {
  const spool = tempDir(t);
  const logs = collectLogs();
  const w = makeWriter([v2('v2b')], spool, { log: logs.log, settings: { batchMaxMs: 100, requestTimeoutMs: 1000 } });
  await w.start();
  t.after(() => w.stop(1000));
  let n = 0;
  const send = (count: number) => {
    for (let k = 0; k < count; k++, n++) w.accept(msg('v2b', [point({ ChannelName: 'outage' }, { VMon: f(n) }, T0 + n * 10)]));
  };
  send(20);
  await w.flush();
  await vm.stop();
  for (let s = 0; s < 30; s++) {
    send(10);
    await sleep(100);
  }
  assert.equal(w.status()[0].state, 'failing');
  assert.ok(w.status()[0].spooledLines > 0);
  await vm.start();
  for (let s = 0; s < 5; s++) {
    send(10);
    await sleep(100);
  }
  assert.ok(await waitFor(async () => (await w.flush(), w.status()[0].spooledLines === 0 && w.status()[0].state === 'ok'), 20_000, 200));
  const got = await vm.exportSeries('{ChannelName="outage"}', (s) => sampleCount(s) >= n);
  const values = got[0].values.slice().sort((a, b) => a - b);
  assert.deepEqual(values, Array.from({ length: n }, (_, k) => k), 'all points, each once');
  assert.equal(w.status()[0].writtenLines, n);
  const warn = logs.lines.filter((l) => l.level === 'warn' && l.message.includes('cannot write'));
  assert.equal(warn.length, 1, 'the failure is logged once, not per attempt');
  assert.equal(logs.lines.filter((l) => l.message.includes('again after')).length, 1, 'the recovery is logged once');
});

test('a writer restarted over a non-empty spool replays it in order, in big batches', async (t) => {
  const spool = tempDir(t);
  // first run: the server URL is unreachable (closed port), everything stays in the spool
  const dead: SinkConfig = { kind: 'influx-v2', id: 'v2c', url: 'http://127.0.0.1:9', token: new Secret('x'), org: 'o', bucket: 'b' };
  const w1 = makeWriter([dead], spool, { settings: { batchMaxMs: 50, batchMaxLines: 100 } });
  await w1.start();
  const N = 12_000;
  for (let k = 0; k < N; k += 100) {
    w1.accept(msg('v2c', Array.from({ length: 100 }, (_, j) => point({ ChannelName: 'replay', ch: String(j % 10) }, { V: f(k + j) }, T0 + k + j))));
  }
  await w1.stop(200);
  assert.equal(w1.status()[0].spooledLines, N);
  // second run: the same sink id, now pointing at the server
  const w2 = makeWriter([v2('v2c')], spool, { settings: { batchMaxMs: 50, replayBatchLines: 5000 } });
  await w2.start();
  t.after(() => w2.stop(1000));
  assert.ok(await waitFor(() => w2.status()[0].spooledLines === 0, 20_000));
  assert.equal(w2.status()[0].writtenLines, N);
  assert.ok(w2.status()[0].requests <= 4, `replayed in ${w2.status()[0].requests} requests`);
  const got = await vm.exportSeries('{ChannelName="replay"}', (s) => sampleCount(s) >= N);
  assert.equal(sampleCount(got), N);
});
