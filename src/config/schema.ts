// The JSON Schema of the config file. The validator uses config/gemcaen.schema.json itself, read at run
// time, so editors and gemcaen check the same thing; ajv errors become one plain issue per key.
// Compiling the schema with ajv costs every command about 0.3 s of CPU, so the build also writes ajv's
// compiled validator next to this module (scripts/build-validator.mjs); it is used only while it was built
// from the very schema read at run time (same fingerprint), else the schema is compiled as before.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parseMainframeHost } from './address.js';
import { type ConfigIssueCode, didYouMean, type IssueList, type KeyPath, shown } from './issues.js';
import { sinkBlocks } from '../writer/sinks/registry.js';

/** The subset of JSON Schema that gemcaen.schema.json uses (enough to read titles, defaults and hints). */
export interface SchemaNode {
  $schema?: string;
  $ref?: string;
  title?: string;
  description?: string;
  type?: string;
  enum?: readonly unknown[];
  default?: unknown;
  examples?: readonly unknown[];
  required?: readonly string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  definitions?: Record<string, SchemaNode>;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  pattern?: string;
  minLength?: number;
}

const SCHEMA_RELATIVE = join('config', 'gemcaen.schema.json');

/** Path of config/gemcaen.schema.json: searched upwards from this module (works from src/ and dist/src/). */
export function schemaPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, SCHEMA_RELATIVE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${SCHEMA_RELATIVE} above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** ajv's options, for the compile at run time and the build's compiled validator alike. */
export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: true } as const;

/** File name of the compiled validator the build writes next to this module (CommonJS, as ajv emits it). */
export const COMPILED_VALIDATOR_FILE = 'schema-validator.cjs';

/** The schema as the validator uses it (read from config/gemcaen.schema.json). */
export function readSchema(): SchemaNode {
  return JSON.parse(readFileSync(schemaPath(), 'utf8')) as SchemaNode;
}

/** Identifies a schema: the compiled validator carries the fingerprint of the schema it was built from. */
export function schemaFingerprint(schema: SchemaNode): string {
  return createHash('sha256').update(JSON.stringify(schema)).update(JSON.stringify(AJV_OPTIONS)).digest('hex');
}

const require = createRequire(import.meta.url);

/** The build's compiled validator, when it was built from `schema`. */
function builtValidator(schema: SchemaNode): ValidateFunction | undefined {
  const file = join(dirname(fileURLToPath(import.meta.url)), COMPILED_VALIDATOR_FILE);
  if (!existsSync(file)) return undefined;
  const built = require(file) as ValidateFunction & { fingerprint?: string };
  return built.fingerprint === schemaFingerprint(schema) ? built : undefined;
}

let cached: { schema: SchemaNode; validate: ValidateFunction } | undefined;

function compiled(): { schema: SchemaNode; validate: ValidateFunction } {
  if (!cached) {
    const schema = readSchema();
    cached = { schema, validate: builtValidator(schema) ?? compile(schema) };
  }
  return cached;
}

/** ajv, loaded only when there is no compiled validator for this schema. */
function compile(schema: SchemaNode): ValidateFunction {
  const Ajv = (require('ajv') as typeof AjvModule).default;
  return new Ajv(AJV_OPTIONS).compile(schema);
}

/** The parsed schema (for defaults and hints). */
export function configSchema(): SchemaNode {
  return compiled().schema;
}

function deref(node: SchemaNode): SchemaNode {
  if (!node.$ref) return node;
  const name = node.$ref.replace('#/definitions/', '');
  const target = configSchema().definitions?.[name];
  if (!target) throw new Error(`schema: unknown $ref ${node.$ref}`);
  return target;
}

/** A definition of the schema, e.g. definition('mainframe'). */
export function definition(name: string): SchemaNode {
  const node = configSchema().definitions?.[name];
  if (!node) throw new Error(`schema: no definition ${name}`);
  return node;
}

