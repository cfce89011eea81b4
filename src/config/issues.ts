// Collects the problems of one configuration file: where each is (setup, key path, line) and what to do.
import type { Document, LineCounter } from 'yaml';
import type { ConfigIssue } from '../errors.js';
import { isSinkSecretKey } from '../writer/sinks/registry.js';

/**
 * The stable code of each kind of config problem, with what it means (docs/config.md lists the same,
 * checked by test/config/issue-codes.test.ts). A message may be reworded; its code does not change.
 * Tests and scripts match codes, people read the message.
 */
export const CONFIG_ISSUE_CODES = {
  // the file
  CONFIG_FILE_UNREADABLE: 'the config file cannot be read (no such file, no permission)',
  CONFIG_FILE_TOO_LARGE: 'the file is larger than a config can be (4 MB)',
  CONFIG_YAML_SYNTAX: 'not valid YAML (only the first syntax error is shown)',
  CONFIG_DUPLICATE_KEY: 'a key appears twice in one mapping (two setups with one name?)',
  CONFIG_YAML_TAG: 'a YAML tag gemcaen does not know (`!ENV`, `!!python/object…`)',
  CONFIG_YAML_ALIAS_CYCLE: 'a YAML anchor used inside the node it names',
  CONFIG_YAML_UNREADABLE: 'valid YAML that cannot be turned into data (e.g. too many aliases)',
  CONFIG_EMPTY_FILE: 'the file holds no data (empty, or only comments)',
  CONFIG_NOT_A_MAPPING: 'the file is a list or a single value instead of setup names mapped to setups',
  CONFIG_NO_SETUP: 'the file has settings but no setup',
  CONFIG_MORE_ISSUES: 'the last line when more than 50 errors (or warnings) were found: how many were not listed',
  // any key (from the JSON Schema)
  CONFIG_MISSING_KEY: 'a required key is missing',
  CONFIG_UNKNOWN_KEY: 'a key gemcaen does not know (with "did you mean" when one is close)',
  CONFIG_WRONG_TYPE: 'a value of the wrong type (text for a number, a single value for a list…)',
  CONFIG_NOT_ALLOWED: 'a value that is not one of the allowed values',
  CONFIG_OUT_OF_RANGE: 'a number below the minimum or above the maximum',
  CONFIG_BAD_FORMAT: 'a text value in the wrong form',
  CONFIG_EMPTY_LIST: 'a list that must have at least one element is empty',
  CONFIG_EMPTY_VALUE: 'a text that must not be empty is empty',
  CONFIG_DUPLICATE_ITEM: 'a list names one element twice (a monitorable, a channel)',
  CONFIG_VALUE_TOO_LONG: 'a text value longer than 16 384 characters',
  CONFIG_INVALID_VALUE: 'any other value the schema refuses',
  // ${VAR}
  CONFIG_ENV_UNSET: 'a `${VAR}` whose variable is not set',
  CONFIG_ENV_BAD_REFERENCE: 'a `${…}` whose inside is not a variable name',
  CONFIG_ENV_UNTERMINATED: 'a `${` that is never closed',
  // addresses
  CONFIG_ADDRESS_WITH_PORT: 'CAENHV_BOARD_ADDRESS with a `:port` (CAEN\'s library always uses TCP 2527)',
  CONFIG_BAD_ADDRESS: 'CAENHV_BOARD_ADDRESS is not an IPv4 address or host name',
  CONFIG_BAD_LISTEN: 'a listen address (HealthListen, MetricsListen, Web.Listen, EVENTS_LISTEN) that is not host:port',
  CONFIG_LISTEN_NEEDS_PORT: 'a listen address without its port',
  CONFIG_BAD_URL: 'a sink URL that is not an http:// or https:// URL',
  CONFIG_URL_WITH_CREDENTIALS: 'a sink URL with user:password@ in it',
  // setups and mainframes
  CONFIG_SETUP_NOT_A_MAPPING: 'a top-level key (a setup) whose value is not a mapping',
  CONFIG_GEM_ONLY: 'a key or monitorable only GEM setups have (LAYER, Ieq, DividerResistorsMOhm, MaxElectrodeVolts) on a setup with isGEMDetector: false',
  CONFIG_NOT_FOR_GEM: 'CHANNELS on a GEM setup (a GEM setup names its LAYER)',
  CONFIG_MAINFRAME_MISMATCH: 'two setups on one mainframe address with different MAINFRAME blocks',
  CONFIG_SIMULATED_NOT_LOOPBACK: 'SIMULATED: true on an address that is not a loopback address',
  CONFIG_TWO_SINKS: 'a setup with both influxDB and FILE',
  CONFIG_NO_SINK: 'a setup with neither influxDB nor FILE',
  CONFIG_SINK_CREDENTIALS_MISMATCH: 'two setups writing to one database with different credentials',
  CONFIG_OTHER_INFLUX_VERSION: 'an InfluxDB 1.x key (DATABASE, RETENTION_POLICY, USER, PASSWORD) on a 2.x sink',
  CONFIG_GROUP_NAME_CLASH: 'a group with the name of a setup',
  CONFIG_GROUP_UNKNOWN_SETUP: 'a group member that is not a setup',
  CONFIG_TLS_INCOMPLETE: 'Web.TlsCertFile without Web.TlsKeyFile, or the other way round',
  CONFIG_DEMO_NOT_LOOPBACK: 'Web.DemoAccount with a Listen address that is not loopback',
  // warnings
  CONFIG_UNKNOWN_MONITORABLE: 'warning: a Monitorables name gemcaen does not know (read if the board has it)',
  CONFIG_DEADBAND_UNUSED: 'warning: a deadband for a quantity that is not monitored',
  CONFIG_CHANNEL_OVERLAP: 'warning: two setups read the same channel',
  CONFIG_IGNORED_KEY: 'warning: a key that has no effect here (TOKEN/ORG on a 1.x sink, SIMULATOR_CRATES without SIMULATED)',
  CONFIG_EMPTY_PASSWORD: 'warning: an empty CAENHV_PASSWORD or InfluxDB 1.x PASSWORD',
  CONFIG_NO_EVENT_MODE: 'warning: EVENTS: true on a mainframe without event mode (polled instead)',
  CONFIG_LISTEN_ALL_INTERFACES: 'warning: HealthListen on 0.0.0.0 or ::',
  CONFIG_FILE_MISSING: 'warning (`validate` only): a CAENHV_LIBRARY or SIMULATOR_CRATES file that does not exist',
} as const;

