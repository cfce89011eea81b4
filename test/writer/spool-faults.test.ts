// The sender loop survives a spool that cannot be read or updated (disk full, a file in the way):
// it says so, keeps sending what it can, and the writer thread does not die with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Secret } from '../../src/config/secret.js';
import { startResponder } from '../helpers/responder.js';
import { startVictoria, sampleCount } from '../helpers/victoria.js';
import { collectLogs, f, makeWriter, msg, point, tempDir, waitFor } from './util.js';

test('an acknowledgement the spool cannot record (EISDIR) does not stop the sink: later lines still arrive, the error is reported once', async (t) => {
  const vm = await startVictoria();
  t.after(() => vm.dispose());
  const spool = tempDir(t);
  const logs = collectLogs();
  const w = makeWriter([{ kind: 'influx-v2', id: 'db', url: vm.url, token: new Secret('t'), org: 'o', bucket: 'b' }], spool, { log: logs.log });
  await w.start();
  t.after(() => w.stop(1000));
  const t0 = Date.UTC(2026, 0, 1);
  const send = (seq: number) => w.accept(msg('db', [point({ ch: '0' }, { seq: f(seq) }, t0 + seq * 1000, 'ackfault')]));
  send(0);
  assert.ok(await waitFor(() => w.status()[0].writtenLines === 1), 'first line written');
  // acked.json is replaced by renaming acked.json.tmp: a directory of that name makes every ack fail
  const blocker = join(spool, 'db', 'acked.json.tmp');
  mkdirSync(blocker);
  for (let seq = 1; seq <= 3; seq++) {
    send(seq);
    assert.ok(await waitFor(() => w.status()[0].writtenLines === seq + 1, 5000), `line ${seq} written after the spool refused to record acknowledgements (written ${w.status()[0].writtenLines})`);
  }
  const series = await vm.exportSeries('{__name__="ackfault_seq"}', (s) => sampleCount(s) >= 4);
  assert.deepEqual(series.flatMap((s) => s.values).sort((a, b) => a - b), [0, 1, 2, 3]);
  const errors = logs.lines.filter((l) => l.level === 'error' && /acknowledg/.test(l.message));
  assert.equal(errors.length, 1, JSON.stringify(logs.lines));
  assert.match(errors[0].message, /sink db: .*EISDIR.*sent again after a restart/);
  assert.equal(w.status()[0].spooledLines, 0, 'nothing is sent twice while running');
  rmdirSync(blocker);
  send(4);
  assert.ok(await waitFor(() => w.status()[0].writtenLines === 5));
  assert.ok(logs.lines.some((l) => l.level === 'info' && /sink db: spool records acknowledgements again/.test(l.message)), JSON.stringify(logs.lines));
});

test('a spool segment that vanished under a failing sink: the sink is reported failing with the reason, the writer keeps running and stops cleanly', async (t) => {
  const r = await startResponder([], { status: 503 });
  t.after(() => r.close());
  const spool = tempDir(t);
  const logs = collectLogs();
  const w = makeWriter([{ kind: 'influx-v2', id: 'db', url: r.url, token: new Secret('t'), org: 'o', bucket: 'b' }], spool, { log: logs.log });
  await w.start();
  const t0 = Date.UTC(2026, 0, 1);
  w.accept(msg('db', [point({ ch: '0' }, { seq: f(0) }, t0, 'gone')]));
  assert.ok(await waitFor(() => r.requests.length >= 1 && w.status()[0].state === 'failing'));
  for (const name of readdirSync(join(spool, 'db'))) if (name.endsWith('.lp')) unlinkSync(join(spool, 'db', name));
  assert.ok(await waitFor(() => /cannot read the spool: ENOENT/.test(w.status()[0].lastError ?? ''), 5000), `lastError: ${w.status()[0].lastError}`);
  assert.equal(w.status()[0].state, 'failing');
  const requests = r.requests.length;
  await w.stop(1000);
  assert.equal(r.requests.length, requests, 'nothing sent from a spool that cannot be read');
  assert.ok(logs.lines.some((l) => l.level === 'error' && /sink db: cannot read the spool: ENOENT.*check the spool directory/.test(l.message)), JSON.stringify(logs.lines));
});
