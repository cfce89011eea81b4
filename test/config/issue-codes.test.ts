// The stable codes of config issues: each is documented, each is given by a check, and the CLI prints
// them (the `[CODE]` of a line, `details.issues[].code` with --json), warnings with the errors.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CONFIG_ISSUE_CODES } from '../../src/config/issues.js';
import { CASES, ROOT, runCli } from './helpers.js';

const CODES = Object.keys(CONFIG_ISSUE_CODES);

interface WireIssue {
  code: string;
  where: string;
  message: string;
}
interface JsonFailure {
  error: { code: string; message: string; details: { issues: WireIssue[]; warnings?: WireIssue[] } };
  exitCode: number;
}

test('docs/config.md lists exactly the issue codes of CONFIG_ISSUE_CODES', () => {
  const docs = readFileSync(join(ROOT, 'docs', 'config.md'), 'utf8');
  const table = docs.slice(docs.indexOf('| issue code | when |'));
  const documented = [...table.slice(0, table.indexOf('\n\n')).matchAll(/^\| `(CONFIG_[A-Z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual([...documented].sort(), [...CODES].sort());
});

test('every issue code is given by some check of the loader, a sink plugin or validate (no code without a check)', () => {
  const dir = join(ROOT, 'src', 'config');
  // the sink plugins check their own blocks (src/writer/sinks/<plugin>/config.ts)
  const sinks = join(ROOT, 'src', 'writer', 'sinks');
  const pluginFiles = readdirSync(sinks, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(sinks, f));
  const sources = [...readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f)), join(ROOT, 'src', 'cli', 'validate.ts'), ...pluginFiles];
  const text = sources.map((f) => readFileSync(f, 'utf8')).join('\n');
  // a code written as a string literal (the catalogue's keys are bare identifiers)
  const unused = CODES.filter((c) => !text.includes(`'${c}'`));
  assert.deepEqual(unused, []);
});

test('the cases cover most codes (a code no case reaches is listed here on purpose)', () => {
  const seen = new Set<string>();
  for (const name of readdirSync(CASES)) {
    let text: string;
    try {
      text = readFileSync(join(CASES, name, 'expected.json'), 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/"code": "(CONFIG_[A-Z_]+)"/g)) seen.add(m[1]);
  }
  // asserted in test/config/load.test.ts (a missing file, the bounds) and test/daemon/health-hardening.test.ts
  // (HealthListen on every interface), or not reached by any case yet (fallbacks of the schema's translation,
  // web settings)
  const elsewhere = [
    'CONFIG_FILE_UNREADABLE', 'CONFIG_FILE_TOO_LARGE', 'CONFIG_MORE_ISSUES', 'CONFIG_VALUE_TOO_LONG',
    'CONFIG_YAML_UNREADABLE', 'CONFIG_BAD_FORMAT', 'CONFIG_EMPTY_VALUE', 'CONFIG_INVALID_VALUE', 'CONFIG_TLS_INCOMPLETE',
    'CONFIG_DEMO_NOT_LOOPBACK', 'CONFIG_LISTEN_ALL_INTERFACES',
  ];
  assert.deepEqual(CODES.filter((c) => !seen.has(c) && !elsewhere.includes(c)), []);
});

test('validate --json: one JSON line with every error and every warning, each with its code; exit 2', async () => {
  const file = join(CASES, 'bad-errors-and-warnings', 'config.yml');
  const r = await runCli(['--config', file, 'validate', '--json']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  const out = JSON.parse(lines[0]) as JsonFailure;
  assert.equal(out.exitCode, 2);
  assert.equal(out.error.code, 'CONFIG_INVALID');
  assert.deepEqual(out.error.details.issues.map((i) => [i.code, i.where]), [['CONFIG_OUT_OF_RANGE', 'setup ViewA: HoldOffTime']]);
  assert.deepEqual(
    (out.error.details.warnings ?? []).map((i) => i.code).sort(),
    ['CONFIG_DEADBAND_UNUSED', 'CONFIG_EMPTY_PASSWORD', 'CONFIG_UNKNOWN_MONITORABLE'],
  );
});

test('validate with errors and warnings: the error lines, then the warning lines, each ending in its code; exit 2', async () => {
  const file = join(CASES, 'bad-errors-and-warnings', 'config.yml');
  const r = await runCli(['--config', file, 'validate']);
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  const codes = lines.map((l) => /\[(CONFIG_[A-Z_]+)\]$/.exec(l)?.[1]);
  assert.deepEqual(codes, ['CONFIG_OUT_OF_RANGE', 'CONFIG_UNKNOWN_MONITORABLE', 'CONFIG_DEADBAND_UNUSED', 'CONFIG_EMPTY_PASSWORD']);
  assert.deepEqual(lines.map((l) => l.startsWith('gemcaen: warning: ')), [false, true, true, true]);
});

test('validate --strict --json: warnings refused as CONFIG_WARNINGS, each warning an issue with its code', async () => {
  const file = join(CASES, 'good-overlap-warning', 'config.yml');
  const r = await runCli(['--config', file, 'validate', '--strict', '--json'], {}, join(CASES, 'good-overlap-warning'));
  assert.equal(r.code, 2, r.stderr);
  const out = JSON.parse(r.stderr.trim()) as JsonFailure;
  assert.equal(out.error.code, 'CONFIG_WARNINGS');
  assert.deepEqual(out.error.details.issues.map((i) => i.code), ['CONFIG_UNKNOWN_MONITORABLE', 'CONFIG_DEADBAND_UNUSED', 'CONFIG_CHANNEL_OVERLAP']);
});
