// Issue 7, case 1, end to end: the real daemon CLI logs a simulated crate into a real InfluxDB 1.6 (v1
// sink) while the database is down for FAULT_DB_DOWN_SECONDS (default 60, the figure).
// "produced" = scans the daemon reported × series; "stored" = distinct timestamps per series read back.
// The longest case of the suite, in a file of its own so that it runs next to the others.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startInfluxDB, type InfluxDBServer } from '../helpers/influxdb.js';
import { daemon, figure } from './kit.js';
import { HOLD_OFF, SERIES, lostPerSeries, outage, prepare, stored, waitStored } from './database-kit.js';

const DOWN_SECONDS = Number(process.env.FAULT_DB_DOWN_SECONDS ?? 60);

let sim: SimHandle;
let influx: InfluxDBServer;
before(async () => {
  [sim, influx] = await Promise.all([startSim(), startInfluxDB()]);
});
after(async () => {
  await Promise.all([sim?.stop(), influx?.dispose()]);
});

test(`fault 1: database down ${DOWN_SECONDS} s while logging: every point produced is stored`, { timeout: (DOWN_SECONDS + 130) * 1000 }, async (t) => {
  const run = await prepare(t, sim, influx, 'DBDOWN');
  const d = daemon(t, run.file, [run.setup]);
  await waitStored(influx, run, 3);
  const { duringOutage, produced } = await outage(d, run.setup, influx, DOWN_SECONDS);
  const s = await stored(influx, run);
  const { lost, storedMin, storedMax } = lostPerSeries(s, produced);
  figure(1, `database down ${DOWN_SECONDS} s: produced ${produced} scans × ${SERIES} series (${duringOutage} scans during the outage), stored ${storedMin}, lost ${lost}`);
  assert.ok(duringOutage >= Math.floor(DOWN_SECONDS / HOLD_OFF) - 2, `the daemon kept scanning during the outage (${duringOutage} scans)`);
  assert.equal(s.size, SERIES);
  assert.equal(storedMax, storedMin, 'every series has the same number of points');
  assert.equal(storedMin, produced, 'every scan produced is stored');
});
