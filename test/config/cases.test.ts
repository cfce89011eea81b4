// Data-driven: every test/cases/<name>/ holds a config.yml and an expected.json, either
// {"ok": true, …expected parts of the config} or {"error": {"code", "messages": [one substring per issue]}}.
// Each case is checked in process (the parsed shape or the ConfigError) and through the real CLI
// (`gemcaen --config <case> validate`: exit 0, or exit 2 with one `gemcaen: ` line per issue).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { loadConfigFile } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { CASES, type CliResult, plain, pool, runCli, secretValuesIn } from './helpers.js';

interface Expected {
  ok?: boolean;
  env?: Record<string, string>;
  error?: { code: string; messages: (string | string[])[] };
  settings?: Record<string, unknown>;
  groups?: Record<string, unknown>;
  mainframes?: Record<string, Record<string, unknown>>;
  sinks?: Record<string, Record<string, unknown>>;
  setups?: Record<string, Record<string, unknown>>;
  sinkCount?: number;
  /** "mainframe <id>" → password, "sink <id>" → token or password, as revealed */
  secrets?: Record<string, string>;
  warnings?: string[];
  /** warnings only `gemcaen validate` gives (files that do not exist) */
  cliWarnings?: string[];
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

/** Assigns each expected substring to a distinct line; fails naming what is missing. */
function assertLinesMatch(lines: readonly string[], expected: readonly (string | string[])[], label: string): void {
  assert.equal(lines.length, expected.length, `${label}: expected ${expected.length} line(s), got:\n${lines.join('\n')}`);
  const used = new Set<number>();
  for (const entry of expected) {
    const want = typeof entry === 'string' ? [entry] : entry;
    const i = lines.findIndex((l, n) => !used.has(n) && want.every((w) => l.includes(w)));
    assert.ok(i >= 0, `${label}: no line contains ${JSON.stringify(want)} in:\n${lines.join('\n')}`);
    used.add(i);
  }
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
      const warnings = (config.warnings ?? []).map((w) => `${w.where}: ${w.message}`);
      assertLinesMatch(warnings, c.expected.warnings ?? [], 'warnings');
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
      assert.equal(caught.issues.length, want.messages.length, caught.message);
      assertLinesMatch(caught.message.split('\n'), want.messages, c.name);
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
    test(`${c.name}: exit 2, one "gemcaen: " line per issue naming the key`, () => {
      const r = results.get(c.name)!;
      assert.equal(r.code, 2, `exit ${r.code}; stderr:\n${r.stderr}`);
      assert.equal(r.stdout, '');
      const lines = r.stderr.replace(/\n$/, '').split('\n');
      for (const line of lines) {
        assert.ok(line.startsWith('gemcaen: '), `not a one-line error: ${JSON.stringify(line)}`);
        assert.doesNotMatch(line, /^\s+at |internal error/);
      }
      assertLinesMatch(lines, c.expected.error!.messages, c.name);
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
      assertLinesMatch(warningLines, [...(c.expected.warnings ?? []), ...(c.expected.cliWarnings ?? [])], 'CLI warnings');
    });
  }
});
