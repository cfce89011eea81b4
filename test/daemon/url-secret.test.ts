// A secret in the InfluxDB URL's query string (`URL: http://host:8086/?u=admin&p=${PW}`, how InfluxDB
// 1.x takes credentials) is a secret everywhere (issue 17): it is sent with every write (the points
// arrive in an InfluxDB with auth enabled) and appears in no output: validate (text and --json), the
// daemon's console and log files, the health answers, the names and contents of the spool directory.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startInfluxDB, type InfluxDBServer } from '../helpers/influxdb.js';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { CLI } from './run-daemon.js';
import { daemon, health, scansNow, settingsYaml, tempDir, textsUnder, until, writeConfig, mainframeYaml } from '../faults/kit.js';

const PW = 'Qs-pw-8Tg2Mx5Lr';
const DB = 'urlsecret';

let sim: SimHandle;
let influx: InfluxDBServer;
before(async () => {
  [sim, influx] = await Promise.all([startSim(), startInfluxDB({ auth: { user: 'admin', password: PW } })]);
  await influx.createDatabase(DB);
});
after(async () => {
  await Promise.all([sim?.stop(), influx?.dispose()]);
});

/** every path under dir, relative */
function namesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    out.push(relative(dir, p));
    if (statSync(p).isDirectory()) out.push(...namesUnder(p).map((x) => join(n, x)));
  }
  return out;
}

test('a password in the InfluxDB URL query string: used for writing, shown nowhere (validate, logs, health, spool names)', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t, 'gemcaen-urlsecret-');
  const file = writeConfig(
    dir,
    [
      settingsYaml(dir),
      'QS:',
      '  Monitorables: [VMon]',
      '  HoldOffTime: 0.5',
      '  HeartbeatSeconds: 0.001',
      '  isGEMDetector: false',
      mainframeYaml({ address: sim.address, library: sim.libraryPath }),
      '  BOARD:',
      '    SLOT: 2',
      '    CHANNELS: [0]',
      '  influxDB:',
      '    VERSION: 1',
      `    URL: "${influx.url}/?u=admin&p=\${QS_PW}"`,
      `    DATABASE: ${DB}`,
    ].join('\n'),
  );
  const env = { QS_PW: PW };
  const outputs: [string, string][] = [];
  for (const args of [['validate'], ['validate', '--json']]) {
    const r = spawnSync(process.execPath, [CLI, '-c', file, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(influx.url.replace(/[.]/g, '\\.')), 'the URL itself is shown');
    outputs.push([args.join(' '), r.stdout + r.stderr]);
  }
  const d = daemon(t, file, ['QS'], env);
  await until('points written with the query-string credentials', async () => (await influx.query(`SELECT count("VMon") FROM "CAEN_Board_Monitor"`, DB)).length > 0 && (await scansNow(d, 'QS')) >= 3);
  for (let i = 0; i < 3; i++) outputs.push([`health ${i}`, JSON.stringify(await health(d))]);
  assert.equal(await d.stop('SIGTERM'), 0);
  outputs.push(['daemon console', d.lines.join('\n')]);
  for (const f of textsUnder(join(dir, 'logs'))) outputs.push([f.file, f.text]);
  for (const f of textsUnder(join(dir, 'spool'))) outputs.push([f.file, f.text]);
  outputs.push(['spool names', namesUnder(join(dir, 'spool')).join('\n')]);
  assert.ok(namesUnder(join(dir, 'spool')).length > 0, 'the spool directory exists');
  const hits = outputs.filter(([, text]) => text.includes(PW) || text.includes(encodeURIComponent(PW)) || text.includes(Buffer.from(`admin:${PW}`).toString('base64')));
  assert.deepEqual(hits.map(([where]) => where), [], 'the secret appears nowhere');
  assert.ok(outputs.length >= 7);
});
