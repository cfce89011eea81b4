// Issue 7, secrets: the daemon (real CLI, debug level) runs with distinctive mainframe passwords and database
// credentials, some from ${VAR} and some written literally, while every error that could print them is
// provoked: a wrong crate password (login refused), a right one on a crate that then goes down, a wrong
// InfluxDB 1.6 password (401, auth enabled) and a wrong v2 token (401 from VictoriaMetrics with HTTP auth).
// Then stdout, stderr, every file the daemon wrote (logs, spool, data) and the health JSON are searched
// for each secret, also base64- and URL-encoded: zero hits.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, startInfluxDB, type InfluxDBServer } from '../helpers/influxdb.js';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { runCli } from '../config/helpers.js';
import { daemon, figure, health, settingsYaml, setupYaml, tempDir, textsUnder, until, writeConfig, type HealthJson } from './kit.js';

const CAEN_PW_ENV = 'Crate-pw-Q7v!x93kLm'; // right password of crate a, from ${FAULT_CAEN_PW}
const CAEN_PW_LITERAL = 'Wrong-pw-Z4r8Tq2Hs'; // wrong password of crate b, written in the file
const INFLUX_PW_ENV = 'Influx-pw-J2m9Wc5Rp'; // wrong InfluxDB password, from ${FAULT_INFLUX_PW}
const TOKEN_LITERAL = 'tok3n-Xb81Pq0ZvNa7Ks4Dd'; // wrong v2 token, written in the file
const SECRETS = [CAEN_PW_ENV, CAEN_PW_LITERAL, INFLUX_PW_ENV, TOKEN_LITERAL];

/** each secret and the encodings a careless log line could carry it in */
function needles(): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of SECRETS) {
    out.set(s, s);
    out.set(`${s} (URL-encoded)`, encodeURIComponent(s));
    out.set(`${s} (base64 admin:…)`, Buffer.from(`admin:${s}`).toString('base64'));
    out.set(`${s} (JSON-escaped)`, JSON.stringify(s).slice(1, -1));
  }
  return out;
}

const CRATES = `
crates:
  - name: a
    system: SY4527
    users: { admin: "${CAEN_PW_ENV}" }
    slots:
      2: { model: A1535, channels: { 0: { name: A_CH0, V0Set: 100, Pw: On }, 1: { name: A_CH1, V0Set: 150, Pw: On } } }
  - name: b
    system: SY4527
    users: { admin: "right-password-of-b" }
    slots:
      3: { model: A1535, channels: { 0: { name: B_CH0, V0Set: 200, Pw: On } } }
`;

/** VictoriaMetrics with HTTP basic auth: the v2 client's token is refused with 401 */
async function startVictoriaWithAuth(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'gemcaen-victoria-auth-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    'victoria-metrics',
    [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${dir}`, '-loggerLevel=WARN', '-httpAuth.username=vmuser', '-httpAuth.password=vm-right-password'],
    { stdio: 'ignore' },
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const auth = { authorization: 'Basic ' + Buffer.from('vmuser:vm-right-password').toString('base64') };
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/health`, { headers: auth })).ok) return { url, stop };
    } catch {
      // not yet
    }
    await sleep(50);
  }
  await stop();
  throw new Error('victoria-metrics with auth did not start');
}

let sim: SimHandle;
let influx: InfluxDBServer;
let victoria: { url: string; stop(): Promise<void> };
before(async () => {
  [sim, influx, victoria] = await Promise.all([startSim({ cratesYaml: CRATES }), startInfluxDB({ auth: { user: 'admin', password: 'influx-right-password' } }), startVictoriaWithAuth()]);
  await influx.createDatabase('secrets');
});
after(async () => {
  await Promise.all([sim?.stop(), influx?.dispose(), victoria?.stop()]);
});

