// Loading the config: file → YAML → ${VAR} expansion → JSON Schema → cross-field checks → frozen GemcaenConfig.
// Every problem is collected and thrown at once as one ConfigError; messages never contain a secret.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, UsageError } from '../errors.js';
import { buildConfig } from './build.js';
import { type Environment, expandEnvironment } from './env.js';
import { deepFreeze } from './freeze.js';
import { IssueList, SETTINGS_KEY } from './issues.js';
import { validateAgainstSchema } from './schema.js';
import type { GemcaenConfig, MainframeConfig, SetupConfig } from './types.js';

/** The config file used when neither --config nor GEMCAEN_CONFIG is given (relative to the working directory). */
export const DEFAULT_CONFIG_FILE = 'config/config.yml';

export interface LoadOptions {
  /** environment for ${VAR} expansion (default process.env) */
  env?: Environment;
  /** base of relative paths in the file (default process.cwd()) */
  cwd?: string;
}

/** Reads and validates a config file. Throws ConfigError (code CONFIG_NOT_FOUND, CONFIG_YAML or CONFIG_INVALID). */
export function loadConfigFile(file: string, options: LoadOptions = {}): GemcaenConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError(
      [{ where: `file ${file}`, message: `cannot read the config: ${reason}; pass --config FILE or set GEMCAEN_CONFIG` }],
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
  const doc = parseDocument(text, { version: '1.1', lineCounter: lines, merge: true, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    // the first syntax error only (the others usually follow from it), and only its first sentence:
    // yaml's excerpt of the source line could show a password
    const e = doc.errors[0];
    const what = e.code === 'DUPLICATE_KEY' ? 'a key appears twice in one mapping (two setups with one name?)' : e.message.split(' at line ')[0].split('\n')[0];
    const more = doc.errors.length > 1 ? ` (first of ${doc.errors.length} syntax errors)` : '';
    const issues = new IssueList(file);
    issues.fileError(`is not valid YAML: ${what}${more}; fix the syntax`, lines.linePos(e.pos[0]).line);
    throw new ConfigError(issues.errors, 'CONFIG_YAML');
  }
  const issues = new IssueList(file, doc, lines);
  let tree: unknown;
  try {
    tree = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    issues.fileError(`cannot be read as data: ${(err as Error).message.split('\n')[0]}`);
    throw new ConfigError(issues.errors, 'CONFIG_YAML');
  }
  if (tree === null || tree === undefined) {
    issues.fileError(`is empty; it must map setup names to setups (see ${DEFAULT_CONFIG_FILE} for an example)`);
    throw new ConfigError(issues.errors);
  }
  if (typeof tree !== 'object' || Array.isArray(tree)) {
    issues.fileError(`must be a mapping of setup names to setups, not ${Array.isArray(tree) ? 'a list' : 'a single value'} (see ${DEFAULT_CONFIG_FILE})`);
    throw new ConfigError(issues.errors);
  }
  const record = tree as Record<string, unknown>;
  if (Object.keys(record).filter((k) => k !== SETTINGS_KEY).length === 0) {
    issues.fileError(`has no setup; add one (a top-level key with Monitorables, HoldOffTime, isGEMDetector, MAINFRAME, BOARD and influxDB or FILE)`);
  }
  expandEnvironment(record, env, issues);
  validateAgainstSchema(record, issues);
  const config = buildConfig(record, issues, { file, cwd });
  if (!config || issues.errors.length > 0) throw new ConfigError(issues.errors);
  return deepFreeze(config);
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
