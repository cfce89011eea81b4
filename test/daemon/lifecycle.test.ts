// The daemon's start-up contract without a crate: a bad config exits 2 before anything starts; an
// unreachable crate does not stop the daemon, is reported by health, and SIGTERM still exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mainframeYaml, settingsYaml, startDaemon, tempDir, writeConfig } from './run-daemon.js';
import { randomLoopback } from '../helpers/loopback.js';

/** a loopback address where nothing listens on TCP 2527 */
const NOWHERE = randomLoopback();

const LIB = join(process.cwd(), 'build', 'sim', 'libcaenhvwrapper.so');

function setupYaml(name: string, address: string, dir: string, extra = ''): string {
  return [
    `${name}:`,
    '  Monitorables: [VMon, IMon, Status, Pw]',
    '  HoldOffTime: 1',
    '  isGEMDetector: false',
    mainframeYaml({ address, library: LIB, password: 'topsecret99' }),
    '  BOARD:',
    '    SLOT: 2',
    '    CHANNELS: [0, 1]',
    '  FILE:',
    `    DIRECTORY: "${join(dir, 'data')}"`,
    extra,
  ].join('\n');
}

test('a bad config exits 2 with one line per problem, before any log, spool or data file exists', async (t) => {
  const dir = tempDir(t);
  const file = writeConfig(dir, `${settingsYaml(dir)}\n${setupYaml('T1', NOWHERE, dir).replace('HoldOffTime: 1', 'HoldOffTime: -4')}`);
  const d = startDaemon(['-c', file, 'start', 'T1']);
  assert.equal(await d.exited, 2);
  assert.ok(d.lines.some((l) => /^gemcaen: setup T1: HoldOffTime: .* \[CONFIG_OUT_OF_RANGE\]$/.test(l)), d.lines.join('\n'));
  for (const sub of ['logs', 'spool', 'data']) assert.equal(existsSync(join(dir, sub)), false, `${sub} was created`);

  const unknown = startDaemon(['-c', writeConfig(dir, `${settingsYaml(dir)}\n${setupYaml('T1', NOWHERE, dir)}`), 'start', 'T2']);
  assert.equal(await unknown.exited, 2);
  assert.match(unknown.lines.join('\n'), /unknown setup T2/);
  assert.equal(existsSync(join(dir, 'logs')), false);

  const level = startDaemon(['-c', join(dir, 'config.yml'), 'start', 'T1', '--log-level', 'loud']);
  assert.equal(await level.exited, 2);
});

test('an unreachable crate: the daemon keeps running, health says backoff (exit 1), SIGTERM exits 0, no secret logged', async (t) => {
  const dir = tempDir(t);
  const file = writeConfig(dir, `${settingsYaml(dir)}\n${setupYaml('T1', NOWHERE, dir)}`);
  const d = startDaemon(['-c', file, 'start', 'T1']);
  t.after(() => d.stop('SIGKILL'));
  // back-off 1 s, 2 s, 4 s (± 20 %): a next try 3.2 s or more away means three login attempts failed
  const body = await d.untilHealth('three failed login attempts', (h) => h.crates[0]?.state === 'backoff' && (h.crates[0].retryInMs ?? 0) >= 3200);
  assert.equal(body.ok, false);
  // the threads are named for `top -H` (Linux): the writer and this crate's worker
  const names = readdirSync(`/proc/${d.child.pid}/task`).map((tid) => readFileSync(`/proc/${d.child.pid}/task/${tid}/comm`, 'utf8').trim());
  assert.ok(names.includes('gc-writer'), names.join(' '));
  assert.equal(names.filter((n) => n.startsWith('gc-mf-')).length, 1, names.join(' '));
  assert.equal(await d.stop('SIGTERM'), 0);
  assert.equal(d.lines.filter((l) => /unreachable/.test(l)).length, 1, 'one line per state change, not per attempt');
  assert.ok(!d.lines.join('\n').includes('topsecret99'));
  assert.ok(existsSync(join(dir, 'logs')));
});

test('a CAEN library that is not there: exit 2 before anything starts, the message says where to point', async (t) => {
  const dir = tempDir(t);
  const yaml = setupYaml('T1', NOWHERE, dir).replace(LIB, join(dir, 'missing', 'libcaenhvwrapper.so'));
  const d = startDaemon(['-c', writeConfig(dir, `${settingsYaml(dir)}\n${yaml}`), 'start', 'T1']);
  assert.equal(await d.exited, 2);
  const text = d.lines.join('\n');
  assert.match(text, /library not found/);
  assert.match(text, /CAENHV_LIBRARY/);
  for (const sub of ['logs', 'spool', 'data']) assert.equal(existsSync(join(dir, sub)), false, `${sub} was created`);
});

test('a CAEN library file that does not load: one error line, crate state library-error, no fast retry, SIGTERM exits 0', async (t) => {
  const dir = tempDir(t);
  const bogus = join(dir, 'libcaenhvwrapper.so');
  writeFileSync(bogus, 'not an ELF file\n');
  const d = startDaemon(['-c', writeConfig(dir, `${settingsYaml(dir)}\n${setupYaml('T1', NOWHERE, dir).replace(LIB, bogus)}`), 'start', 'T1']);
  t.after(() => d.stop('SIGKILL'));
  // what is asserted is an absence (no retry): the state held 2.5 s, by which a connection back-off (1 s,
  // then 2 s) would have retried and logged "connecting"
  await d.untilHealth('2.5 s in library-error', (h) => h.crates[0]?.state === 'library-error' && Date.now() - Date.parse(h.crates[0].since) > 2500);
  assert.equal(await d.stop('SIGTERM'), 0);
  const errors = d.lines.filter((l) => /cannot log in/.test(l));
  assert.equal(errors.length, 1, d.lines.join('\n'));
  assert.match(errors[0], /cannot load the CAEN HV wrapper library/);
  assert.equal(d.lines.filter((l) => /connecting to/.test(l)).length, 1, 'one login attempt in the window');
});
