// Answers a real server cannot be made to give (413, 429, 503), from a scripted responder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret } from '../../src/config/secret.js';
import type { SinkConfig } from '../../src/config/types.js';
import { outcomeOf, parseRetryAfter, retryDelayMs, SINK_BACKOFF } from '../../src/writer/outcome.js';
import { startResponder } from '../helpers/responder.js';
import { collectLogs, f, makeWriter, msg, point, tempDir, waitFor } from './util.js';

const TOKEN = 'v2-TOKEN-abcdef-secret';
const sinkAt = (url: string, id = 'r'): SinkConfig => ({ kind: 'influx-v2', id, url, token: new Secret(TOKEN), org: 'CMS GEM project', bucket: 'GEM 904' });
const points = (n: number, from = 0) => Array.from({ length: n }, (_, k) => point({ ChannelName: 'c' + ((from + k) % 7) }, { VMon: f(from + k) }, 1_700_000_000_000 + from + k));
const bodyLines = (b: string) => b.split('\n').filter((l) => l !== '');

test('outcome table and back-off', () => {
  assert.equal(outcomeOf(204), 'accept');
  assert.equal(outcomeOf(413), 'split');
  assert.equal(outcomeOf(400), 'drop');
  assert.equal(outcomeOf(422), 'drop');
  for (const s of [401, 403, 404]) assert.equal(outcomeOf(s), 'config');
  for (const s of [429, 500, 503, 'network'] as const) assert.equal(outcomeOf(s), 'keep');
  const opts = { ...SINK_BACKOFF, initialMs: 100, maxMs: 1000 };
  assert.equal(retryDelayMs(1, opts, 2500), 2500, "the server's Retry-After wins");
  for (let a = 1; a < 10; a++) {
    const d = retryDelayMs(a, opts);
    const base = Math.min(1000, 100 * 2 ** (a - 1));
    assert.ok(d >= base * 0.8 && d <= Math.min(1000, base * 1.2), `attempt ${a}: ${d}`);
  }
  assert.equal(parseRetryAfter('3'), 3000);
  assert.equal(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString(), Date.now()) !== undefined, true);
});

test('request, path and headers: /api/v2/write with org, bucket, precision=ms and the token', async (t) => {
  const r = await startResponder();
  t.after(() => r.close());
  const w = makeWriter([sinkAt(r.url)], tempDir(t));
  await w.start();
  t.after(() => w.stop(500));
  w.accept(msg('r', points(3)));
  await w.flush();
  assert.equal(r.requests.length, 1);
  const req = r.requests[0];
  assert.equal(req.method, 'POST');
  assert.equal(req.url, '/api/v2/write?org=CMS%20GEM%20project&bucket=GEM%20904&precision=ms');
  assert.equal(req.headers.authorization, `Token ${TOKEN}`);
  assert.deepEqual(bodyLines(req.body), ['HV,ChannelName=c0 VMon=0 1700000000000', 'HV,ChannelName=c1 VMon=1 1700000000001', 'HV,ChannelName=c2 VMon=2 1700000000002']);
});

test('the body is the lines exactly, UTF-8 and ASCII alike, the first time (from memory) and on a retry (read back from the spool)', async (t) => {
  const r = await startResponder([{ status: 503 }]);
  t.after(() => r.close());
  const w = makeWriter([sinkAt(r.url)], tempDir(t), { settings: { backoff: { initialMs: 10, maxMs: 10 } } });
  await w.start();
  t.after(() => w.stop(500));
  const text = { type: 'string', value: 'Temp 31.5 °C' } as const;
  w.accept(msg('r', [point({ ChannelName: 'µA-Ström' }, { note: text }, 1_700_000_000_000), point({ ChannelName: 'plain' }, { VMon: f(1.5) }, 1_700_000_000_001)]));
  assert.ok(await waitFor(() => w.status()[0].writtenLines === 2, 5000), JSON.stringify(w.status()[0]));
  const want = 'HV,ChannelName=µA-Ström note="Temp 31.5 °C" 1700000000000\nHV,ChannelName=plain VMon=1.5 1700000000001';
  assert.deepEqual(r.requests.map((q) => q.body), [want, want], 'refused once (503), then sent again from the file');
  w.accept(msg('r', [point({ ChannelName: 'plain' }, { VMon: f(2.5) }, 1_700_000_000_002)]));
  await w.flush();
  assert.equal(r.requests[2]?.body, 'HV,ChannelName=plain VMon=2.5 1700000000002', 'an ASCII batch');
});