/** The schema's default of a key of a definition: defaultOf('settings', 'LogLevel') → 'info'. */
export function defaultOf<T>(definitionName: string, key: string): T {
  const node = definition(definitionName).properties?.[key];
  if (!node || node.default === undefined) throw new Error(`schema: ${definitionName}.${key} has no default`);
  return node.default as T;
}

/** The schema node for a key path of the config (e.g. ['ME0', 'MAINFRAME', 'CAENHV_USER']). */
export function schemaAt(path: KeyPath): SchemaNode | undefined {
  let node: SchemaNode | undefined = configSchema();
  for (const key of path) {
    if (!node) return undefined;
    node = deref(node);
    if (typeof key === 'number') node = node.items;
    else {
      const child: SchemaNode | boolean | undefined = node.properties?.[key] ?? node.additionalProperties;
      node = typeof child === 'object' ? child : undefined;
    }
  }
  return node ? deref(node) : undefined;
}

/**
 * Validates the tree against the schema; each failing key becomes one issue. Returns true when valid.
 * A mapping is validated one top-level key at a time (the schema has no rule across them): ajv joins
 * the errors of a referenced definition to all errors so far by copying, which made one pass over
 * 20 000 broken setups quadratic (50 s); key by key it is linear.
 */
export function validateAgainstSchema(tree: unknown, issues: IssueList): boolean {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) return validatePart(tree, issues);
  let ok = true;
  for (const [key, value] of Object.entries(tree as Record<string, unknown>)) ok = validatePart({ [key]: value }, issues) && ok;
  return ok;
}

function validatePart(tree: unknown, issues: IssueList): boolean {
  const { validate } = compiled();
  if (validate(tree)) return true;
  const errors = [...(validate.errors ?? [])];
  // type errors first, so that a key with a wrong type reports that (not also its enum or range)
  errors.sort((a, b) => Number(b.keyword === 'type') - Number(a.keyword === 'type'));
  // a misspelt required key is one mistake: report the unknown key with "did you mean", not also the missing one
  const misspelt = new Set<string>();
  const missing = new Set(errors.filter((e) => e.keyword === 'required').map((e) => `${e.instancePath}/${String(e.params.missingProperty)}`));
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const known = Object.keys(schemaAt(pathOf(e.instancePath))?.properties ?? {});
    const guess = didYouMean(String(e.params.additionalProperty), known);
    if (guess && missing.has(`${e.instancePath}/${guess}`)) misspelt.add(`${e.instancePath}/${guess}`);
  }
  for (const e of errors) {
    if (e.keyword === 'required' && misspelt.has(`${e.instancePath}/${String(e.params.missingProperty)}`)) continue;
    translate(e, issues);
  }
  return false;
}

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^(0|[1-9][0-9]*)$/.test(seg) ? Number(seg) : seg));
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  string: 'text (quote it if it looks like a number or yes/no)',
  array: 'a list, e.g. [a, b]',
  object: 'a mapping of keys',
};

/** Extra words for keys whose pattern alone says little. */
const PATTERN_HINTS: Record<string, string> = {
  CAENHV_BOARD_ADDRESS: "an IPv4 address or host name without a port (CAEN's library always connects to TCP port 2527; e.g. 192.168.0.10, hv-crate.lab)",
  URL: 'an http:// or https:// URL (e.g. http://localhost:8086)',
  HealthListen: 'host:port (e.g. 127.0.0.1:8765), or "" to disable the health endpoint',
};

const LISTEN_KEYS: ReadonlySet<string> = new Set(['HealthListen', 'MetricsListen', 'Listen', 'EVENTS_LISTEN']);
const URL_KEYS: ReadonlySet<string> = new Set(['URL', 'GrafanaUrl']);

/** The code of a value its key's pattern refused: what kind of value the key holds, and (addresses) what is wrong. */
function patternCode(keyName: string, value: unknown): ConfigIssueCode {
  const text = typeof value === 'string' ? value : '';
  if (keyName === 'CAENHV_BOARD_ADDRESS') {
    const parsed = parseMainframeHost(text);
    return 'reason' in parsed ? parsed.code : 'CONFIG_BAD_ADDRESS';
  }
  if (LISTEN_KEYS.has(keyName)) return text !== '' && !text.includes(':') ? 'CONFIG_LISTEN_NEEDS_PORT' : 'CONFIG_BAD_LISTEN';
  if (URL_KEYS.has(keyName)) return 'CONFIG_BAD_URL';
  return 'CONFIG_BAD_FORMAT';
}

