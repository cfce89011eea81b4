// The simulator process itself: bad input is one line and exit 2; the example crates file is the default crate.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCrate } from '../../sim/mainframe/crate-spec.js';
import { loadCratesFile, parseCrates } from '../../sim/mainframe/crates-file.js';
import { GemElectrodes } from '../../sim/mainframe/catalog.js';
import { listenOnLoopback, randomLoopback, startSim } from '../helpers/sim.js';
import { login, loadCaen } from './caen-ffi.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const simMain = join(root, 'dist', 'sim', 'mainframe', 'main.js');
const cli = join(root, 'bin', 'gemcaen.js');
const tmp = mkdtempSync(join(tmpdir(), 'gemcaen-sim-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

function run(args: string[], entry = simMain) {
  const r = spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', timeout: 15000 });
  return { status: r.status, stderr: r.stderr, lines: r.stderr.trim().split('\n') };
}

const BAD_FILES: Array<[string, string, RegExp]> = [
  ['not-yaml.yml', 'crates: [\n  - name: x\n', /not valid YAML/],
  ['no-crates.yml', 'boards: []\n', /top-level "crates:" list/],
  ['bad-model.yml', 'crates:\n  - name: x\n    slots:\n      0: { model: A9999 }\n', /slots\.0\.model: "A9999" is not a known board/],
  ['bad-slot.yml', 'crates:\n  - name: x\n    system: SY5527\n    slots:\n      7: { model: A1535 }\n', /slot of an SY5527 "7"/],
  ['bad-channel.yml', 'crates:\n  - name: x\n    slots:\n      0: { model: A1515TG, channels: { 14: { V0Set: 1 } } }\n', /channel of A1515TG "14"/],
  ['long-name.yml', 'crates:\n  - name: x\n    slots:\n      0: { model: A1535, channels: { 0: { name: TWELVE_CHARS } } }\n', /name: channel names are 1 to 11 characters/],
  ['bad-pw.yml', 'crates:\n  - name: x\n    slots:\n      0: { model: A1535, channels: { 0: { Pw: maybe } } }\n', /Pw: "maybe" is not On\/Off/],
  ['bad-system.yml', 'crates:\n  - name: x\n    system: SY9999\n    slots: {}\n', /system: "SY9999" is not one of/],
  ['dup-name.yml', 'crates:\n  - name: x\n    slots: {}\n  - name: x\n    slots: {}\n', /crate name "x" is used twice/],
  ['bad-key.yml', 'crates:\n  - name: x\n    slot: {}\n', /unknown key "slot"/],
  ['old-listen.yml', 'crates:\n  - name: x\n    listen: 127.0.0.1:7900\n    slots: {}\n', /"listen" is now "address".*port is always 2527/],
  ['address-port.yml', 'crates:\n  - name: x\n    address: 127.0.0.2:7900\n    slots: {}\n', /address: "127.0.0.2:7900" is not usable \(a crate always listens on port 2527/],
  ['dup-address.yml', 'crates:\n  - name: a\n    address: 127.0.0.9\n    slots: {}\n  - name: b\n    address: 127.0.0.9\n    slots: {}\n', /address 127\.0\.0\.9 is used twice/],
];

for (const [name, text, message] of BAD_FILES) {
  test(`a malformed crates file (${name}) is one line on stderr and exit 2`, () => {
    const p = file(name, text);
    const r = run(['--crates', p, '--control', '127.0.0.1:0', '--random-addresses']);
    assert.equal(r.status, 2);
    assert.equal(r.lines.length, 1, r.stderr);
    assert.match(r.lines[0], /^gemcaen sim: crates file /);
    assert.ok(r.lines[0].includes(p), 'names the file');
    assert.match(r.lines[0], message);
  });
}

test('a missing crates file and a bad --address are one line and exit 2', () => {
  const missing = run(['--crates', join(tmp, 'nope.yml')]);
  assert.equal(missing.status, 2);
  assert.deepEqual(missing.lines.length, 1);
  assert.match(missing.lines[0], /cannot read it \(ENOENT\)/);
  const withPort = run(['--address', '127.0.0.1:7900']);
  assert.equal(withPort.status, 2);
  assert.equal(withPort.lines.length, 1);
  assert.match(withPort.lines[0], /--address: "127.0.0.1:7900" is not usable \(a crate always listens on port 2527/);
  const name = run(['--address', 'localhost']);
  assert.equal(name.status, 2);
  assert.match(name.lines[0], /--address: "localhost" is not usable \(expected an IPv4 address/);
});

test('an address in use is one line naming it and exit 2 (crate address and control port)', async () => {
  const blocker = await listenOnLoopback(() => undefined);
  try {
    const crate = run(['--address', blocker.address, '--control', '127.0.0.1:0']);
    assert.equal(crate.status, 2);
    assert.equal(crate.lines.length, 1);
    assert.match(crate.lines[0], new RegExp(`^gemcaen sim: crate demo: address ${blocker.address.replace(/\./g, '\\.')} \\(TCP 2527\\) is already in use`));
    const port = (blocker.server.address() as { port: number }).port;
    const control = run(['--random-addresses', '--control', `${blocker.address}:${port}`]);
    assert.equal(control.status, 2);
    assert.match(control.lines[0], /control address .* is already in use/);
  } finally {
    await blocker.close();
  }
});

test('`gemcaen sim` (the CLI) exits 2 with one line for a malformed crates file', () => {
  const p = file('cli-bad.yml', 'crates: 3\n');
  const r = run(['sim', '--crates', p, '--control', '127.0.0.1:0'], cli);
  assert.equal(r.status, 2);
  assert.equal(r.lines.length, 1, r.stderr);
  assert.match(r.lines[0], /^gemcaen sim: crates file /);
});

test('`gemcaen sim` prints the ready line and exits 0 on SIGTERM', async () => {
  const child = spawn(process.execPath, [cli, 'sim', '--random-addresses', '--control', '127.0.0.1:0', '--crates', join(root, 'config', 'crates.example.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const ready = await new Promise<Record<string, unknown>>((resolveReady, reject) => {
    const t = setTimeout(() => reject(new Error('no ready line')), 15000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /^gemcaen-sim ready (\{.*\})$/m.exec(out);
      if (m) {
        clearTimeout(t);
        resolveReady(JSON.parse(m[1]) as Record<string, unknown>);
      }
    });
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const crates = ready.crates as Record<string, string>;
  // then the same in words, for a person: each crate, where, its boards; the control API
  while (!out.includes('Ctrl-C stops it')) await new Promise((r) => child.stdout.once('data', r));
  for (const [name, address] of Object.entries(crates)) assert.match(out, new RegExp(`"${name}" on ${address.replace(/\./g, '\\.')} \\(TCP 2527\\): slot \\d+ A15`));
  assert.ok(out.includes(`http://${String(ready.control)}/`), out);
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.deepEqual(Object.keys(crates), ['demo', 'old']);
  for (const a of Object.values(crates)) assert.match(a, /^127\.\d+\.\d+\.\d+$/);
  assert.notEqual(crates.demo, crates.old);
  assert.match(String(ready.control), /^127\.0\.0\.1:\d+$/);
});

test('the default crate: SY4527 "demo" on 127.0.0.1 with A1515TG (GEM names), A1535 and A1536', () => {
  const d = defaultCrate();
  assert.equal(d.system, 'SY4527');
  assert.equal(d.address, '127.0.0.1');
  assert.deepEqual(d.users, { admin: 'admin' });
  assert.deepEqual([d.slots[0].model, d.slots[2].model, d.slots[5].model], ['A1515TG', 'A1535', 'A1536']);
  const names = Object.values(d.slots[0].channels ?? {}).map((c) => c.name ?? '');
  assert.equal(names.length, 14);
  names.forEach((n, ch) => {
    assert.ok(n.length <= 11, n);
    assert.ok(n.endsWith(`_${GemElectrodes[ch % 7]}`), n);
  });
  assert.equal(d.slots[5].channels?.[18]?.Pw, 1);
});

test('config/crates.example.yml parses, and its demo crate is exactly the default crate', () => {
  const crates = loadCratesFile(join(root, 'config', 'crates.example.yml'));
  assert.deepEqual(crates.map((c) => c.name), ['demo', 'old']);
  assert.deepEqual(crates[0], defaultCrate());
  assert.equal(crates[1].address, '127.0.0.2');
  assert.equal(crates[1].system, 'SY1527');
  assert.equal(crates[1].slots[3].channels?.[0]?.PDwn, 1);
  const unnamed = parseCrates('crates:\n  - name: a\n    slots: {}\n  - name: b\n    slots: {}\n', 'f.yml');
  assert.deepEqual(unnamed.map((c) => c.address), ['127.0.0.1', '127.0.0.2'], 'default addresses: 127.0.0.1, 127.0.0.2, ...');
});

test('started by startSim(), the simulator exits (0) when the parent closes its stdin', async () => {
  const sim = await startSim();
  const exited = new Promise<number | null>((r) => sim.process.once('exit', (code) => r(code)));
  sim.process.stdin?.end();
  assert.equal(await exited, 0);
  await sim.stop();
});

test('--address puts the crate on TCP 2527 of that address; the InitSystem Arg is the bare address', async () => {
  let sim;
  let address = '';
  for (let attempt = 0; !sim; attempt++) {
    address = randomLoopback();
    sim = await startSim({ extraArgs: ['--address', address] }).catch((err: unknown) => {
      if (attempt < 5 && /already in use/.test(String(err))) return undefined;
      throw err;
    });
  }
  try {
    assert.equal(sim.address, address);
    const ffi = loadCaen(sim.libraryPath);
    const h = login(ffi, address);
    assert.equal((await sim.control.counters()).openSessions, 1);
    assert.equal(ffi.DeinitSystem(h), 0);
  } finally {
    await sim.stop();
  }
});
