import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { compareVersions, findCaenLibrary, libraryVersion, librarySearchDirs, STANDARD_LIBRARY_DIRS } from '../../src/caen/discover.js';
import { CaenLibrary } from '../../src/caen/library.js';
import { GemcaenError } from '../../src/errors.js';

const root = mkdtempSync(join(tmpdir(), 'gemcaen-discover-'));
after(() => rmSync(root, { recursive: true, force: true }));

function dir(name: string, files: string[]): string {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  for (const f of files) writeFileSync(join(d, f), 'not really a library');
  return d;
}

function codeOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof GemcaenError, `GemcaenError expected, got ${String(err)}`);
    return { code: err.code, message: err.message };
  }
  assert.fail('expected a throw');
}

test('version parsing and ordering', () => {
  assert.deepEqual(libraryVersion('libcaenhvwrapper.so'), []);
  assert.deepEqual(libraryVersion('libcaenhvwrapper.so.6.1'), [6, 1]);
  assert.deepEqual(libraryVersion('libcaenhvwrapper.so.5.82'), [5, 82]);
  assert.equal(libraryVersion('libcaenhvwrapper.so.6.1.bak'), undefined);
  assert.equal(libraryVersion('libcaenvmelib.so'), undefined);
  assert.ok(compareVersions([6, 1], [5, 82]) > 0);
  assert.ok(compareVersions([6, 1, 2], [6, 1]) > 0);
  assert.ok(compareVersions([], [5]) < 0);
});

test('explicit path (CAENHV_LIBRARY) wins, then CAENHV_LIB', () => {
  const d = dir('explicit', ['libcaenhvwrapper.so.6.1']);
  const env = { CAENHV_LIB: join(dir('env', ['libcaenhvwrapper.so.5.82']), 'libcaenhvwrapper.so.5.82') };
  assert.equal(findCaenLibrary(join(d, 'libcaenhvwrapper.so.6.1'), env), join(d, 'libcaenhvwrapper.so.6.1'));
  assert.equal(findCaenLibrary(undefined, env), env.CAENHV_LIB);
  // a directory is searched for the newest version
  assert.equal(findCaenLibrary(d, {}), join(d, 'libcaenhvwrapper.so.6.1'));
});

test('an explicit path that does not exist is LIBRARY_NOT_FOUND naming it and both ways to point at the file', () => {
  const missing = join(root, 'nowhere', 'libcaenhvwrapper.so');
  const e = codeOf(() => findCaenLibrary(missing, {}));
  assert.equal(e.code, 'LIBRARY_NOT_FOUND');
  assert.match(e.message, /CAENHV_LIBRARY points at .*nowhere\/libcaenhvwrapper\.so/);
  assert.match(e.message, /CAENHV_LIB=/);
  const e2 = codeOf(() => findCaenLibrary(undefined, { CAENHV_LIB: missing }));
  assert.match(e2.message, /CAENHV_LIB points at/);
  const empty = dir('emptydir', ['README']);
  assert.equal(codeOf(() => findCaenLibrary(empty, {})).code, 'LIBRARY_NOT_FOUND');
});

test('LD_LIBRARY_PATH: the newest versioned name, an unversioned symlink counts as its target', () => {
  const a = dir('ld-a', ['libcaenhvwrapper.so.5.82', 'libcaenhvwrapper.so.6.1', 'libcaenhvwrapper.so.6.0', 'libother.so']);
  const b = dir('ld-b', []);
  assert.equal(findCaenLibrary(undefined, { LD_LIBRARY_PATH: `${b}:${a}` }), join(a, 'libcaenhvwrapper.so.6.1'));
  const c = dir('ld-c', ['libcaenhvwrapper.so.6.3']);
  symlinkSync('libcaenhvwrapper.so.6.3', join(c, 'libcaenhvwrapper.so'));
  const found = findCaenLibrary(undefined, { LD_LIBRARY_PATH: `${a}:${c}` });
  assert.ok(found === join(c, 'libcaenhvwrapper.so.6.3') || found === join(c, 'libcaenhvwrapper.so'), found);
  // a dangling symlink is not a candidate
  const d = dir('ld-d', []);
  symlinkSync('libcaenhvwrapper.so.9.9', join(d, 'libcaenhvwrapper.so'));
  assert.equal(findCaenLibrary(undefined, { LD_LIBRARY_PATH: `${d}:${a}` }), join(a, 'libcaenhvwrapper.so.6.1'));
});