export type ConfigIssueCode = keyof typeof CONFIG_ISSUE_CODES;

/** A key path inside the YAML document, e.g. ['ME0', 'BOARD', 'CHANNELS', 2]. */
export type KeyPath = readonly (string | number)[];

/** The reserved top-level key that holds the service's own settings (not a setup). */
export const SETTINGS_KEY = 'gemcaen';

/** Whether a key's values are secrets (they never appear in a message): the mainframe's password and each sink plugin's secret keys. */
export function isSecretKey(key: string | number): boolean {
  return typeof key === 'string' && (key === 'CAENHV_PASSWORD' || isSinkSecretKey(key));
}

/** `BOARD.CHANNELS[2]` for ['BOARD', 'CHANNELS', 2]. */
export function formatKeys(keys: KeyPath): string {
  let out = '';
  for (const k of keys) out += typeof k === 'number' ? `[${k}]` : out === '' ? k : `.${k}`;
  return out;
}

/** Who a key path belongs to: `setup ME0: BOARD.SLOT`, `gemcaen.LogLevel`, or `file x.yml`. */
export function whereOf(path: KeyPath, file: string): string {
  if (path.length === 0) return `file ${file}`;
  const [head, ...rest] = path;
  if (head === SETTINGS_KEY) return formatKeys(path);
  return rest.length === 0 ? `setup ${String(head)}` : `setup ${String(head)}: ${formatKeys(rest)}`;
}

