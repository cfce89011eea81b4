// Shared by the database cases of the fault suite (database-outage, database-outage-v2, database): one
// setup scanning CHANNELS of slot 2 every HOLD_OFF s into a database, what it stored, and the outage run.
// The cases are split over files so that the 60 s outage runs next to the others instead of before them.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InfluxDBServer } from '../helpers/influxdb.js';
import type { SimHandle } from '../helpers/sim.js';
import { drained, health, scans, settingsYaml, setupYaml, storedTimes, tempDir, until, writeConfig, type RunningDaemon, type Sink } from './kit.js';

export const CHANNELS = [0, 1, 2];
/** channel series + the board series */
export const SERIES = CHANNELS.length + 1;
export const HOLD_OFF = 0.5;

export interface Run {
  dir: string;
  file: string;
  db: string;
  setup: string;
}

type TestContext = { after(fn: () => void): void };

/** A config in a temp dir: the daemon settings and one setup logging CHANNELS of slot 2 into `sink`. */
export function faultConfig(t: TestContext, sim: SimHandle, setup: string, sink: Sink): { dir: string; file: string } {
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

let dbIndex = 0;

/** A fresh database on `influx` and a config logging into it. */
export async function prepare(t: TestContext, sim: SimHandle, influx: InfluxDBServer, setup: string): Promise<Run> {
  const db = `faults${++dbIndex}`;
  await influx.createDatabase(db);
  const { dir, file } = faultConfig(t, sim, setup, { influx: { url: influx.url, database: db } });
  return { dir, file, db, setup };
}

export async function stored(influx: InfluxDBServer, run: Run): Promise<Map<string, number[]>> {
  return storedTimes(influx, run.db, run.setup);
}

/** per series: produced − stored (negative would be more stored than the daemon reported) */
export function lostPerSeries(s: Map<string, number[]>, produced: number): { lost: number; storedMin: number; storedMax: number } {
  const counts = [...s.values()].map((v) => v.length);
  const storedMin = s.size < SERIES ? 0 : Math.min(...counts);
  return { lost: produced - storedMin, storedMin, storedMax: Math.max(0, ...counts) };
}

export async function waitStored(influx: InfluxDBServer, run: Run, atLeast: number, timeoutMs = 20_000): Promise<void> {
  await until(`${atLeast} points in every series of ${run.setup}`, async () => {
    const s = await stored(influx, run).catch(() => new Map<string, number[]>());
    return s.size >= SERIES && Math.min(...[...s.values()].map((v) => v.length)) >= atLeast;
  }, timeoutMs, 250);
}

/** waits until the writer reports nothing left in its spool and the sink writing again */
export async function caughtUp(d: RunningDaemon, timeoutMs: number): Promise<void> {
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
export async function outage(d: RunningDaemon, setup: string, db: { stop(): Promise<void>; start(): Promise<void> }, seconds: number): Promise<{ duringOutage: number; produced: number }> {
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