test('a body over the gzip threshold: gzipped, the lines exactly (UTF-8 too), the first time and on a retry from the spool', async (t) => {
  const r = await startResponder([{ status: 503 }]);
  t.after(() => r.close());
  const w = makeWriter([sinkAt(r.url)], tempDir(t), { settings: { backoff: { initialMs: 10, maxMs: 10 } } });
  await w.start();
  t.after(() => w.stop(500));
  const pts = Array.from({ length: 60 }, (_, k) => point({ ChannelName: k % 2 ? 'µA-Ström' : 'plain' }, { VMon: f(k + 0.5) }, 1_700_000_000_000 + k));
  w.accept(msg('r', pts));
  assert.ok(await waitFor(() => w.status()[0].writtenLines === 60, 5000), JSON.stringify(w.status()[0]));
  const want = pts.map((p, k) => `HV,ChannelName=${p.tags.ChannelName} VMon=${k + 0.5} ${1_700_000_000_000 + k}`).join('\n');
  assert.ok(Buffer.byteLength(want) > 1000, 'over the threshold');
  assert.deepEqual(r.requests.map((q) => [q.headers['content-encoding'], q.body]), [['gzip', want], ['gzip', want]], 'refused once (503), then sent again from the file');
});

test('413: the batch is split until it fits; every line delivered once, in order', async (t) => {
  const r = await startResponder([], (req) => (bodyLines(req.body).length > 30 ? { status: 413 } : { status: 204 }));
  t.after(() => r.close());
  const w = makeWriter([sinkAt(r.url)], tempDir(t), { settings: { batchMaxLines: 1000, batchMaxMs: 50 } });
  await w.start();
  t.after(() => w.stop(500));
  w.accept(msg('r', points(100)));
  await w.flush();
  const delivered = r.requests.filter((q) => bodyLines(q.body).length <= 30).flatMap((q) => bodyLines(q.body));
  assert.deepEqual(delivered.map((l) => Number(/VMon=(\d+)/.exec(l)![1])), Array.from({ length: 100 }, (_, k) => k));
  assert.equal(w.status()[0].writtenLines, 100);
  assert.equal(w.status()[0].droppedLines, 0);
});

test('429 and 503 are retried after the Retry-After the server asks for; nothing lost, state back to ok', async (t) => {
  const r = await startResponder([
    { status: 429, headers: { 'retry-after': '1' } },
    { status: 503, headers: { 'retry-after': '1' } },
  ]);
  t.after(() => r.close());
  const logs = collectLogs();
  const w = makeWriter([sinkAt(r.url)], tempDir(t), { log: logs.log, settings: { backoff: { initialMs: 10, maxMs: 20 } } });
  await w.start();
  t.after(() => w.stop(500));
  w.accept(msg('r', points(5)));
  assert.ok(await waitFor(() => w.status()[0].writtenLines === 5, 10_000));
  assert.equal(r.requests.length, 3);
  const gaps = [r.requests[1].at - r.requests[0].at, r.requests[2].at - r.requests[1].at];
  for (const g of gaps) assert.ok(g >= 950, `retried after ${g} ms, Retry-After is 1 s`);
  for (const q of r.requests) assert.equal(bodyLines(q.body).length, 5);
  assert.equal(w.status()[0].state, 'ok');
  assert.equal(logs.lines.filter((l) => l.level === 'warn').length, 1);
});

test('400: the batch is dropped and counted, later batches still go', async (t) => {
  const r = await startResponder([{ status: 400, body: '{"code":"invalid","message":"unable to parse"}' }]);
  t.after(() => r.close());
  const w = makeWriter([sinkAt(r.url)], tempDir(t));
  await w.start();
  t.after(() => w.stop(500));
  w.accept(msg('r', points(4)));
  await w.flush();
  w.accept(msg('r', points(2, 4)));
  await w.flush();
  const st = w.status()[0];
  assert.equal(st.droppedLines, 4);
  assert.equal(st.writtenLines, 2);
  assert.equal(st.spooledLines, 0);
  assert.match(st.lastError ?? '', /400: unable to parse/);
});

test('401 token rejected: kept, config-error naming influxDB.TOKEN, the token never in logs or status', async (t) => {
  const r = await startResponder([], { status: 401, body: `{"code":"unauthorized","message":"unauthorized access ${TOKEN}"}` });
  t.after(() => r.close());
  const logs = collectLogs();
  const w = makeWriter([sinkAt(r.url)], tempDir(t), { log: logs.log });
  await w.start();
  t.after(() => w.stop(500));
  w.accept(msg('r', points(3)));
  assert.ok(await waitFor(() => w.status()[0].requests >= 3));
  const st = w.status()[0];
  assert.equal(st.state, 'config-error');
  assert.equal(st.spooledLines, 3);
  const errors = logs.lines.filter((l) => l.level === 'error');
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /fix influxDB\.TOKEN/);
  assert.ok(!(JSON.stringify(logs.lines) + JSON.stringify(w.status())).includes(TOKEN));
});
