// Issue 7, database side, end to end: the real daemon CLI logs a simulated crate into a real InfluxDB 1.6
// (v1 sink) while the database goes down, restarts, and the daemon itself is stopped or killed.
// "produced" = scans the daemon reported × series; "stored" = distinct timestamps per series read back.
//   FAULT_DB_DOWN_SECONDS (default 60, the figure) sets the InfluxDB outage of case 1;
//   FAULT_V2_DOWN_SECONDS (default 10) the VictoriaMetrics outage of its v2 variant.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startInfluxDB, type InfluxDBServer } from '../helpers/influxdb.js';
import { startVictoria, type VictoriaServer } from '../helpers/victoria.js';
import { bytesUnder, daemon, drained, figure, health, scans, scansNow, settingsYaml, setupYaml, storedTimes, tempDir, until, writeConfig, type RunningDaemon, type Sink } from './kit.js';

const DOWN_SECONDS = Number(process.env.FAULT_DB_DOWN_SECONDS ?? 60);
const V2_DOWN_SECONDS = Number(process.env.FAULT_V2_DOWN_SECONDS ?? 10);
const CHANNELS = [0, 1, 2];
/** channel series + the board series */
const SERIES = CHANNELS.length + 1;
const HOLD_OFF = 0.5;

let sim: SimHandle;
let influx: InfluxDBServer;
let victoria: VictoriaServer;
let dbIndex = 0;
before(async () => {
  [sim, influx, victoria] = await Promise.all([startSim(), startInfluxDB(), startVictoria()]);
});
after(async () => {
  await Promise.all([sim?.stop(), influx?.dispose(), victoria?.dispose()]);
});

interface Run {
  dir: string;
  file: string;
  db: string;
  setup: string;
}

/** A config in a temp dir: the daemon settings and one setup logging CHANNELS of slot 2 into `sink`. */
function faultConfig(t: { after(fn: () => void): void }, setup: string, sink: Sink): { dir: string; file: string } {
  const dir = tempDir(t, 'gemcaen-fault-');
  const file = writeConfig(
    dir,
    [
      settingsYaml(dir),
      setupYaml({
        name: setup,
        mainframe: { address: sim.address, library: sim.libraryPath },
        slot: 2,
        channels: CHANNELS,
        holdOffSeconds: HOLD_OFF,
        sink,
      }),
    ].join('\n'),
  );
  return { dir, file };
}

async function prepare(t: { after(fn: () => void): void }, setup: string): Promise<Run> {
  const db = `faults${++dbIndex}`;
  await influx.createDatabase(db);
  const { dir, file } = faultConfig(t, setup, { influx: { url: influx.url, database: db } });
  return { dir, file, db, setup };
}

async function stored(run: Run): Promise<Map<string, number[]>> {
  return storedTimes(influx, run.db, run.setup);
}

/** per series: produced − stored (negative would be more stored than the daemon reported) */
function lostPerSeries(s: Map<string, number[]>, produced: number): { lost: number; storedMin: number; storedMax: number } {
  const counts = [...s.values()].map((v) => v.length);
  const storedMin = s.size < SERIES ? 0 : Math.min(...counts);
  return { lost: produced - storedMin, storedMin, storedMax: Math.max(0, ...counts) };
}

async function waitStored(run: Run, atLeast: number, timeoutMs = 20_000): Promise<void> {
  await until(`${atLeast} points in every series of ${run.setup}`, async () => {
    const s = await stored(run).catch(() => new Map<string, number[]>());
    return s.size >= SERIES && Math.min(...[...s.values()].map((v) => v.length)) >= atLeast;
  }, timeoutMs, 250);
}

/** waits until the writer reports nothing left in its spool and the sink writing again */
async function caughtUp(d: RunningDaemon, timeoutMs: number): Promise<void> {
  let last: unknown;
  await until('the sink to write again with an empty spool', async () => {
    const h = await health(d);
    const s = h?.sinks[0];
    last = s ?? last;
    return s !== undefined && s.state === 'ok' && drained(s);
  }, timeoutMs, 250).catch((err: Error) => {
    throw new Error(`${err.message}; last sink health: ${JSON.stringify(last)}; writer lines:\n${d.lines.filter((l) => /\[writer\]/.test(l) && !/debug/.test(l)).join('\n')}`);
  });
}

