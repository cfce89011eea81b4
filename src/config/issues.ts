// Collects the problems of one configuration file: where each is (setup, key path, line) and what to do.
import type { Document, LineCounter } from 'yaml';
import type { ConfigIssue } from '../errors.js';

/** A key path inside the YAML document, e.g. ['ME0', 'BOARD', 'CHANNELS', 2]. */
export type KeyPath = readonly (string | number)[];

/** The reserved top-level key that holds the service's own settings (not a setup). */
export const SETTINGS_KEY = 'gemcaen';

/** Keys whose values are secrets: their values never appear in a message. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(['CAENHV_PASSWORD', 'TOKEN', 'PASSWORD']);

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
  if (typeof last === 'string' && SECRET_KEYS.has(last)) return '(value hidden)';
  if (path.some((k) => typeof k === 'string' && SECRET_KEYS.has(k))) return '(value hidden)';
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
    return [...list, { where: `file ${this.file}`, message: `and ${omitted} more ${what}${omitted > 1 ? 's' : ''} not listed (the first ${MAX_LISTED_ISSUES} are above); fix those and run again` }];
  }

  /** An error at a key path; one error per key path (the first wins). */
  error(path: KeyPath, message: string): void {
    const key = JSON.stringify(path);
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    for (let n = 0; n <= path.length; n++) this.#under.add(JSON.stringify(path.slice(0, n)));
    if (this.#errors.length >= MAX_LISTED_ISSUES) {
      this.#omittedErrors++;
      return;
    }
    this.#errors.push({ where: whereOf(path, this.file), message: `${message}${this.at(path)}` });
  }

  /** An error about the file as a whole (unreadable, not YAML...). */
  fileError(message: string, line?: number): void {
    this.#errors.push({ where: `file ${this.file}`, message: line ? `${message} (${this.file}:${line})` : message });
  }

  warn(path: KeyPath, message: string): void {
    if (this.#warnings.length >= MAX_LISTED_ISSUES) {
      this.#omittedWarnings++;
      return;
    }
    this.#warnings.push({ where: whereOf(path, this.file), message: `${message}${this.at(path)}` });
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
