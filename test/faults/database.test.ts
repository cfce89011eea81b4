// Issue 7, database side, end to end: the real daemon CLI logs a simulated crate into a real InfluxDB 1.6
// (v1 sink) while the database restarts, and the daemon itself is stopped or killed (cases 2, 5, 6; case 1,
// the long outage, is in database-outage.test.ts and database-outage-v2.test.ts, so that they run side by side).
// "produced" = scans the daemon reported × series; "stored" = distinct timestamps per series read back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startInfluxDB, type InfluxDBServer } from '../helpers/influxdb.js';
import { bytesUnder, daemon, figure, scans, scansNow, until } from './kit.js';
import { SERIES, caughtUp, lostPerSeries, prepare as prepareRun, stored as storedIn, waitStored as waitStoredIn, type Run } from './database-kit.js';

let sim: SimHandle;
let influx: InfluxDBServer;
before(async () => {
  [sim, influx] = await Promise.all([startSim(), startInfluxDB()]);
});
after(async () => {
  await Promise.all([sim?.stop(), influx?.dispose()]);
});

const prepare = (t: { after(fn: () => void): void }, setup: string): Promise<Run> => prepareRun(t, sim, influx, setup);
const stored = (run: Run): Promise<Map<string, number[]>> => storedIn(influx, run);
const waitStored = (run: Run, atLeast: number): Promise<void> => waitStoredIn(influx, run, atLeast);

test('fault 2: database restarted 3 times while logging: none lost', { timeout: 120_000 }, async (t) => {
  const run = await prepare(t, 'DBRESTART');
  const d = daemon(t, run.file, [run.setup]);
  await waitStored(run, 3);
  for (let i = 0; i < 3; i++) {
    await influx.stop();
    await sleep(2000);
    await influx.start();
    await sleep(2000);
  }
  await caughtUp(d, 60_000);
  await sleep(1000);
  assert.equal(await d.stop('SIGTERM'), 0);
  const produced = scans(d, run.setup);
  const s = await stored(run);
  const { lost, storedMin, storedMax } = lostPerSeries(s, produced);
  figure(2, `database restarted 3 times (2 s down each): produced ${produced} scans × ${SERIES} series, stored ${storedMin}, lost ${lost}`);
  assert.equal(s.size, SERIES);
  assert.equal(storedMax, storedMin);
  assert.equal(storedMin, produced);
});

test('fault 5: SIGTERM during a database outage: exit 0, the spool is kept on disk and replayed at the next start', { timeout: 120_000 }, async (t) => {
  const run = await prepare(t, 'DBSPOOL');
  const spoolDir = join(run.dir, 'spool');
  const d1 = daemon(t, run.file, [run.setup]);
  await waitStored(run, 2);
  await influx.stop();
  t.after(() => influx.start());
  await sleep(3000);
  const code1 = await d1.stop('SIGTERM');
  const produced1 = scans(d1, run.setup);
  const spooled = bytesUnder(spoolDir);
  assert.equal(code1, 0, 'SIGTERM during the outage exits 0');
  assert.ok(spooled > 0, 'the unsent points are in the spool on disk');
  const storedWhileDown = await (async () => {
    await influx.start();
    return lostPerSeries(await stored(run), produced1).storedMin;
  })();
  assert.ok(storedWhileDown < produced1, 'some points were only in the spool');

  const d2 = daemon(t, run.file, [run.setup]);
  await until('a few scans of the second run', async () => (await scansNow(d2, run.setup)) >= 3);
  await caughtUp(d2, 30_000);
  assert.equal(await d2.stop('SIGTERM'), 0);
  const produced2 = scans(d2, run.setup);
  const s = await stored(run);
  const { lost, storedMin, storedMax } = lostPerSeries(s, produced1 + produced2);
  figure(
    5,
    `SIGTERM during a database outage: exit ${code1}, ${produced1 - storedWhileDown} scans (${spooled} bytes) kept in the spool; ` +
      `after the restart produced ${produced1 + produced2} scans × ${SERIES} series, stored ${storedMin}, lost ${lost}`,
  );
  assert.equal(storedMax, storedMin);
  assert.equal(storedMin, produced1 + produced2, 'the spool was replayed: every scan of both runs is stored');
});

test('fault 6: SIGKILL (database up, then database down): at most the last scan lost per kill', { timeout: 120_000 }, async (t) => {
  const run = await prepare(t, 'DBKILL');
  // run 1: the database up, kill -9 mid-run
  const d1 = daemon(t, run.file, [run.setup]);
  await waitStored(run, 3);
  await sleep(1700);
  const from1 = 0;
  d1.child.kill('SIGKILL');
  await d1.exited;
  const end1 = Date.now();
  const produced1 = scans(d1, run.setup);
  // run 2: the database goes down, kill -9 mid-run (points only in the spool)
  await sleep(300);
  const d2 = daemon(t, run.file, [run.setup]);
  await until('the second run scanning', async () => (await scansNow(d2, run.setup)) >= 2);
  await influx.stop();
  t.after(() => influx.start());
  await sleep(2700);
  d2.child.kill('SIGKILL');
  await d2.exited;
  const end2 = Date.now();
  const produced2 = scans(d2, run.setup);
  await influx.start();
  // run 3: the database back: the spool of run 2 is replayed
  const d3 = daemon(t, run.file, [run.setup]);
  await until('the third run scanning', async () => (await scansNow(d3, run.setup)) >= 3);
  await caughtUp(d3, 30_000);
  assert.equal(await d3.stop('SIGTERM'), 0);
  const produced3 = scans(d3, run.setup);

  const s = await stored(run);
  const inWindow = (lo: number, hi: number) => Math.min(...[...s.values()].map((v) => v.filter((x) => x > lo && x <= hi).length));
  const stored1 = inWindow(from1, end1);
  const stored2 = inWindow(end1, end2);
  const stored3 = inWindow(end2, Date.now());
  const lost1 = Math.max(0, produced1 - stored1);
  const lost2 = Math.max(0, produced2 - stored2);
  figure(
    6,
    `SIGKILL with the database up: produced ${produced1}, stored ${stored1}, lost ${lost1}; ` +
      `SIGKILL with the database down: produced ${produced2}, stored ${stored2} (replayed from the spool), lost ${lost2}; ` +
      `next clean run: produced ${produced3}, stored ${stored3}`,
  );
  assert.equal(s.size, SERIES);
  assert.ok(lost1 <= 1, `kill -9 with the database up lost ${lost1} scans`);
  assert.ok(lost2 <= 1, `kill -9 with the database down lost ${lost2} scans`);
  assert.ok(stored2 >= 3, 'the points spooled during the outage were replayed after the kill');
  assert.equal(stored3, produced3);
});
