// Data-driven: every test/cases/<name>/ holds a config.yml and an expected.json, either
// {"ok": true, …expected parts of the config, "warnings": [issue…]} or {"error": {"code", "issues": [issue…],
// "warnings"?: [issue…]}}, an issue being {"code", "where", "says"?: [substrings]}: the stable code and the
// key it names are asserted, the wording only where it is the behaviour (a "did you mean", a hidden value,
// a line number). Each case is checked in process (the parsed shape or the ConfigError) and through the
// real CLI (`gemcaen --config <case> validate`: exit 0, or exit 2 with one `gemcaen: ` line per issue
// ending in its [CODE], then its warnings).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { loadConfigFile } from '../../src/config/load.js';
import { ConfigError, type ConfigIssue } from '../../src/errors.js';
import { CASES, type CliResult, plain, pool, runCli, secretValuesIn } from './helpers.js';

/** One issue as a case expects it: `file config.yml` stands for the case's file. */
interface ExpectedIssue {
  code: string;
  where: string;
  /** substrings of the message, where the wording is what is tested */
  says?: string[];
}

interface Expected {
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

interface Case {
  name: string;
  dir: string;
  file: string;
  text: string;
  expected: Expected;
}

const cases: Case[] = readdirSync(CASES)
  .filter((name) => existsSync(join(CASES, name, 'expected.json')))
  .sort()
  .map((name) => {
    const dir = join(CASES, name);
    const file = join(dir, 'config.yml');
    return { name, dir, file, text: readFileSync(file, 'utf8'), expected: JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected };
  });
const good = cases.filter((c) => c.expected.ok === true);
const bad = cases.filter((c) => c.expected.error !== undefined);

/**
 * Pairs each expected issue with a distinct item (`matches` says whether an item is that issue); fails
 * naming the issue that has none, and when there are more or fewer items than issues.
 */
function assertPaired<T>(items: readonly T[], expected: readonly ExpectedIssue[], matches: (item: T, want: ExpectedIssue) => boolean, show: (item: T) => string, label: string): void {
  const all = items.map(show).join('\n');
  assert.equal(items.length, expected.length, `${label}: expected ${expected.length} issue(s), got:\n${all}`);
  const used = new Set<number>();
  for (const want of expected) {
    const i = items.findIndex((item, n) => !used.has(n) && matches(item, want));
    assert.ok(i >= 0, `${label}: none is ${JSON.stringify(want)} in:\n${all}`);
    used.add(i);
  }
}

/** The issues of the loader (code, key, message), the case's file written `config.yml` as in expected.json. */
function assertIssues(actual: readonly ConfigIssue[], expected: readonly ExpectedIssue[], c: Case, label: string): void {
  assertPaired(
    actual.map((i) => ({ ...i, where: i.where.split(c.file).join('config.yml') })),
    expected,
    (i, want) => i.code === want.code && i.where === want.where && (want.says ?? []).every((w) => i.message.includes(w)),
    (i) => `${i.code} ${i.where}: ${i.message}`,
    `${c.name} ${label}`,
  );
}

/** The lines of the CLI: `gemcaen: [warning: ]<where>: <message> [<CODE>]`. */
function assertLines(lines: readonly string[], expected: readonly ExpectedIssue[], c: Case, prefix: string, label: string): void {
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

function secretsOf(c: Case): string[] {
  return [...secretValuesIn(c.text), ...Object.entries(c.expected.env ?? {}).filter(([k]) => /PASSWORD|TOKEN/.test(k)).map(([, v]) => v)];
}

test('the case folders are complete: at least 50 malformed configs and the original example', () => {
  assert.ok(bad.length >= 50, `only ${bad.length} malformed cases`);
  assert.ok(good.some((c) => c.name === 'original-example'));
  for (const c of cases) assert.ok(c.expected.ok === true || c.expected.error, `${c.name}: expected.json needs ok or error`);
});

describe('good configs: the parsed shape', () => {
  for (const c of good) {
    test(c.name, () => {
      const config = loadConfigFile(c.file, { env: c.expected.env ?? {}, cwd: c.dir });
      const view = plain(config, c.dir);
      for (const part of ['mainframes', 'sinks', 'setups'] as const) {
        const want = c.expected[part];
        if (!want) continue;
        const have = view[part] as Record<string, Record<string, unknown>>;
        for (const [id, fields] of Object.entries(want)) {
          assert.ok(have[id], `${part} has no ${id}; has ${Object.keys(have).join(', ')}`);
          for (const [k, v] of Object.entries(fields)) assert.deepEqual(have[id][k], v, `${part}.${id}.${k}`);
        }
      }
      if (c.expected.settings) assert.deepEqual(view.settings, c.expected.settings);
      if (c.expected.groups) assert.deepEqual(view.groups, c.expected.groups);
      if (c.expected.sinkCount !== undefined) assert.equal(config.sinks.size, c.expected.sinkCount);
      for (const [what, value] of Object.entries(c.expected.secrets ?? {})) {
        const [kind, id] = [what.slice(0, what.indexOf(' ')), what.slice(what.indexOf(' ') + 1)];
        if (kind === 'mainframe') assert.equal(config.mainframes.get(id)?.password.reveal(), value);
        else {
          const sink = config.sinks.get(id);
          assert.ok(sink && sink.kind !== 'file', `no sink ${id}`);
          assert.equal(sink.kind === 'influx-v2' ? sink.token.reveal() : sink.password?.reveal(), value);
        }
      }
      assertIssues(config.warnings ?? [], c.expected.warnings ?? [], c, 'warnings');
      const printed = JSON.stringify(view);
      for (const s of secretsOf(c)) assert.ok(!printed.includes(s), `secret ${s} serialised`);
    });
  }
});

describe('malformed configs: every issue at once, in process', () => {
  for (const c of bad) {
    test(c.name, () => {
      const want = c.expected.error!;
      let caught: unknown;
      try {
        loadConfigFile(c.file, { env: c.expected.env ?? {}, cwd: c.dir });
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
      assert.equal(caught.code, want.code);
      assertIssues(caught.issues, want.issues, c, 'errors');
      assertIssues(caught.warnings, want.warnings ?? [], c, 'warnings');
      assert.equal(caught.message.split('\n').length, want.issues.length, `one line per issue:\n${caught.message}`);
      for (const s of secretsOf(c)) assert.ok(!caught.message.includes(s), `message shows secret ${s}:\n${caught.message}`);
    });
  }
});

describe('the real CLI: gemcaen --config <case> validate', () => {
  const results = new Map<string, CliResult>();
  before(async () => {
    const runs = await pool(cases, 4, (c) => runCli(['--config', c.file, 'validate'], c.expected.env ?? {}, c.dir));
    cases.forEach((c, i) => results.set(c.name, runs[i]));
  });

  for (const c of bad) {
    test(`${c.name}: exit 2, one "gemcaen: " line per issue naming the key and its code, then the warnings`, () => {
      const r = results.get(c.name)!;
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
    });
  }

  for (const c of good) {
    test(`${c.name}: exit 0, lists every setup, no secret`, () => {
      const r = results.get(c.name)!;
      assert.equal(r.code, 0, `exit ${r.code}; stderr:\n${r.stderr}`);
      for (const setup of Object.keys(c.expected.setups ?? {})) assert.ok(r.stdout.includes(setup), `stdout lacks ${setup}`);
      for (const s of secretsOf(c)) assert.ok(!(r.stdout + r.stderr).includes(s), `output shows secret ${s}`);
      const warningLines = r.stderr === '' ? [] : r.stderr.replace(/\n$/, '').split('\n');
      for (const line of warningLines) assert.ok(line.startsWith('gemcaen: warning: '), line);
      assertLines(warningLines, [...(c.expected.warnings ?? []), ...(c.expected.cliWarnings ?? [])], c, 'gemcaen: warning: ', 'CLI warnings');
    });
  }
});
