// What a sink says when it recovers (issue 17): the recovery line reports the backlog it found (not
// what is left after the first replay batch), and a spool error clears from the status once the spool
// works again (it used to stay as lastError, and so in health, after the recovery).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { Secret } from '../../src/config/secret.js';
import { startResponder } from '../helpers/responder.js';
import { collectLogs, f, makeWriter, msg, point, tempDir, waitFor } from './util.js';

const T0 = Date.UTC(2026, 0, 1);

test('the recovery line reports the whole backlog found, before the first replay batch took its share', async (t) => {
  const r = await startResponder([], { status: 503 });
  t.after(() => r.close());
  const logs = collectLogs();
  const w = makeWriter([{ kind: 'influx-v2', id: 'db', url: r.url, token: new Secret('t'), org: 'o', bucket: 'b' }], tempDir(t), { log: logs.log, settings: { replayBatchLines: 10, batchMaxLines: 10 } });
  await w.start();
  t.after(() => w.stop(1000));
  // whole batches only: every request then carries the same backlog (lines accepted but not acknowledged
  // when it was made); a last partial batch, closed by the 1 s timer, could land while a retry was in
  // flight, which the database then answered after the switch below with a smaller backlog
  const N = 30;
  for (let i = 0; i < N; i++) w.accept(msg('db', [point({ ch: '0' }, { seq: f(i) }, T0 + i * 1000)]));
  assert.ok(await waitFor(() => w.status()[0].spooledLines === N && w.status()[0].state === 'failing'));
  r.fallback = { status: 204 };
  assert.ok(await waitFor(() => w.status()[0].spooledLines === 0, 10_000), JSON.stringify(w.status()[0]));
  const line = logs.lines.find((l) => /writing to .* again after/.test(l.message));
  assert.ok(line, JSON.stringify(logs.lines));
  assert.match(line.message, new RegExp(`; ${N} lines in the spool to catch up`), 'the backlog when the database came back');
  assert.ok(r.requests.filter((q) => q.body.split('\n').filter(Boolean).length <= 10).length >= 4, 'replayed in batches of 10');
});

test('a spool error leaves the status once the spool works again', async (t) => {
  const r = await startResponder();
  t.after(() => r.close());
  const spool = tempDir(t);
  const w = makeWriter([{ kind: 'influx-v2', id: 'db', url: r.url, token: new Secret('t'), org: 'o', bucket: 'b' }], spool, {});
  await w.start();
  t.after(() => w.stop(1000));
  const send = (i: number) => w.accept(msg('db', [point({ ch: '0' }, { seq: f(i) }, T0 + i * 1000)]));
  send(0);
  assert.ok(await waitFor(() => w.status()[0].writtenLines === 1));
  const blocker = join(spool, 'db', 'acked.json.tmp'); // acknowledgements cannot be recorded (EISDIR)
  mkdirSync(blocker);
  send(1);
  assert.ok(await waitFor(() => /EISDIR/.test(w.status()[0].spoolError ?? '')), JSON.stringify(w.status()[0]));
  assert.equal(w.status()[0].state, 'ok');
  rmdirSync(blocker);
  send(2);
  assert.ok(await waitFor(() => w.status()[0].writtenLines === 3));
  const st = w.status()[0];
  assert.equal(st.spoolError, undefined, 'cleared');
  assert.doesNotMatch(st.lastError ?? '', /spool/, 'not kept as the last error either');
});
