// Issue 17, "Spool disk full while the database is up": the real daemon logs a simulated crate into a
// real InfluxDB 1.6 with its spool directory on a real, small tmpfs that is then filled to the last
// block. "produced" = scans the daemon reported; "stored" = distinct timestamps per series read back;
// "dropped" = the sink's droppedLines in health.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startInfluxDB, type InfluxDBServer } from '../helpers/influxdb.js';
import { mountTmpfs } from '../helpers/tmpfs.js';
import { CLI } from '../daemon/run-daemon.js';
import { daemon, drained, figure, health, scans, scansNow, setupYaml, storedTimes, tempDir, until, writeConfig, type RunningDaemon } from './kit.js';

const CHANNELS = [0, 1, 2];
const SERIES = CHANNELS.length + 1;
const HOLD_OFF = 0.5;

let sim: SimHandle;
let influx: InfluxDBServer;
before(async () => {
  [sim, influx] = await Promise.all([startSim(), startInfluxDB()]);
});
after(async () => {
  await Promise.all([sim?.stop(), influx?.dispose()]);
});

interface Health {
  ok: boolean;
  problems: string[];
  sinks: { state: string; spoolBytes?: number; spoolError?: string; extra?: { spooledLines?: number; unspooledLines?: number; droppedLines?: number } }[];
}

async function sinkHealth(d: RunningDaemon): Promise<Health | undefined> {
  return (await health(d)) as unknown as Health | undefined;
}

/** a config whose spool is on a full tmpfs once `fill()` is called; undefined (skipped) where mount is impossible */
async function prepare(t: { after(fn: () => void): void; skip(m: string): void }, setup: string, db: string) {
  const disk = mountTmpfs(t, 256 * 1024);
  if (typeof disk === 'string') {
    t.skip(disk);
    return undefined;
  }
  await influx.createDatabase(db);
  const dir = tempDir(t, 'gemcaen-spoolfull-');
  const file = writeConfig(
    dir,
    [
      'gemcaen:',
      `  LogDirectory: "${join(dir, 'logs')}"`,
      `  SpoolDirectory: "${disk.dir}"`,
      '  HealthListen: "127.0.0.1:0"',
      '  BatchMaxMilliseconds: 200',
      setupYaml({ name: setup, mainframe: { address: sim.address, library: sim.libraryPath }, slot: 2, channels: CHANNELS, holdOffSeconds: HOLD_OFF, sink: { influx: { url: influx.url, database: db } } }),
    ].join('\n'),
  );
  return { disk, file };
}

function lost(s: Map<string, number[]>, produced: number): number {
  return s.size < SERIES ? produced : produced - Math.min(...[...s.values()].map((v) => v.length));
}

test('spool disk full while the database is up: 0 lost, health exit 1 naming the spool and the fix, a clean stop', { timeout: 90_000 }, async (t) => {
  const setup = 'SPOOLFULL';
  const p = await prepare(t, setup, 'spoolfull1');
  if (!p) return;
  const d = daemon(t, p.file, [setup]);
  await until('first scans stored', async () => (await storedTimes(influx, 'spoolfull1', setup)).size >= SERIES);
  p.disk.fill(0);
  const fullAt = await scansNow(d, setup);
  await until('health to report the full spool', async () => /ENOSPC/.test((await sinkHealth(d))?.sinks[0]?.spoolError ?? ''));
  const url = await d.healthUrl();
  const cli = spawnSync(process.execPath, [CLI, 'health', '--url', url], { encoding: 'utf8' });
  assert.equal(cli.status, 1, `gemcaen health exits 1: ${cli.stdout}${cli.stderr}`);
  assert.ok(cli.stdout.includes(p.disk.dir) && /spoolDirectory/.test(cli.stdout), `names the path and the fix: ${cli.stdout}`);
  const h = (await sinkHealth(d))!;
  assert.equal(h.ok, false);
  assert.equal(h.sinks[0].state, 'ok', 'the database still takes the lines');
  await until('10 scans on the full disk', async () => (await scansNow(d, setup)) >= fullAt + 10);
  await until('every line sent', async () => drained((await sinkHealth(d))?.sinks[0]));
  const dropped = (await sinkHealth(d))!.sinks[0].extra?.droppedLines;
  assert.equal(await d.stop('SIGTERM'), 0);
  const produced = scans(d, setup);
  const s = await storedTimes(influx, 'spoolfull1', setup);
  figure(10, `spool disk full (tmpfs 256 KiB, 0 bytes free) while InfluxDB is up: produced ${produced} scans × ${SERIES} series (${produced - fullAt} on the full disk), stored ${Math.min(...[...s.values()].map((v) => v.length))}, dropped ${dropped}, lost ${lost(s, produced)}; gemcaen health exit ${cli.status}`);
  assert.equal(dropped, 0);
  assert.equal(lost(s, produced), 0);
  assert.ok(!d.lines.some((l) => /lines held in memory are lost/.test(l)), 'nothing lost at the stop');
});

test('spool disk full and the database down, then up: no stall, health not OK meanwhile, every line stored or counted as dropped', { timeout: 90_000 }, async (t) => {
  const setup = 'SPOOLFULLDOWN';
  const p = await prepare(t, setup, 'spoolfull2');
  if (!p) return;
  const d = daemon(t, p.file, [setup]);
  await until('first scans stored', async () => (await storedTimes(influx, 'spoolfull2', setup)).size >= SERIES);
  await influx.stop();
  p.disk.fill(0);
  const downAt = scans(d, setup);
  await until('lines held in memory', async () => ((await sinkHealth(d))?.sinks[0]?.extra?.unspooledLines ?? 0) > 0);
  await sleep(3000);
  const during = (await sinkHealth(d))!;
  assert.equal(during.ok, false);
  assert.equal(during.sinks[0].state, 'failing');
  assert.ok(during.problems.some((x) => x.includes(p.disk.dir)), JSON.stringify(during.problems));
  const duringOutage = scans(d, setup) - downAt;
  await influx.start();
  let last: unknown;
  await until('the sink to catch up (no stall)', async () => {
    const s = (await sinkHealth(d))?.sinks[0];
    last = s ?? last;
    return s?.state === 'ok' && drained(s);
  }, 60_000, 250).catch((err: Error) => {
    throw new Error(`${err.message}; last sink health: ${JSON.stringify(last)}`);
  });
  const dropped = (await sinkHealth(d))!.sinks[0].extra?.droppedLines ?? -1;
  assert.equal(await d.stop('SIGTERM'), 0);
  const produced = scans(d, setup);
  const s = await storedTimes(influx, 'spoolfull2', setup);
  const storedMin = Math.min(...[...s.values()].map((v) => v.length));
  figure(10, `spool disk full and InfluxDB down ${duringOutage} scans, then up: produced ${produced} scans × ${SERIES} series, stored ${storedMin}, counted as dropped ${dropped}, stored + dropped = produced: ${storedMin + dropped === produced}`);
  assert.equal(dropped, 0, 'under the memory cap nothing is dropped');
  assert.equal(lost(s, produced), 0);
});