function hintOf(node: SchemaNode | undefined): string {
  if (!node) return '';
  const n = deref(node);
  const parts: string[] = [];
  const firstSentence = n.description?.split(/(?<=\.)\s+(?=[A-Z])/)[0].replace(/\.$/, '');
  if (n.type === 'boolean') parts.push(`true or false (${n.title ?? ''})`);
  else if (firstSentence && firstSentence.length <= 120) parts.push(firstSentence);
  else if (n.title) parts.push(n.title);
  if (n.enum) parts.push(`one of ${n.enum.join(', ')}`);
  else if (n.examples && n.examples.length > 0 && typeof n.examples[0] !== 'object' && !parts.join().includes('e.g.')) parts.push(`e.g. ${String(n.examples[0])}`);
  return parts.length ? `: ${parts.join('; ')}` : '';
}

function translate(e: ErrorObject, issues: IssueList): void {
  const path = pathOf(e.instancePath);
  const last = path[path.length - 1];
  const keyName = typeof last === 'string' ? last : '';
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      const child = [...path, missing];
      issues.error(child, 'CONFIG_MISSING_KEY', `is missing; add ${missing}${hintOf(schemaAt(child))}`);
      return;
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const parent = schemaAt(path);
      const known = Object.keys(parent?.properties ?? {});
      if (path.length === 0) return; // every top-level key is a setup: cannot happen
      const guess = didYouMean(extra, known);
      issues.error(
        [...path, extra],
        'CONFIG_UNKNOWN_KEY',
        `is not a known key${guess ? `; did you mean ${guess}?` : ''} (known here: ${known.join(', ')})`,
      );
      return;
    }
    case 'type': {
      if (path.length === 1 && path[0] !== 'gemcaen') {
        issues.error(path, 'CONFIG_SETUP_NOT_A_MAPPING', `must be a mapping of setup keys (Monitorables, HoldOffTime, isGEMDetector, MAINFRAME, BOARD, ${sinkBlocks().join(' or ')}), not ${shown(e.data, path)}`);
        return;
      }
      const word = TYPE_WORDS[String(params.type)] ?? String(params.type);
      issues.error(path, 'CONFIG_WRONG_TYPE', `must be ${word}, not ${shown(e.data, path)}`);
      return;
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String).join(', ');
      issues.error(path, 'CONFIG_NOT_ALLOWED', `must be one of ${allowed}, not ${shown(e.data, path)}`);
      return;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words: Record<string, string> = { '>=': 'at least', '<=': 'at most', '>': 'greater than', '<': 'less than' };
      issues.error(path, 'CONFIG_OUT_OF_RANGE', `must be ${words[String(params.comparison)] ?? String(params.comparison)} ${String(params.limit)}, not ${shown(e.data, path)}`);
      return;
    }
    case 'pattern': {
      const hint = PATTERN_HINTS[keyName] ?? `text matching ${String(params.pattern)}`;
      issues.error(path, patternCode(keyName, e.data), `must be ${hint}, not ${shown(e.data, path)}`);
      return;
    }
    case 'minItems':
      issues.error(path, 'CONFIG_EMPTY_LIST', 'must not be an empty list');
      return;
    case 'minLength':
      issues.error(path, 'CONFIG_EMPTY_VALUE', 'must not be empty');
      return;
    case 'uniqueItems':
      issues.error(path, 'CONFIG_DUPLICATE_ITEM', `lists ${shown((e.data as unknown[])[Number(params.j)], path)} twice; remove the duplicate`);
      return;
    default:
      issues.error(path, 'CONFIG_INVALID_VALUE', `${e.message ?? 'is invalid'}`);
  }
}