test('fault 9: passwords and tokens never appear in output, log files, spool or health, while every error is provoked', { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t, 'gemcaen-fault-');
  const text = [
    settingsYaml(dir),
    setupYaml({
      name: 'SA',
      mainframe: { address: sim.crates.a, library: sim.libraryPath, password: '${FAULT_CAEN_PW}' },
      slot: 2,
      channels: [0],
      holdOffSeconds: 0.5,
      sink: { influx: { url: influx.url, database: 'secrets', user: 'admin', password: '${FAULT_INFLUX_PW}' } },
    }),
    setupYaml({
      name: 'SC',
      mainframe: { address: sim.crates.a, library: sim.libraryPath, password: '${FAULT_CAEN_PW}' },
      slot: 2,
      channels: [1],
      holdOffSeconds: 0.5,
      sink: { v2: { url: victoria.url, token: TOKEN_LITERAL } },
    }),
    setupYaml({
      name: 'SB',
      mainframe: { address: sim.crates.b, library: sim.libraryPath, password: CAEN_PW_LITERAL },
      slot: 3,
      channels: [0],
      holdOffSeconds: 0.5,
      sink: { file: join(dir, 'data') },
    }),
  ].join('\n');
  const file = writeConfig(dir, text);
  const env = { FAULT_CAEN_PW: CAEN_PW_ENV, FAULT_INFLUX_PW: INFLUX_PW_ENV };
  const d = daemon(t, file, ['SA', 'SB', 'SC'], env);
  t.after(() => sim.control.crateOn('a'));

  const healths: HealthJson[] = [];
  const snap = async () => {
    const h = await health(d);
    if (h) healths.push(h);
    return h;
  };
  const aId = sim.crates.a.toLowerCase();
  const bId = sim.crates.b.toLowerCase();
  // every failure at once: crate b refuses the login, both sinks are refused (401)
  await until('crate b refused, both sinks refused, crate a scanning', async () => {
    const h = await snap();
    return (
      h !== undefined &&
      h.crates.find((c) => c.id === bId)?.state === 'auth-failed' &&
      h.sinks.filter((s) => s.state !== 'ok').length === 2 &&
      (h.setups.find((s) => s.name === 'SA')?.scans ?? 0) >= 2
    );
  }, 30_000, 250).catch((err: Error) => {
    throw new Error(`${err.message}\nlast health: ${JSON.stringify(healths.at(-1))}\n${d.lines.filter((l) => !/scan of|debug/.test(l)).join('\n')}`);
  });
  // crate a (right password from the environment) goes down and comes back: reconnect errors and a new login
  await sim.control.crateOff('a');
  await until('crate a seen down', async () => (await snap())?.crates.find((c) => c.id === aId)?.state === 'backoff');
  await sleep(1500);
  await sim.control.crateOn('a');
  await until('crate a connected again', async () => (await snap())?.crates.find((c) => c.id === aId)?.state === 'connected');
  const sessionsA = (await sim.control.counters('a')).sessionsOpened;
  const loginFailuresB = (await sim.control.counters('b')).loginFailures;
  await snap();
  assert.equal(await d.stop('SIGTERM'), 0);

  // other commands that print the configuration or talk to the crate
  const validate = await runCli(['--config', file, 'validate', '--json'], env);
  const validateText = await runCli(['--config', file, 'validate'], env);
  const status = await runCli(['--config', file, 'status', 'SB'], env);

  const places: { where: string; text: string }[] = [
    { where: 'daemon stdout+stderr', text: d.lines.join('\n') },
    ...textsUnder(dir).filter((f) => f.file !== file).map((f) => ({ where: f.file, text: f.text })),
    ...healths.map((h, i) => ({ where: `health #${i}`, text: JSON.stringify(h) })),
    { where: 'validate --json', text: validate.stdout + validate.stderr },
    { where: 'validate', text: validateText.stdout + validateText.stderr },
    { where: 'status SB (login refused)', text: status.stdout + status.stderr },
  ];
  const hits: string[] = [];
  for (const p of places) for (const [what, needle] of needles()) if (p.text.includes(needle)) hits.push(`${what} in ${p.where}`);
  const logFiles = textsUnder(join(dir, 'logs')).length;
  const lines = d.lines.length + textsUnder(join(dir, 'logs')).reduce((n, f) => n + f.text.split('\n').length, 0);
  const sinkErrors = healths.at(-1)?.sinks.filter((s) => s.state !== 'ok' && 'lastError' in s).length ?? 0;
  figure(
    9,
    `${SECRETS.length} secrets (2 from \${VAR}, 2 literal) × 4 encodings searched in ${places.length} places (${lines} log lines, ${logFiles} log files, ` +
      `${healths.length} health answers): ${hits.length} hits; provoked: crate login refused ${loginFailuresB}×, crate down/up (${sessionsA} logins), 2 sinks refused (401)`,
  );
  assert.ok(loginFailuresB >= 1, 'crate b refused the login');
  assert.equal(sinkErrors, 2, 'both sinks were refused, with an error text');
  assert.ok(sessionsA >= 2, 'crate a was logged into again after the outage');
  assert.ok(logFiles >= 1, 'the daemon wrote a log file');
  assert.notEqual(validate.code, null);
  assert.equal(status.code !== 0, true, 'status against crate b fails on the login');
  // the search itself finds what is there: the literal secrets are in the config file it skipped
  const configText = textsUnder(dir).find((f) => f.file === file)?.text ?? '';
  assert.ok(configText.includes(CAEN_PW_LITERAL) && configText.includes(TOKEN_LITERAL));
  assert.deepEqual(hits, []);
});
