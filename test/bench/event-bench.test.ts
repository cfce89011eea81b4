// The pieces bench part 8 (event mode vs polling) measures with: its configs are what the real loader
// reads as event mode and a short writer batch; the forwarder passes writes through unchanged, answers what
// the database answered, and finds a changed value only in writes the database acknowledged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseConfig } from '../../src/config/load.js';
import { configYaml } from '../../scripts/bench/fixtures.js';
import { percentile } from '../../scripts/bench/stats.js';
import { numericField, parseLine, WriteForwarder } from '../../scripts/bench/write-forwarder.js';
import { waitUntil } from '../helpers/wait.js';

test('config: event mode with its reconcile interval, the bucket and BatchMaxMilliseconds reach the loaded config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gemcaen-bench-test-'));
  try {
    const text = configYaml({ addresses: ['127.0.0.1'], library: '/x/libcaenhvwrapper.so', dir, sink: { kind: 'influx-v2', url: 'http://127.0.0.1:9' }, bucket: 'events_fast', batchMaxMilliseconds: 20, events: { reconcileSeconds: 60 } });
    const config = parseConfig(text, join(dir, 'config.yml'));
    assert.equal(config.settings.batchMaxMilliseconds, 20);
    const [mf] = [...config.mainframes.values()];
    assert.equal(mf.events?.listenHost, '127.0.0.1');
    assert.equal(mf.events?.reconcileSeconds, 60);
    const [sink] = [...config.sinks.values()];
    assert.equal(sink.kind === 'influx-v2' ? sink.bucket : undefined, 'events_fast');
    const polled = parseConfig(configYaml({ addresses: ['127.0.0.1'], library: '/x/lib.so', dir, sink: { kind: 'file', directory: dir } }), join(dir, 'config.yml'));
    assert.equal([...polled.mainframes.values()][0].events, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('line protocol: tags, escaped spaces and commas, quoted strings, integer fields, timestamp', () => {
  const l = parseLine('CAEN_Board_Monitor,ChannelName=GEM\\ 1\\,top,channel=03,setup=B0_S05 I0Set=123,Status_INTTRIP=1i,text="a b, c=d" 1700000000123');
  assert.ok(l);
  assert.equal(l.measurement, 'CAEN_Board_Monitor');
  assert.deepEqual(l.tags, { ChannelName: 'GEM 1,top', channel: '03', setup: 'B0_S05' });
  assert.equal(numericField(l.fields.I0Set), 123);
  assert.equal(numericField(l.fields.Status_INTTRIP), 1);
  assert.equal(l.fields.text, '"a b, c=d"');
  assert.equal(l.time, 1700000000123);
  assert.equal(parseLine(''), null);
  assert.ok(Number.isNaN(numericField(undefined)));
});

test('percentile: nearest rank', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(xs, 99), 99);
  assert.equal(percentile(xs, 50), 50);
  assert.equal(percentile([5], 99), 5);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('forwarder: passes a gzip write through unchanged, answers what the database answered, resolves a watch only on an acknowledged write', async (t) => {
  const got: { url: string; encoding: string | undefined; auth: string | undefined; body: Buffer }[] = [];
  let status = 500;
  const upstream = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
      got.push({ url: req.url ?? '', encoding: req.headers['content-encoding'], auth: req.headers.authorization, body: Buffer.concat(chunks) });
      res.writeHead(status).end(status === 204 ? '' : 'down');
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  t.after(() => upstream.close());
  const fwd = await WriteForwarder.start(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  t.after(() => fwd.close());

  let seen: { arrivedMs: number; ackedMs: number; pointTimeMs: number } | undefined;
  const other = { resolved: false };
  void fwd.watch({ bucket: 'b1', matches: (l) => l.tags.channel === '03' && numericField(l.fields.I0Set) === 123 }).then((a) => (seen = a));
  void fwd.watch({ bucket: 'b2', matches: () => true }).then(() => (other.resolved = true));
  const lines = 'CAEN_Board_Monitor,channel=01 I0Set=50 1700000000000\nCAEN_Board_Monitor,channel=03 I0Set=123 1700000000123\n';
  const body = gzipSync(lines);
  const post = () => fetch(`${fwd.url}/api/v2/write?org=o&bucket=b1&precision=ms`, { method: 'POST', headers: { 'content-encoding': 'gzip', authorization: 'Token t' }, body });

  const refused = await post();
  assert.equal(refused.status, 500, 'the database refused: the daemon sees the refusal');
  assert.equal(seen, undefined, 'a refused write does not count as reaching the database');
  assert.equal(fwd.stats.get('b1')?.failed, 1);

  status = 204;
  const before = performance.now();
  assert.equal((await post()).status, 204);
  await waitUntil(() => seen !== undefined, 5000, 'the watch resolved');
  assert.ok(seen!.arrivedMs >= before && seen!.ackedMs >= seen!.arrivedMs);
  assert.equal(seen!.pointTimeMs, 1700000000123);
  assert.equal(other.resolved, false, 'a watch of another bucket is not resolved');
  assert.equal(fwd.waiting, 1);
  const last = got[got.length - 1];
  assert.equal(last.url, '/api/v2/write?org=o&bucket=b1&precision=ms');
  assert.equal(last.encoding, 'gzip');
  assert.equal(last.auth, 'Token t');
  assert.equal(gunzipSync(last.body).toString(), lines);
  assert.equal(fwd.stats.get('b1')?.lines, 2);
});
