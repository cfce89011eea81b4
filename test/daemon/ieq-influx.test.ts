// Ieq of the Python gemcaen was an integer, so an old bucket holds `Ieq` as integer. gemcaen writes it as
// a float on a line of its own: against a real InfluxDB 1.6 with an integer Ieq, the type conflict costs
// only the Ieq lines (counted as dropped), never the VMon, IMon and Status of the channels.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SetupConfig, SinkConfig } from '../../src/config/types.js';
import { toPoints, type SetupReading } from '../../src/poll/points.js';
import { seriesHead } from '../../src/writer/line-protocol.js';
import { startInfluxDB, type InfluxDBServer } from '../helpers/influxdb.js';
import { makeWriter, msg, tempDir } from '../writer/util.js';

let db: InfluxDBServer;
before(async () => {
  db = await startInfluxDB();
});
after(async () => {
  await db.dispose();
});

const T0 = Date.UTC(2024, 2, 1, 8, 0, 0, 250);

test('an old integer Ieq field in HV: VMon, IMon and Status are stored, only the Ieq lines are refused and counted', async (t) => {
  const setup: SetupConfig = {
    name: 'ME0', monitorables: ['VMon', 'IMon', 'Status', 'Ieq'], holdOffSeconds: 1, isGEM: true, layer: 1, mainframe: 'mf', slot: 0,
    channels: [0, 1], sink: 'v1', heartbeatSeconds: 300, deadbands: {}, gem: { resistorsMOhm: { G3BOT: 0.5, G3TOP: 0.25 } },
  };
  const reading: SetupReading = {
    setup, mainframe: 'mf', model: 'A1515TG', channels: [0, 1], names: ['L1_G3BOT', 'L1_G3TOP'],
    values: new Map([['VMon', [400, 301]], ['IMon', [1.5, 0.25]], ['Status', [1, 3]]]),
    kinds: new Map([['VMon', 'float'], ['IMon', 'float'], ['Status', 'status']]),
    board: new Map(), timeMs: T0,
  };
  const points = toPoints(reading);
  // the bucket as the Python gemcaen left it: Ieq is an integer field of HV
  await db.createDatabase('old');
  const oldLine = `${seriesHead(points[0])} Ieq=700i ${T0 - 60_000}`;
  const r = await fetch(`${db.url}/write?db=old&precision=ms`, { method: 'POST', body: oldLine });
  assert.equal(r.status, 204);

  const sink: SinkConfig = { kind: 'influx-v1', id: 'v1', url: db.url, database: 'old' };
  const w = makeWriter([sink], tempDir(t));
  await w.start();
  t.after(() => w.stop(1000));
  w.accept(msg('v1', points, 'ME0'));
  await w.flush();

  const stored = await db.query(`SELECT "VMon", "IMon", "Status", "Status_ON", "Ieq", "channel" FROM "HV" WHERE time = ${T0}ms`, 'old');
  assert.deepEqual(
    stored.map((x) => ({ channel: x.channel, VMon: x.VMon, IMon: x.IMon, Status: x.Status, Status_ON: x.Status_ON, Ieq: x.Ieq })),
    [
      { channel: '00', VMon: 400, IMon: 1.5, Status: 1, Status_ON: 1, Ieq: null },
      { channel: '01', VMon: 301, IMon: 0.25, Status: 3, Status_ON: 1, Ieq: null },
    ],
  );
  const old = await db.query(`SELECT "Ieq" FROM "HV" WHERE time < ${T0}ms`, 'old');
  assert.deepEqual(old.map((x) => x.Ieq), [700], 'the old integer Ieq is untouched');
  const [status] = w.status();
  assert.equal(status.droppedLines, 2, 'the two Ieq lines are refused and counted');
  assert.equal(status.writtenLines, 2, 'the two channel lines are stored');
  assert.equal(status.spooledLines, 0);
});
