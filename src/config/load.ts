// Loading the config: file → YAML → ${VAR} expansion → JSON Schema → cross-field checks → frozen GemcaenConfig.
// Every problem is collected and thrown at once as one ConfigError; messages never contain a secret.
import { readFileSync, statSync } from 'node:fs';
import { type Document, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { ConfigError, UsageError } from '../errors.js';
import { buildConfig } from './build.js';
import { type Environment, expandEnvironment } from './env.js';
import { deepFreeze } from './freeze.js';
import { type ConfigIssueCode, formatKeys, IssueList, type KeyPath, SETTINGS_KEY } from './issues.js';
import { validateAgainstSchema } from './schema.js';
import { sinkBlocks } from '../writer/sinks/registry.js';
import type { GemcaenConfig, MainframeConfig, SetupConfig } from './types.js';

/** The config file used when neither --config nor GEMCAEN_CONFIG is given (relative to the working directory). */
export const DEFAULT_CONFIG_FILE = 'config/config.yml';

export interface LoadOptions {
  /** environment for ${VAR} expansion (default process.env) */
  env?: Environment;
  /** base of relative paths in the file (default process.cwd()) */
  cwd?: string;
}

/** Largest config file read (a config with a hundred setups is some 50 kB). */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** Longest text value (paths, URLs, tokens, passwords are far shorter). */
export const MAX_VALUE_CHARS = 16 * 1024;

/** Reads and validates a config file. Throws ConfigError (code CONFIG_NOT_FOUND, CONFIG_YAML or CONFIG_INVALID). */
export function loadConfigFile(file: string, options: LoadOptions = {}): GemcaenConfig {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_CONFIG_BYTES) {
      throw new ConfigError(
        [{ code: 'CONFIG_FILE_TOO_LARGE' satisfies ConfigIssueCode, where: `file ${file}`, message: `is ${(size / 1024 / 1024).toFixed(1)} MB; a config is at most ${MAX_CONFIG_BYTES / 1024 / 1024} MB (a hundred setups take some 50 kB): is this the right file?` }],
        'CONFIG_INVALID',
      );
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError(
      [{ code: 'CONFIG_FILE_UNREADABLE' satisfies ConfigIssueCode, where: `file ${file}`, message: `cannot read the config: ${reason}; pass --config FILE or set GEMCAEN_CONFIG` }],
      'CONFIG_NOT_FOUND',
    );
  }
  return parseConfig(text, file, options);
}