/** A value for a message: quoted, shortened, never a secret's. */
export function shown(value: unknown, path: KeyPath): string {
  const last = path[path.length - 1];
  if (path.some(isSecretKey)) return '(value hidden)';
  let text: string;
  // user:password@ and a query string (?u=…&p=…) inside a URL-like value are secrets too
  if (typeof value === 'string') {
    const url = last === 'URL' ? value.replace(/[?#][\s\S]*$/, '?***') : value.replace(/(:\/\/[^?#\s]*)[?#]\S*/g, '$1?***');
    text = JSON.stringify(url.replace(/\/\/[^@/\s]*@/g, '//***@'));
  } else if (value === null || value === undefined) text = 'empty';
  else if (Array.isArray(value)) text = 'a list';
  else if (typeof value === 'object') text = 'a mapping';
  else text = String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Problems listed per kind (errors, warnings); the rest are counted in one last line. */
export const MAX_LISTED_ISSUES = 50;

export class IssueList {
  readonly #errors: ConfigIssue[] = [];
  readonly #warnings: ConfigIssue[] = [];
  #omittedErrors = 0;
  #omittedWarnings = 0;
  readonly #seen = new Set<string>();
  /** every key path that has an error at or below it (each prefix of each error's path) */
  readonly #under = new Set<string>();

  constructor(
    readonly file: string,
    private readonly doc?: Document,
    private readonly lines?: LineCounter,
  ) {}

  /** The errors: the first MAX_LISTED_ISSUES, then one line saying how many more there are. */
  get errors(): readonly ConfigIssue[] {
    return this.#withTail(this.#errors, this.#omittedErrors, 'problem');
  }

  get warnings(): readonly ConfigIssue[] {
    return this.#withTail(this.#warnings, this.#omittedWarnings, 'warning');
  }

  #withTail(list: ConfigIssue[], omitted: number, what: string): readonly ConfigIssue[] {
    if (omitted === 0) return list;
    return [...list, { code: 'CONFIG_MORE_ISSUES' satisfies ConfigIssueCode, where: `file ${this.file}`, message: `and ${omitted} more ${what}${omitted > 1 ? 's' : ''} not listed (the first ${MAX_LISTED_ISSUES} are above); fix those and run again` }];
  }

  /** An error at a key path; one error per key path (the first wins). */
  error(path: KeyPath, code: ConfigIssueCode, message: string): void {
    const key = JSON.stringify(path);
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    for (let n = 0; n <= path.length; n++) this.#under.add(JSON.stringify(path.slice(0, n)));
    if (this.#errors.length >= MAX_LISTED_ISSUES) {
      this.#omittedErrors++;
      return;
    }
    this.#errors.push({ code, where: whereOf(path, this.file), message: `${message}${this.at(path)}` });
  }

  /** An error about the file as a whole (unreadable, not YAML...). */
  fileError(code: ConfigIssueCode, message: string, line?: number): void {
    this.#errors.push({ code, where: `file ${this.file}`, message: line ? `${message} (${this.file}:${line})` : message });
  }

  warn(path: KeyPath, code: ConfigIssueCode, message: string): void {
    if (this.#warnings.length >= MAX_LISTED_ISSUES) {
      this.#omittedWarnings++;
      return;
    }
    this.#warnings.push({ code, where: whereOf(path, this.file), message: `${message}${this.at(path)}` });
  }

  /** Whether an error was recorded at `path` or below it. Constant time. */
  hasErrorUnder(path: KeyPath): boolean {
    return this.#under.has(JSON.stringify(path));
  }

  /** ` (file:line)` of the deepest node of the path that exists in the document. */
  private at(path: KeyPath): string {
    if (!this.doc || !this.lines || path.length === 0) return '';
    for (let n = path.length; n > 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && Array.isArray(node.range)) {
        return ` (${this.file}:${this.lines.linePos(node.range[0]).line})`;
      }
    }
    return '';
  }
}

/** Closest candidate by edit distance (case-insensitive), if it is close enough to be a typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3))) return best;
  // an abbreviation: DIR → DIRECTORY
  if (w.length >= 3) return candidates.find((c) => c.toLowerCase().startsWith(w));
  return undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