/**
 * The database goes down for `seconds` while the daemon logs: the daemon keeps scanning and its sink
 * reports the outage; once the database is back the daemon catches up and stops cleanly (SIGTERM, exit 0).
 */
async function outage(d: RunningDaemon, setup: string, db: { stop(): Promise<void>; start(): Promise<void> }, seconds: number): Promise<{ duringOutage: number; produced: number }> {
  await db.stop();
  const downAt = scans(d, setup);
  await sleep(seconds * 1000);
  const duringOutage = scans(d, setup) - downAt;
  assert.equal((await health(d))?.sinks[0]?.state, 'failing', 'the sink reports the outage');
  await db.start();
  await caughtUp(d, 90_000);
  await sleep(1000);
  assert.equal(await d.stop('SIGTERM'), 0);
  return { duringOutage, produced: scans(d, setup) };
}

test(`fault 1: database down ${DOWN_SECONDS} s while logging: every point produced is stored`, { timeout: (DOWN_SECONDS + 130) * 1000 }, async (t) => {
  const run = await prepare(t, 'DBDOWN');
  const d = daemon(t, run.file, [run.setup]);
  await waitStored(run, 3);
  const { duringOutage, produced } = await outage(d, run.setup, influx, DOWN_SECONDS);
  const s = await stored(run);
  const { lost, storedMin, storedMax } = lostPerSeries(s, produced);
  figure(1, `database down ${DOWN_SECONDS} s: produced ${produced} scans × ${SERIES} series (${duringOutage} scans during the outage), stored ${storedMin}, lost ${lost}`);
  assert.ok(duringOutage >= Math.floor(DOWN_SECONDS / HOLD_OFF) - 2, `the daemon kept scanning during the outage (${duringOutage} scans)`);
  assert.equal(s.size, SERIES);
  assert.equal(storedMax, storedMin, 'every series has the same number of points');
  assert.equal(storedMin, produced, 'every scan produced is stored');
});

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

test(`fault 1 (v2 API): VictoriaMetrics down ${V2_DOWN_SECONDS} s while logging through the v2 sink: every point produced is stored once`, { timeout: (V2_DOWN_SECONDS + 130) * 1000 }, async (t) => {
  const setup = 'VMDOWN';
  const { file } = faultConfig(t, setup, { v2: { url: victoria.url, token: 'unused-by-victoria' } });
  // per series: [sample count, distinct timestamps]; VictoriaMetrics keeps duplicates, so both must agree
  const storedV2 = async (): Promise<Map<string, [number, number]>> => {
    const out = new Map<string, [number, number]>();
    const series = await victoria.exportSeries(`{__name__=~"CAEN_Board_Monitor_VMon|CAEN_Board_BdStatus",setup="${setup}"}`, () => true);
    for (const s of series) out.set(`${s.metric.__name__}/${s.metric.channel ?? 'board'}`, [s.timestamps.length, new Set(s.timestamps).size]);
    return out;
  };
  const d = daemon(t, file, [setup]);
  await until('points in VictoriaMetrics', async () => (await storedV2()).size === SERIES, 20_000, 250);
  const { duringOutage, produced } = await outage(d, setup, victoria, V2_DOWN_SECONDS);
  let s = new Map<string, [number, number]>();
  await until('VictoriaMetrics to show every sample', async () => {
    s = await storedV2();
    return s.size === SERIES && [...s.values()].every(([n]) => n >= produced);
  }, 15_000, 250).catch(() => undefined);
  const samples = [...s.values()].map(([n]) => n);
  const distinct = [...s.values()].map(([, n]) => n);
  const storedMin = Math.min(...distinct);
  figure(
    1,
    `VictoriaMetrics (v2 sink) down ${V2_DOWN_SECONDS} s: produced ${produced} scans × ${SERIES} series (${duringOutage} during the outage), ` +
      `stored ${storedMin} distinct (${Math.max(...samples) - storedMin} duplicates), lost ${produced - storedMin}`,
  );
  assert.equal(s.size, SERIES);
  assert.ok(distinct.every((n) => n === produced), `every scan stored in every series: ${JSON.stringify([...s])}`);
  // duplicates (a retried batch the server had taken) are not a loss, and InfluxDB would merge them: reported only
});
