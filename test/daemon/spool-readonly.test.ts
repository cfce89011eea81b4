// A spool directory that cannot be written at start (issue 17): a configuration error, not an outage.
// `gemcaen start` says which directory, why and what to do, on one line, and exits 2 (pm2/systemd do
// not restart a configuration error in a loop); nothing starts. A real read-only tmpfs, as root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { mountTmpfs } from '../helpers/tmpfs.js';
import { simLibraryPath } from '../helpers/sim.js';
import { CLI, tempDir, writeConfig } from './run-daemon.js';
import { setupYaml } from '../faults/kit.js';

function config(dir: string, spool: string): string {
  return writeConfig(
    dir,
    [
      'gemcaen:',
      `  LogDirectory: "${join(dir, 'logs')}"`,
      `  SpoolDirectory: "${spool}"`,
      '  HealthListen: "127.0.0.1:0"',
      setupYaml({ name: 'RO', mainframe: { address: '127.0.0.1', library: simLibraryPath() }, slot: 2, channels: [0], holdOffSeconds: 1, sink: { influx: { url: 'http://127.0.0.1:1', database: 'x' } } }),
    ].join('\n'),
  );
}

for (const [name, sub] of [['the directory is the read-only mount', ''], ['the directory is to be created on a read-only file system', 'spool/deeper']] as const) {
  test(`read-only spool directory at start (${name}): one line naming it, the cause and the fix; exit 2; nothing started`, (t) => {
    const ro = mountTmpfs(t, 64 * 1024, { readOnly: true });
    if (typeof ro === 'string') {
      t.skip(ro);
      return;
    }
    const dir = tempDir(t);
    const spool = sub ? join(ro.dir, sub) : ro.dir;
    const r = spawnSync(process.execPath, [CLI, '-c', config(dir, spool), 'start', 'RO'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^gemcaen: /);
    assert.ok(lines[0].includes(spool), 'names the directory');
    assert.match(lines[0], /EROFS/, 'the real cause, not ENOENT');
    assert.match(lines[0], /SpoolDirectory/, 'the key to change');
    assert.ok(!existsSync(join(dir, 'logs')), 'nothing started (no log directory)');
  });
}
