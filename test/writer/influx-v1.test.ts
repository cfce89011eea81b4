// The influx-v1 sink into a real InfluxDB 1.6, read back with InfluxQL as Grafana would.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret } from '../../src/config/secret.js';
import type { SinkConfig } from '../../src/config/types.js';
import { startInfluxDB, type InfluxDBServer } from '../helpers/influxdb.js';
import { collectLogs, f, i, makeWriter, msg, point, tempDir, waitFor } from './util.js';

let db: InfluxDBServer;
let authDb: InfluxDBServer;
before(async () => {
  [db, authDb] = await Promise.all([startInfluxDB(), startInfluxDB({ auth: { user: 'admin', password: 'adm-pw-77' } })]);
});
after(async () => {
  await Promise.all([db.dispose(), authDb.dispose()]);
});

const T0 = Date.UTC(2024, 0, 15, 12, 0, 0, 123);

test('values, types, tags and ms timestamps are read back exactly with InfluxQL', async (t) => {
  await db.createDatabase('gem lab');
  const sink: SinkConfig = { kind: 'influx-v1', id: 'v1a', url: db.url, database: 'gem lab' };
  const w = makeWriter([sink], tempDir(t));
  await w.start();
  t.after(() => w.stop(1000));
  w.accept(
    msg('v1a', [
      point({ ChannelName: 'G1 Top,x=1' }, { VMon: f(1), IMon: f(0.125), Status: i(5), Pw: { type: 'bool', value: true }, Name: { type: 'string', value: 'say "hi"' } }, T0),
      point({ ChannelName: 'Drift' }, { VMon: f(3000.5), IMon: f(-0.25), Status: i(0), Pw: { type: 'bool', value: false }, Name: { type: 'string', value: 'd' } }, T0 + 1),
    ]),
  );
  await w.flush();
  assert.equal(w.status()[0].writtenLines, 2);
  const rows = await db.query('SELECT * FROM "HV" ORDER BY time', 'gem lab');
  assert.deepEqual(rows, [
    { time: T0, ChannelName: 'G1 Top,x=1', IMon: 0.125, Name: 'say "hi"', Pw: true, Status: 5, VMon: 1 },
    { time: T0 + 1, ChannelName: 'Drift', IMon: -0.25, Name: 'd', Pw: false, Status: 0, VMon: 3000.5 },
  ]);
  const types = await db.query('SHOW FIELD KEYS FROM "HV"', 'gem lab');
  assert.deepEqual(
    Object.fromEntries(types.map((r) => [r.fieldKey, r.fieldType])),
    { IMon: 'float', Name: 'string', Pw: 'boolean', Status: 'integer', VMon: 'float' },
    'a float field with value 1 stays a float; ints are integers',
  );
  const tags = await db.query('SHOW TAG KEYS FROM "HV"', 'gem lab');
  assert.deepEqual(tags.map((r) => r.tagKey), ['ChannelName']);
});

test('backslashes in names round-trip through InfluxDB 1.6: a trailing one is cut, the line is not refused', async (t) => {
  await db.createDatabase('backslash');
  const sink: SinkConfig = { kind: 'influx-v1', id: 'v1bs', url: db.url, database: 'backslash' };
  const w = makeWriter([sink], tempDir(t));
  await w.start();
  t.after(() => w.stop(1000));
  w.accept(
    msg('v1bs', [
      point({ ChannelName: 'G3Bot\\', 'crate\\': 'SY4527', dir: 'C:\\x\\y', odd: 'a\\,b c' }, { 'VMon\\': f(1.5), IMon: f(0.5) }, T0),
      point({ ChannelName: 'Drift' }, { VMon: f(2.5) }, T0 + 1),
    ]),
  );
  await w.flush();
  const st = w.status()[0];
  assert.equal(st.droppedLines, 0, st.lastError);
  assert.equal(st.writtenLines, 2);
  const rows = await db.query('SELECT * FROM "HV" ORDER BY time', 'backslash');
  assert.deepEqual(rows, [
    { time: T0, ChannelName: 'G3Bot', IMon: 0.5, VMon: 1.5, crate: 'SY4527', dir: 'C:\\x\\y', odd: 'a\\,b c' },
    { time: T0 + 1, ChannelName: 'Drift', IMon: null, VMon: 2.5, crate: null, dir: null, odd: null },
  ]);
});