/** Validates config text; `file` names it in messages. */
export function parseConfig(text: string, file: string, options: LoadOptions = {}): GemcaenConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const lines = new LineCounter();
  // YAML 1.1, as PyYAML read the original gemcaen's files: `yes`/`no`/`on`/`off` are booleans there too
  // uniqueKeys: false, because yaml checks each key against every earlier key of its mapping (20 000
  // setups: 10 s); duplicateKeyAt does the same check with a Set
  const doc = parseDocument(text, { version: '1.1', lineCounter: lines, merge: true, uniqueKeys: false, prettyErrors: false });
  const duplicate = doc.errors.length === 0 ? duplicateKeyAt(doc) : undefined;
  if (duplicate !== undefined) {
    const issues = new IssueList(file);
    issues.fileError('CONFIG_DUPLICATE_KEY', 'is not valid YAML: a key appears twice in one mapping (two setups with one name?); fix the syntax', lines.linePos(duplicate).line);
    throw new ConfigError(issues.errors, 'CONFIG_YAML');
  }
  if (doc.errors.length > 0) {
    // the first syntax error only (the others usually follow from it), and only its first sentence:
    // yaml's excerpt of the source line could show a password
    const e = doc.errors[0];
    const what = e.code === 'DUPLICATE_KEY' ? 'a key appears twice in one mapping (two setups with one name?)' : e.message.split(' at line ')[0].split('\n')[0];
    const more = doc.errors.length > 1 ? ` (first of ${doc.errors.length} syntax errors)` : '';
    const issues = new IssueList(file);
    issues.fileError(e.code === 'DUPLICATE_KEY' ? 'CONFIG_DUPLICATE_KEY' : 'CONFIG_YAML_SYNTAX', `is not valid YAML: ${what}${more}; fix the syntax`, lines.linePos(e.pos[0]).line);
    throw new ConfigError(issues.errors, 'CONFIG_YAML');
  }
  // a tag gemcaen does not know (!ENV, !!python/object…) would be read as a plain string: refuse it
  const tag = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (tag) {
    const name = /Unresolved tag: (\S+)/.exec(tag.message)?.[1] ?? 'unknown';
    const issues = new IssueList(file);
    issues.fileError(
      'CONFIG_YAML_TAG',
      `uses the YAML tag ${name.length > 60 ? `${name.slice(0, 57)}...` : name}, which gemcaen does not know; remove it (plain YAML values only; write \${NAME} to take a value from the environment)`,
      lines.linePos(tag.pos[0]).line,
    );
    throw new ConfigError(issues.errors, 'CONFIG_YAML');
  }
  const issues = new IssueList(file, doc, lines);
  let tree: unknown;
  try {
    tree = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    issues.fileError('CONFIG_YAML_UNREADABLE', `cannot be read as data: ${(err as Error).message.split('\n')[0]}`);
    throw new ConfigError(issues.errors, 'CONFIG_YAML');
  }
  if (tree === null || tree === undefined) {
    issues.fileError('CONFIG_EMPTY_FILE', `is empty; it must map setup names to setups (see ${DEFAULT_CONFIG_FILE} for an example)`);
    throw new ConfigError(issues.errors);
  }
  if (typeof tree !== 'object' || Array.isArray(tree)) {
    issues.fileError('CONFIG_NOT_A_MAPPING', `must be a mapping of setup names to setups, not ${Array.isArray(tree) ? 'a list' : 'a single value'} (see ${DEFAULT_CONFIG_FILE})`);
    throw new ConfigError(issues.errors);
  }
  const cycle = aliasCycle(tree);
  if (cycle) {
    issues.fileError(
      'CONFIG_YAML_ALIAS_CYCLE',
      `${cycle.node.length > 0 ? `key ${formatKeys(cycle.node)}` : 'the document'} contains itself through a YAML alias (at ${formatKeys(cycle.alias)}: an anchor used inside its own node, e.g. a: &a [*a]); an anchor must not be used inside the node it names`,
    );
    throw new ConfigError(issues.errors, 'CONFIG_YAML');
  }
  if (Object.keys(tree).filter((k) => k !== SETTINGS_KEY).length === 0) {
    issues.fileError('CONFIG_NO_SETUP', `has no setup; add one (a top-level key with Monitorables, HoldOffTime, isGEMDetector, MAINFRAME, BOARD and ${sinkBlocks().join(' or ')})`);
  }
  const record = boundValues(expandEnvironment(tree, env, issues), [], issues) as Record<string, unknown>;
  validateAgainstSchema(record, issues);
  const config = buildConfig(record, issues, { file, cwd });
  if (!config || issues.errors.length > 0) throw new ConfigError(issues.errors, 'CONFIG_INVALID', issues.warnings);
  return deepFreeze(config);
}

/** The source offset of the first key that repeats an earlier key of its mapping (scalar keys), or undefined. */
function duplicateKeyAt(doc: Document): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Map(_key, map) {
      const keys = new Set<unknown>();
      for (const pair of map.items) {
        const k = isScalar(pair.key) ? pair.key.value : pair.key;
        if (k === null || typeof k === 'object') continue;
        if (keys.has(k)) {
          found = isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
          return visit.BREAK;
        }
        keys.add(k);
      }
      return undefined;
    },
  });
  return found;
}

/**
 * The key path of a node that contains itself (a recursive alias: `a: &a [*a]` is a list that holds
 * itself once parsed), or undefined. Each node is walked once, so shared (aliased) blocks cost nothing twice.
 */
