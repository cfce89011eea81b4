// End to end: the daemon (real CLI) logs a simulated crate into InfluxDB 1.6 through the v1 sink;
// read back with InfluxQL as Grafana would: tags, field types, ms timestamps, a changed value.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startInfluxDB, type InfluxDBServer, type Row } from '../helpers/influxdb.js';
import { mainframeYaml, settingsYaml, startDaemon, tempDir, writeConfig } from './run-daemon.js';
import { setTimeout as sleep } from 'node:timers/promises';

let sim: SimHandle;
let influx: InfluxDBServer;
before(async () => {
  [sim, influx] = await Promise.all([startSim(), startInfluxDB()]);
  await influx.createDatabase('gem904');
});
after(async () => {
  await Promise.all([sim?.stop(), influx?.dispose()]);
});

async function poll(q: string, ok: (rows: Row[]) => boolean, timeoutMs = 15_000): Promise<Row[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const rows = await influx.query(q, 'gem904');
    if (ok(rows)) return rows;
    if (Date.now() > end) throw new Error(`${q}: not satisfied within ${timeoutMs} ms: ${JSON.stringify(rows).slice(0, 400)}`);
    await sleep(200);
  }
}

test('daemon → InfluxDB 1.6 (v1 sink): InfluxQL read-back of tags, typed fields, timestamps and a change', async (t) => {
  const dir = tempDir(t);
  const file = writeConfig(
    dir,
    [
      settingsYaml(dir),
      'LV:',
      '  Monitorables: [VMon, V0Set, Pw, Status]',
      '  HoldOffTime: 1',
      '  isGEMDetector: false',
      mainframeYaml({ address: sim.address, library: sim.libraryPath }),
      '  BOARD:',
      '    SLOT: 5',
      '    CHANNELS: [18]',
      '  influxDB:',
      '    VERSION: 1',
      `    URL: ${influx.url}`,
      '    DATABASE: gem904',
    ].join('\n'),
  );
  const startedMs = Date.now();
  const d = startDaemon(['-c', file, 'start', 'LV']);
  t.after(() => d.stop('SIGKILL'));

  const rows = await poll(`SELECT * FROM "CAEN_Board_Monitor" WHERE setup = 'LV'`, (r) => r.length > 0);
  const r0 = rows[0];
  assert.equal(r0.ChannelName, 'LV_CH18');
  assert.equal(r0.channel, '18');
  assert.equal(r0.slot, '5');
  assert.equal(r0.board, 'A1536');
  assert.equal(r0.mainframe, sim.address.toLowerCase());
  assert.equal(r0.V0Set, 120);
  assert.equal(r0.Pw, 1);
  assert.equal(typeof r0.Status_ON, 'number');
  assert.ok((r0.time as number) >= startedMs && (r0.time as number) <= Date.now());

  const types = Object.fromEntries(
    (await influx.query('SHOW FIELD KEYS FROM "CAEN_Board_Monitor"', 'gem904')).map((r) => [r.fieldKey as string, r.fieldType as string]),
  );
  assert.equal(types.VMon, 'float');
  assert.equal(types.V0Set, 'float');
  assert.equal(types.Pw, 'integer');
  assert.equal(types.Status, 'integer');
  assert.equal(types.Status_OVC, 'integer');

  const board = await poll(`SELECT "Temp", "BdStatus" FROM "CAEN_Board" WHERE setup = 'LV'`, (r) => r.length > 0);
  assert.equal(board[0].BdStatus, 0);
  assert.equal(typeof board[0].Temp, 'number');

  await sim.control.setChannel(5, 18, 'V0Set', 48.5);
  await poll(`SELECT "V0Set" FROM "CAEN_Board_Monitor" WHERE setup = 'LV' AND "V0Set" = 48.5`, (r) => r.length === 1);

  assert.equal(await d.stop('SIGTERM'), 0);
  assert.equal((await sim.control.counters()).openSessions, 0);
});
