// The config cases of test/cases/ (each a config.yml and an expected.json) and the assertions on them that
// more than one test file makes: cases.test.ts (in process, and good configs through `validate`) and the
// fault suite's case 7 (test/faults/inputs.test.ts: every malformed config through `gemcaen start`).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASES, type CliResult, secretValuesIn } from './helpers.js';

/** One issue as a case expects it: `file config.yml` stands for the case's file. */
export interface ExpectedIssue {
  code: string;
  where: string;
  /** substrings of the message, where the wording is what is tested */
  says?: string[];
}

export interface Expected {
  ok?: boolean;
  env?: Record<string, string>;
  error?: { code: string; issues: ExpectedIssue[]; warnings?: ExpectedIssue[] };
  settings?: Record<string, unknown>;
  groups?: Record<string, unknown>;
  mainframes?: Record<string, Record<string, unknown>>;
  sinks?: Record<string, Record<string, unknown>>;
  setups?: Record<string, Record<string, unknown>>;
  sinkCount?: number;
  /** "mainframe <id>" → password, "sink <id>" → token or password, as revealed */
  secrets?: Record<string, string>;
  warnings?: ExpectedIssue[];
  /** warnings only `gemcaen validate` gives (files that do not exist) */
  cliWarnings?: ExpectedIssue[];
}

export interface Case {
  name: string;
  dir: string;
  file: string;
  text: string;
  expected: Expected;
}

/** Every case folder, by name. */
export const cases: Case[] = readdirSync(CASES)
  .filter((name) => existsSync(join(CASES, name, 'expected.json')))
  .sort()
  .map((name) => {
    const dir = join(CASES, name);
    const file = join(dir, 'config.yml');
    return { name, dir, file, text: readFileSync(file, 'utf8'), expected: JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected };
  });
export const good = cases.filter((c) => c.expected.ok === true);
export const bad = cases.filter((c) => c.expected.error !== undefined);


/**
 * Pairs each expected issue with a distinct item (`matches` says whether an item is that issue); fails
 * naming the issue that has none, and when there are more or fewer items than issues.
 */
export function assertPaired<T>(items: readonly T[], expected: readonly ExpectedIssue[], matches: (item: T, want: ExpectedIssue) => boolean, show: (item: T) => string, label: string): void {
  const all = items.map(show).join('\n');
  assert.equal(items.length, expected.length, `${label}: expected ${expected.length} issue(s), got:\n${all}`);
  const used = new Set<number>();
  for (const want of expected) {
    const i = items.findIndex((item, n) => !used.has(n) && matches(item, want));
    assert.ok(i >= 0, `${label}: none is ${JSON.stringify(want)} in:\n${all}`);
    used.add(i);
  }
}

/** The lines of the CLI: `gemcaen: [warning: ]<where>: <message> [<CODE>]`. */
export function assertLines(lines: readonly string[], expected: readonly ExpectedIssue[], c: Case, prefix: string, label: string): void {
  assertPaired(
    lines,
    expected,
    (line, want) =>
      line.startsWith(`${prefix}${want.where.replace(/^file config\.yml$/, `file ${c.file}`)}: `) &&
      line.endsWith(` [${want.code}]`) &&
      (want.says ?? []).every((w) => line.includes(w)),
    (line) => line,
    `${c.name} ${label}`,
  );
}

/** The secret values of a case (in its YAML or its env), which no output may show. */
export function secretsOf(c: Case): string[] {
  return [...secretValuesIn(c.text), ...Object.entries(c.expected.env ?? {}).filter(([k]) => /PASSWORD|TOKEN/.test(k)).map(([, v]) => v)];
}

/**
 * The real CLI's answer to a malformed case: exit 2, nothing on stdout, one `gemcaen: ` line per issue
 * naming the key and ending in its code (no stack trace), then one line per warning, and no secret.
 */
export function assertMalformedAnswer(r: Pick<CliResult, 'code' | 'stdout' | 'stderr'>, c: Case): void {
  assert.equal(r.code, 2, `exit ${r.code}; stderr:\n${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.replace(/\n$/, '').split('\n');
  for (const line of lines) {
    assert.ok(line.startsWith('gemcaen: '), `not a one-line error: ${JSON.stringify(line)}`);
    assert.doesNotMatch(line, /^\s+at |internal error/);
  }
  const warningsFrom = lines.findIndex((l) => l.startsWith('gemcaen: warning: '));
  const errors = warningsFrom < 0 ? lines : lines.slice(0, warningsFrom);
  const warnings = warningsFrom < 0 ? [] : lines.slice(warningsFrom);
  assertLines(errors, c.expected.error!.issues, c, 'gemcaen: ', 'errors');
  // the warnings come after every error, all of them
  assertLines(warnings, c.expected.error!.warnings ?? [], c, 'gemcaen: warning: ', 'warnings');
  for (const s of secretsOf(c)) assert.ok(!r.stderr.includes(s), `stderr shows secret ${s}`);
}
