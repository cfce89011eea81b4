// `gemcaen --version`, and errors of a command run with --json as one JSON line (scripts branch on the code).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runCli, tempDir } from '../helpers/cli.js';

test('--version prints the package version and exits 0', async () => {
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), version);
});

test('a command run with --json reports its error as one JSON line with the code and the exit code', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const r = await runCli(['--config', join(dir, 'missing.yml'), 'validate', '--json']);
  assert.equal(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  const parsed = JSON.parse(lines[0] as string) as { error: { code: string; message: string }; exitCode: number };
  assert.equal(parsed.error.code, 'CONFIG_NOT_FOUND');
  assert.equal(parsed.exitCode, 2);
});

test('without --json the same error is one `gemcaen:` line', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const r = await runCli(['--config', join(dir, 'missing.yml'), 'validate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^gemcaen: /);
  assert.throws(() => JSON.parse(r.stderr));
});
