// Every way of starting the daemon passes the same V8 flags (src/cli/node-flags.ts): npm start,
// bin/gemcaen.js, pm2's ecosystem file and the systemd unit. A flag added in one of them and not the
// others, or a typo that node rejects, fails here.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DAEMON_NODE_FLAGS } from '../../src/cli/node-flags.js';
import { repoRoot } from '../helpers/cli.js';

const flags = DAEMON_NODE_FLAGS.join(' ');
const read = (file: string): string => readFileSync(join(repoRoot, file), 'utf8');

test('npm start, bin/gemcaen.js, ecosystem.config.cjs and deploy/gemcaen.service pass DAEMON_NODE_FLAGS', () => {
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts.start, `exec node ${flags} dist/src/cli/main.js start`);
  assert.equal(read('bin/gemcaen.js').split('\n')[0], `#!/usr/bin/env -S node ${flags}`);
  const ecosystem = createRequire(import.meta.url)(join(repoRoot, 'ecosystem.config.cjs')) as { apps: { node_args?: string[] }[] };
  assert.deepEqual(ecosystem.apps[0].node_args, [...DAEMON_NODE_FLAGS]);
  const execStart = read('deploy/gemcaen.service').split('\n').find((l) => l.startsWith('ExecStart='));
  assert.ok(execStart?.startsWith(`ExecStart=/usr/bin/node ${flags} dist/src/cli/main.js start `), execStart);
});

test('node takes the flags, and bin/gemcaen.js runs through its shebang', () => {
  // node exits 9 ("bad option") on a flag it does not know; execFileSync throws on that
  execFileSync(process.execPath, [...DAEMON_NODE_FLAGS, '-e', '0']);
  const pkg = JSON.parse(read('package.json')) as { version: string };
  assert.equal(execFileSync(join(repoRoot, 'bin', 'gemcaen.js'), ['--version'], { encoding: 'utf8' }).trim(), pkg.version);
});
