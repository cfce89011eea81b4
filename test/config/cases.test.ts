// Data-driven: every test/cases/<name>/ holds a config.yml and an expected.json, either
// {"ok": true, …expected parts of the config, "warnings": [issue…]} or {"error": {"code", "issues": [issue…],
// "warnings"?: [issue…]}}, an issue being {"code", "where", "says"?: [substrings]}: the stable code and the
// key it names are asserted, the wording only where it is the behaviour (a "did you mean", a hidden value,
// a line number). Each case is checked in process (the parsed shape or the ConfigError) and once through
// the real CLI: a good config with `gemcaen --config <case> validate` (exit 0, its setups, its warnings),
// a malformed one with `gemcaen --config <case> start` in the fault suite's case 7
// (test/faults/inputs.test.ts: exit 2, one `gemcaen: ` line per issue ending in its [CODE], then its
// warnings, nothing started), so that no config is run through the CLI twice.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { loadConfigFile } from '../../src/config/load.js';
import { ConfigError, type ConfigIssue } from '../../src/errors.js';
import { assertLines, assertPaired, bad, type Case, cases, type ExpectedIssue, good, secretsOf } from './case-kit.js';
import { type CliResult, plain, pool, runCli } from './helpers.js';

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

describe('the real CLI: gemcaen --config <case> validate (good configs; the malformed ones: fault 7)', () => {
  const results = new Map<string, CliResult>();
  before(async () => {
    const runs = await pool(good, 4, (c) => runCli(['--config', c.file, 'validate'], c.expected.env ?? {}, c.dir));
    good.forEach((c, i) => results.set(c.name, runs[i]));
  });

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