test('nothing anywhere: one message listing every directory looked at and how to point at the file', (t) => {
  let installed: string | undefined;
  try {
    installed = findCaenLibrary(undefined, {});
  } catch {
    installed = undefined;
  }
  if (installed) return t.skip(`a libcaenhvwrapper is installed on this machine: ${installed}`);
  const ld = dir('ld-empty', []);
  const e = codeOf(() => findCaenLibrary(undefined, { LD_LIBRARY_PATH: ld }));
  assert.equal(e.code, 'LIBRARY_NOT_FOUND');
  for (const d of [ld, ...STANDARD_LIBRARY_DIRS]) assert.ok(e.message.includes(d), `message names ${d}`);
  assert.match(e.message, /CAENHV_LIBRARY/);
  assert.match(e.message, /CAENHV_LIB=\/path\/to\/libcaenhvwrapper\.so/);
  assert.deepEqual(librarySearchDirs({ LD_LIBRARY_PATH: ld }).ldDirs, [ld]);
});

test('a file that is not a loadable library is LIBRARY_LOAD_FAILED naming it and the loader reason', () => {
  const d = dir('bad', ['libcaenhvwrapper.so.6.1']);
  const path = join(d, 'libcaenhvwrapper.so.6.1');
  const e = codeOf(() => CaenLibrary.open(path));
  assert.equal(e.code, 'LIBRARY_LOAD_FAILED');
  assert.ok(e.message.includes(path));
  assert.match(e.message, /invalid ELF header|file too short|cannot open/i);
});

test('a loadable library that is not CAEN\'s is LIBRARY_LOAD_FAILED naming the missing function', (t) => {
  const libm = ['/lib/x86_64-linux-gnu/libm.so.6', '/usr/lib/x86_64-linux-gnu/libm.so.6', '/lib64/libm.so.6'].find((p) => existsSync(p));
  if (!libm) return t.skip('no libm found');
  const e = codeOf(() => CaenLibrary.open(libm));
  assert.equal(e.code, 'LIBRARY_LOAD_FAILED');
  assert.ok(e.message.includes(libm));
  assert.match(e.message, /CAENHVLibSwRel is missing/);
});

test('a CAEN build whose OpenSSL 1.1 is missing: LIBRARY_LOAD_FAILED with the loader reason and the fix', (t) => {
  const d = dir('openssl', []);
  const cc = process.env.CC ?? 'cc';
  const run = (args: string[]): boolean => spawnSync(cc, args, { cwd: d, stdio: 'ignore' }).status === 0;
  writeFileSync(join(d, 'ssl.c'), 'int SSL_library_init(void) { return 1; }\n');
  writeFileSync(join(d, 'wrap.c'), 'extern int SSL_library_init(void);\nconst char *CAENHVLibSwRel(void) { SSL_library_init(); return "6.1"; }\n');
  const ok =
    run(['-shared', '-fPIC', '-o', 'libssl.so.1.1', '-Wl,-soname,libssl.so.1.1', 'ssl.c']) &&
    run(['-shared', '-fPIC', '-o', 'libcaenhvwrapper.so.6.1', 'wrap.c', join(d, 'libssl.so.1.1')]);
  if (!ok) return t.skip(`no working C compiler (${cc})`);
  rmSync(join(d, 'libssl.so.1.1'));
  const path = join(d, 'libcaenhvwrapper.so.6.1');
  const e = codeOf(() => CaenLibrary.open(path));
  assert.equal(e.code, 'LIBRARY_LOAD_FAILED');
  assert.ok(e.message.includes(path));
  assert.match(e.message, /libssl\.so\.1\.1/);
  assert.match(e.message, /needs OpenSSL 1\.1/);
});
