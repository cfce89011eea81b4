// The loader's API as the commands use it: which file, which setups, a frozen result, secrets never shown.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inspect } from 'node:util';
import { parseHostPort } from '../../src/config/address.js';
import { configPathFrom, loadConfigFile, loadConfigForCli, MAX_CONFIG_BYTES, MAX_VALUE_CHARS, parseConfig, resolveSetups, setupsByMainframe } from '../../src/config/load.js';
import { MAX_LISTED_ISSUES } from '../../src/config/issues.js';
import { ConfigError, UsageError } from '../../src/errors.js';
import { CASES, runCli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'gemcaen-config-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const GROUPS = join(CASES, 'good-groups-anchors', 'config.yml');
const ORIGINAL = join(CASES, 'original-example', 'config.yml');

function setup(name: string, extra = '', address = '127.0.0.1', password = 'pw-SECRET-1'): string {
  return `${name}:
  Monitorables: [VMon, IMon]
  HoldOffTime: 1
  isGEMDetector: false
  MAINFRAME:
    CAENHV_BOARD_TYPE: SY4527
    CAENHV_LINK_TYPE: TCPIP
    CAENHV_BOARD_ADDRESS: ${address}
    CAENHV_USER: admin
    CAENHV_PASSWORD: ${password}
  BOARD: { SLOT: 1, CHANNELS: [0] }
  FILE: { DIRECTORY: out }
${extra}`;
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected a throw');
}

test('configPathFrom: --config, else GEMCAEN_CONFIG, else config/config.yml', () => {
  assert.equal(configPathFrom({ config: 'a.yml' }, { GEMCAEN_CONFIG: 'b.yml' }), 'a.yml');
  assert.equal(configPathFrom({}, { GEMCAEN_CONFIG: 'b.yml' }), 'b.yml');
  assert.equal(configPathFrom({}, {}), 'config/config.yml');
  assert.equal(configPathFrom({}, { GEMCAEN_CONFIG: '' }), 'config/config.yml');
});

test('loadConfigForCli reads the GEMCAEN_CONFIG file; a missing file is CONFIG_NOT_FOUND naming it and the fix', () => {
  const config = loadConfigForCli({}, { env: { GEMCAEN_CONFIG: ORIGINAL } });
  assert.deepEqual([...config.setups.keys()], ['ME0_0001_CERN', 'ME0_0001_CERN_LV']);
  assert.equal(config.file, ORIGINAL);
  const err = caught(() => loadConfigForCli({ config: join(tmp, 'nope.yml') }, { env: {} }));
  assert.ok(err instanceof ConfigError);
  assert.equal(err.code, 'CONFIG_NOT_FOUND');
  assert.deepEqual(err.issues.map((i) => i.code), ['CONFIG_FILE_UNREADABLE']);
  assert.match(err.issues[0].where, /^file .*nope\.yml$/);
  assert.match(err.issues[0].message, /no such file; pass --config FILE or set GEMCAEN_CONFIG$/);
});

test('resolveSetups: setups and groups in the order named, each once', () => {
  const config = loadConfigFile(GROUPS, { env: {} });
  assert.deepEqual(resolveSetups(config, ['Trigger']).map((s) => s.name), ['Trigger']);
  assert.deepEqual(resolveSetups(config, ['lv', 'stand904']).map((s) => s.name), ['Trigger', 'GE11_L1', 'GE11_L2']);
  assert.deepEqual(resolveSetups(config, ['GE11_L2', 'GE11_L2']).map((s) => s.name), ['GE11_L2']);
});

test('resolveSetups: unknown names are one UNKNOWN_SETUP line listing setups and groups; no name is NO_SETUP', () => {
  const config = loadConfigFile(GROUPS, { env: {} });
  const err = caught(() => resolveSetups(config, ['GE11_L1', 'GE11_L3', 'stand']));
  assert.ok(err instanceof UsageError);
  assert.equal(err.code, 'UNKNOWN_SETUP');
  assert.equal(err.message.includes('\n'), false);
  assert.match(err.message, /unknown setups GE11_L3, stand in .*; setups: GE11_L1, GE11_L2, Trigger; groups: stand904, lv$/);
  const none = caught(() => resolveSetups(config, []));
  assert.ok(none instanceof UsageError);
  assert.equal(none.code, 'NO_SETUP');
  assert.match(none.message, /^name the setups to use .*setups: GE11_L1, GE11_L2, Trigger; groups: stand904, lv$/);
});

test('setupsByMainframe: one entry per mainframe with its setups', () => {
  const config = loadConfigFile(GROUPS, { env: {} });
  const grouped = setupsByMainframe(config, resolveSetups(config, ['stand904']));
  assert.deepEqual(
    [...grouped].map(([mf, list]) => [mf.id, list.map((s) => s.name)]),
    [['hv-crate.lab', ['GE11_L1', 'GE11_L2']], ['10.0.0.2', ['Trigger']]],
  );
});

test('the config is deeply frozen, Maps included', () => {
  const config = loadConfigFile(GROUPS, { env: {} });
  const s = config.setups.get('GE11_L1')!;
  assert.ok(Object.isFrozen(config) && Object.isFrozen(s) && Object.isFrozen(s.channels) && Object.isFrozen(config.settings));
  assert.throws(() => (s.channels as number[]).push(99), TypeError);
  assert.throws(() => ((s as { slot: number }).slot = 3), TypeError);
  assert.throws(() => (config.setups as Map<string, unknown>).set('x', {}), /read-only/);
  assert.throws(() => (config.mainframes as Map<string, unknown>).delete('hv-crate.lab'), /read-only/);
  assert.equal(config.setups.size, 3);
});

test('secrets: wrapped in Secret, hidden from inspect, JSON and String, revealed on request', () => {
  const config = loadConfigFile(GROUPS, { env: {} });
  const shown = inspect(config, { depth: 10 }) + JSON.stringify([...config.mainframes.values(), ...config.sinks.values()]) + String(config.mainframes.get('hv-crate.lab')?.password);
  for (const s of ['crate-SECRET-pw', 'other-SECRET-pw', 'tok-SECRET-shared']) assert.equal(shown.includes(s), false, s);
  assert.equal(config.mainframes.get('10.0.0.2')?.password.reveal(), 'other-SECRET-pw');
});

test('a secret in a mismatching MAINFRAME block is named by key, never by value', () => {
  const text = setup('A', '', '127.0.0.1', 'first-SECRET') + setup('B', '', '127.0.0.1', 'second-SECRET');
  const err = caught(() => parseConfig(text, 'x.yml', { env: {}, cwd: tmp }));
  assert.ok(err instanceof ConfigError);
  assert.equal(err.issues.length, 1);
  assert.match(err.message, /setup B: MAINFRAME: differs from setup A's MAINFRAME on the same address 127\.0\.0\.1 in CAENHV_PASSWORD;/);
  assert.doesNotMatch(err.message + JSON.stringify(err.toWire()), /SECRET/);
});

test('an env value that fails validation is not echoed when it sits in a secret key', () => {
  const text = setup('A').replace('CAENHV_PASSWORD: pw-SECRET-1', 'CAENHV_PASSWORD:\n      - ${PW}');
  const err = caught(() => parseConfig(text, 'x.yml', { env: { PW: 'env-SECRET' }, cwd: tmp }));
  assert.ok(err instanceof ConfigError);
  assert.match(err.message, /MAINFRAME\.CAENHV_PASSWORD: must be text .*not \(value hidden\)/);
  assert.doesNotMatch(err.message, /env-SECRET/);
});

test('every issue carries the file and line of the key', () => {
  const text = setup('A') + setup('B', '  HeartbeatSeconds: -1\n', '10.0.0.9');
  const err = caught(() => parseConfig(text, 'lab.yml', { env: {}, cwd: tmp }));
  assert.ok(err instanceof ConfigError);
  assert.deepEqual(err.issues.map((i) => i.where), ['setup B: HeartbeatSeconds']);
  assert.match(err.issues[0].message, /\(lab\.yml:25\)$/);
  assert.equal(text.split('\n')[25 - 1], '  HeartbeatSeconds: -1');
});

test('relative paths resolve against the working directory given (cwd), absolute ones stay', () => {
  const config = parseConfig(setup('A'), 'x.yml', { env: {}, cwd: '/srv/gemcaen' });
  assert.equal(config.sinks.get(config.setups.get('A')!.sink)?.kind, 'file');
  assert.deepEqual([...config.sinks.keys()], ['file:/srv/gemcaen/out']);
  assert.equal(config.settings.logDirectory, '/srv/gemcaen/logs');
  assert.equal(config.settings.spoolDirectory, '/srv/gemcaen/data/spool');
});

test('parseHostPort: IPv4, host names, IPv6 in brackets, ports', () => {
  assert.deepEqual(parseHostPort('192.168.0.10'), { host: '192.168.0.10' });
  assert.deepEqual(parseHostPort('hv-crate.lab:2527'), { host: 'hv-crate.lab', port: 2527 });
  assert.deepEqual(parseHostPort('[::1]:7900'), { host: '::1', port: 7900 });
  assert.deepEqual(parseHostPort('127.0.0.1:0', true), { host: '127.0.0.1', port: 0 });
  for (const bad of ['256.1.1.1', '1.2.3', '127.0.0.1:0', '127.0.0.1:65536', 'a b', ':80', '[zz]:1', '-crate']) {
    assert.ok('reason' in parseHostPort(bad), bad);
  }
});

test('CLI: GEMCAEN_CONFIG is used; validate <names> shows only those; unknown name exits 2 with one line', async () => {
  const env = { GEMCAEN_CONFIG: GROUPS };
  const all = await runCli(['validate'], env);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /3 setups on 2 mainframes/);
  const some = await runCli(['validate', 'lv'], env);
  assert.equal(some.code, 0, some.stderr);
  assert.match(some.stdout, /1 setup on 1 mainframe/);
  assert.match(some.stdout, /mainframe 10\.0\.0\.2: SY2527 over TCPIP, user admin/);
  assert.doesNotMatch(some.stdout, /│ GE11_L1|SECRET/);
  const unknown = await runCli(['validate', 'nope'], env);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^gemcaen: unknown setup nope in .*; setups: GE11_L1, GE11_L2, Trigger; groups: stand904, lv\n$/);
});