export function aliasCycle(tree: unknown): { node: KeyPath; alias: KeyPath } | undefined {
  const open = new Map<object, KeyPath>();
  const done = new Set<object>();
  const walk = (node: unknown, path: KeyPath): { node: KeyPath; alias: KeyPath } | undefined => {
    if (node === null || typeof node !== 'object') return undefined;
    const entered = open.get(node);
    if (entered) return { node: entered, alias: path };
    if (done.has(node)) return undefined;
    open.set(node, path);
    const entries: [string | number, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node as Record<string, unknown>);
    for (const [k, v] of entries) {
      const found = walk(v, [...path, k]);
      if (found) return found;
    }
    open.delete(node);
    done.add(node);
    return undefined;
  };
  return walk(tree, []);
}

/**
 * Refuses text values longer than MAX_VALUE_CHARS (an error at the key, the value replaced by "" so the
 * checks after this stay cheap). Returns the tree; shared nodes are looked at once.
 */
function boundValues(node: unknown, path: KeyPath, issues: IssueList, seen = new Set<object>()): unknown {
  if (typeof node === 'string') {
    if (node.length <= MAX_VALUE_CHARS) return node;
    issues.error(path, 'CONFIG_VALUE_TOO_LONG', `is ${node.length} characters long; a value is at most ${MAX_VALUE_CHARS} (is this the right value, or the right file?)`);
    return '';
  }
  if (node === null || typeof node !== 'object' || seen.has(node)) return node;
  seen.add(node);
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) node[i] = boundValues(node[i], [...path, i], issues, seen);
  } else {
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = boundValues(record[key], [...path, key], issues, seen);
  }
  return node;
}

/** The file the CLI uses: --config, else $GEMCAEN_CONFIG, else config/config.yml. */
export function configPathFrom(opts: { config?: string }, env: Environment = process.env): string {
  return opts.config ?? (env.GEMCAEN_CONFIG || DEFAULT_CONFIG_FILE);
}

/** What every command calls: `loadConfigForCli(command.optsWithGlobals())`. */
export function loadConfigForCli(opts: { config?: string }, options: LoadOptions = {}): GemcaenConfig {
  return loadConfigFile(configPathFrom(opts, options.env ?? process.env), options);
}

function namesLine(config: GemcaenConfig): string {
  const setups = [...config.setups.keys()].join(', ') || 'none';
  const groups = [...config.groups.keys()];
  return `setups: ${setups}${groups.length ? `; groups: ${groups.join(', ')}` : ''}`;
}

/**
 * The setups the user named (setup or group names), in order, each once.
 * Throws UsageError NO_SETUP when no name is given and UNKNOWN_SETUP for names that are neither.
 */
export function resolveSetups(config: GemcaenConfig, names: readonly string[]): SetupConfig[] {
  if (names.length === 0) {
    throw new UsageError('NO_SETUP', `name the setups to use (setups or groups from ${config.file}); ${namesLine(config)}`);
  }
  const unknown = names.filter((n) => !config.setups.has(n) && !config.groups.has(n));
  if (unknown.length > 0) {
    throw new UsageError(
      'UNKNOWN_SETUP',
      `unknown setup${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in ${config.file}; ${namesLine(config)}`,
      { details: { unknown } },
    );
  }
  const chosen = new Map<string, SetupConfig>();
  for (const n of names) {
    for (const member of config.groups.get(n) ?? [n]) {
      const setup = config.setups.get(member);
      if (setup && !chosen.has(member)) chosen.set(member, setup);
    }
  }
  return [...chosen.values()];
}

/** The setups grouped by the mainframe they live on (one worker per mainframe), in first-seen order. */
export function setupsByMainframe(config: GemcaenConfig, setups: readonly SetupConfig[]): Map<MainframeConfig, SetupConfig[]> {
  const out = new Map<MainframeConfig, SetupConfig[]>();
  for (const s of setups) {
    const mf = config.mainframes.get(s.mainframe);
    if (!mf) throw new Error(`setup ${s.name} names unknown mainframe ${s.mainframe}`);
    const list = out.get(mf) ?? [];
    list.push(s);
    out.set(mf, list);
  }
  return out;
}