test('field type conflict (partial write 400): the good lines are kept by the server, the rejected are counted as dropped', async (t) => {
  await db.createDatabase('conflict');
  const logs = collectLogs();
  const sink: SinkConfig = { kind: 'influx-v1', id: 'v1b', url: db.url, database: 'conflict' };
  const w = makeWriter([sink], tempDir(t), { log: logs.log });
  await w.start();
  t.after(() => w.stop(1000));
  w.accept(msg('v1b', [point({ ChannelName: 'a' }, { VMon: f(1.5) }, T0)]));
  await w.flush();
  // VMon as an integer now: conflicts with the stored float type
  w.accept(msg('v1b', [point({ ChannelName: 'b' }, { VMon: i(7) }, T0 + 1), point({ ChannelName: 'c' }, { VMon: f(2.5) }, T0 + 2)], 'other'));
  await w.flush();
  const st = w.status()[0];
  assert.equal(st.droppedLines, 1);
  assert.equal(st.writtenLines, 2);
  assert.equal(st.spooledLines, 0, 'a refused batch is not retried');
  const rows = await db.query('SELECT * FROM "HV" ORDER BY time', 'conflict');
  assert.deepEqual(rows.map((r) => r.ChannelName), ['a', 'c']);
  assert.equal(logs.lines.filter((l) => l.level === 'error' && l.message.includes('refused 1 of 2')).length, 1);
});

test('unknown database (404): kept in the spool, config-error once; delivered after CREATE DATABASE', async (t) => {
  const logs = collectLogs();
  const sink: SinkConfig = { kind: 'influx-v1', id: 'v1c', url: db.url, database: 'later' };
  const w = makeWriter([sink], tempDir(t), { log: logs.log });
  await w.start();
  t.after(() => w.stop(1000));
  w.accept(msg('v1c', [point({ ChannelName: 'a' }, { VMon: f(1.5) }, T0)]));
  assert.ok(await waitFor(() => w.status()[0].state === 'config-error'));
  await waitFor(() => w.status()[0].requests >= 3);
  assert.equal(w.status()[0].spooledLines, 1);
  assert.equal(logs.lines.filter((l) => l.level === 'error').length, 1, 'logged once per state change, not per attempt');
  assert.match(logs.lines.find((l) => l.level === 'error')!.message, /database "later" not found/);
  await db.createDatabase('later');
  assert.ok(await waitFor(() => w.status()[0].state === 'ok' && w.status()[0].spooledLines === 0));
  assert.deepEqual(await db.query('SELECT VMon FROM "HV"', 'later'), [{ time: T0, VMon: 1.5 }]);
});

test('auth: a wrong password keeps the data (config-error); once the user exists the data is delivered; secrets never logged', async (t) => {
  await authDb.createDatabase('secure');
  const logs = collectLogs();
  const password = 'wr1te-PASS-secret';
  const sink: SinkConfig = { kind: 'influx-v1', id: 'v1d', url: authDb.url, database: 'secure', user: 'gemcaen', password: new Secret(password) };
  const w = makeWriter([sink], tempDir(t), { log: logs.log });
  await w.start();
  t.after(() => w.stop(1000));
  w.accept(msg('v1d', [point({ ChannelName: 'a' }, { VMon: f(2.25) }, T0)]));
  assert.ok(await waitFor(() => w.status()[0].state === 'config-error'));
  assert.equal(w.status()[0].spooledLines, 1);
  assert.match(logs.lines.find((l) => l.level === 'error')!.message, /user "gemcaen" rejected .*401/);
  // the lab admin fixes it on the server side
  await authDb.exec(`CREATE USER "gemcaen" WITH PASSWORD '${password}'`);
  await authDb.exec('GRANT WRITE ON "secure" TO "gemcaen"');
  assert.ok(await waitFor(() => w.status()[0].state === 'ok' && w.status()[0].spooledLines === 0));
  assert.deepEqual(await authDb.query('SELECT VMon FROM "HV"', 'secure'), [{ time: T0, VMon: 2.25 }]);
  const everything = JSON.stringify(logs.lines) + JSON.stringify(w.status());
  assert.ok(!everything.includes(password), 'password in logs or status');
  assert.ok(!everything.includes(Buffer.from(`gemcaen:${password}`).toString('base64')), 'Basic credentials in logs or status');
});