test('CLI: validate refuses an address with a :port (the library always uses TCP 2527): one line naming the key and why, exit 2', async () => {
  const file = join(tmp, 'port.yml');
  writeFileSync(file, setup('A', '', '127.0.0.1:7900'));
  const r = await runCli(['--config', file, 'validate']);
  assert.equal(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^gemcaen: setup A: MAINFRAME\.CAENHV_BOARD_ADDRESS: must be an IPv4 address or host name without a port \(CAEN's library always connects to TCP port 2527/);
  assert.match(lines[0], /"127\.0\.0\.1:7900"/);
  const err = caught(() => parseConfig(setup('A', '', '127.0.0.1:7900'), 'port.yml', { env: {}, cwd: tmp }));
  assert.ok(err instanceof ConfigError);
  assert.equal(err.code, 'CONFIG_INVALID');
  for (const ok of ['127.0.0.1', '192.168.0.10', 'hv-crate.lab']) assert.doesNotThrow(() => parseConfig(setup('A', '', ok), 'ok.yml', { env: {}, cwd: tmp }), ok);
});

test('CLI: --json prints the checked config with secrets as ***; --strict turns warnings into exit 2', async () => {
  const json = await runCli(['--config', GROUPS, 'validate', '--json']);
  assert.equal(json.code, 0, json.stderr);
  const data = JSON.parse(json.stdout) as { mainframes: { id: string; password: string }[]; setups: { name: string }[] };
  assert.deepEqual(data.mainframes.map((m) => [m.id, m.password]), [['hv-crate.lab', '***'], ['10.0.0.2', '***']]);
  assert.deepEqual(data.setups.map((s) => s.name), ['GE11_L1', 'GE11_L2', 'Trigger']);
  assert.doesNotMatch(json.stdout, /SECRET/);

  const file = join(tmp, 'warn.yml');
  writeFileSync(file, setup('A').replace('[VMon, IMon]', '[VMon, Imonn]'));
  const lenient = await runCli(['--config', file, 'validate']);
  assert.equal(lenient.code, 0);
  assert.match(lenient.stderr, /^gemcaen: warning: setup A: Monitorables\[1\]: Imonn is not a parameter gemcaen knows; did you mean IMon\?/);
  const strict = await runCli(['--config', file, 'validate', '--strict']);
  assert.equal(strict.code, 2);
  assert.match(strict.stderr, /^gemcaen: setup A: Monitorables\[1\]: Imonn is not a parameter/);
});

test('problems are listed up to a bound and counted beyond it; 20 000 broken setups are checked in one linear pass', { timeout: 60_000 }, () => {
  const text = Array.from({ length: 20_000 }, (_, i) => `S${i}: {}\n`).join('');
  const err = caught(() => parseConfig(text, 'many.yml', { env: {} }));
  assert.ok(err instanceof ConfigError, String(err));
  assert.equal(err.code, 'CONFIG_INVALID');
  assert.equal(err.issues.length, MAX_LISTED_ISSUES + 1);
  // every empty setup misses its six required keys: 120 000 problems, 50 listed
  assert.equal(err.issues[MAX_LISTED_ISSUES]?.code, 'CONFIG_MORE_ISSUES');
  assert.match(err.issues[MAX_LISTED_ISSUES]?.message ?? '', /^and 119950 more problems not listed/);
});

test('a file over the size bound is refused before it is parsed; a value over the bound is refused at its key', () => {
  const huge = join(tmp, 'huge.yml');
  writeFileSync(huge, `${setup('A')}  # ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
  const a = caught(() => loadConfigFile(huge, { env: {} }));
  assert.ok(a instanceof ConfigError, String(a));
  assert.equal(a.code, 'CONFIG_INVALID');
  assert.deepEqual(a.issues.map((i) => i.code), ['CONFIG_FILE_TOO_LARGE']);

  const long = 'y'.repeat(MAX_VALUE_CHARS + 1);
  const b = caught(() => parseConfig(setup('A', '', '127.0.0.1', long), 'long.yml', { env: {} }));
  assert.ok(b instanceof ConfigError, String(b));
  assert.deepEqual(b.issues.map((i) => [i.code, i.where]), [['CONFIG_VALUE_TOO_LONG', 'setup A: MAINFRAME.CAENHV_PASSWORD']], b.message);
  assert.match(b.message, new RegExp(`setup A: MAINFRAME.CAENHV_PASSWORD: is ${MAX_VALUE_CHARS + 1} characters long; a value is at most ${MAX_VALUE_CHARS}`));
  assert.ok(!b.message.includes('yyyy'), 'the value is not shown');
});

test('the expansion does not change the parsed tree and reports a shared block once per setup that names it', () => {
  const text = `${setup('A').replace('CAENHV_PASSWORD: pw-SECRET-1', 'CAENHV_PASSWORD: ${PW}').replace('  MAINFRAME:', '  MAINFRAME: &m')}B:
  Monitorables: [VMon]
  HoldOffTime: 1
  isGEMDetector: false
  MAINFRAME: *m
  BOARD: { SLOT: 1, CHANNELS: [1] }
  FILE: { DIRECTORY: out }
`;
  const err = caught(() => parseConfig(text, 'shared.yml', { env: {} }));
  assert.ok(err instanceof ConfigError, String(err));
  assert.deepEqual(err.issues.map((i) => i.where), ['setup A: MAINFRAME.CAENHV_PASSWORD', 'setup B: MAINFRAME.CAENHV_PASSWORD']);
  const config = parseConfig(text, 'shared.yml', { env: { PW: '$${X}${Y}' } });
  assert.equal([...config.mainframes.values()][0]?.password.reveal(), '$${X}${Y}');
});
