// ${VAR} in any string value of the config is replaced by the environment variable VAR, so passwords and
// tokens stay out of the file. ${VAR:-fallback} uses the fallback when VAR is unset or empty; $${ is a
// literal "${" ($${VAR} stays "${VAR}"). A missing variable, a reference that is not a name and an
// unterminated "${" are errors naming the key.
//
// Each value is expanded exactly once: a block shared through a YAML alias (`MAINFRAME: *crate`) is one
// object in the parsed tree, and expanding it once per setup that names it would expand the result
// again (a secret containing "${" corrupted, "$${X}" turned into X's value). The expanded tree is a new
// one; the shared block stays shared in it, expanded once.
import { type ConfigIssueCode, type IssueList, isSecretKey, type KeyPath } from './issues.js';

export type Environment = Readonly<Record<string, string | undefined>>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A problem found while expanding, at a key path relative to the node being expanded. */
type Problem = [KeyPath, ConfigIssueCode, string];
type StringProblem = { code: ConfigIssueCode; message: string };

/**
 * Returns the tree with every string value expanded once; problems go to `issues`, at every key path
 * that reaches the value (a shared block's missing variable is reported for each setup that names it,
 * as if each had its own copy, but the value is expanded only once). The input is not changed.
 */
export function expandEnvironment(tree: unknown, env: Environment, issues: IssueList): unknown {
  const done = new Map<object, { out: unknown; problems: Problem[] }>();
  const expand = (value: unknown, path: KeyPath): { out: unknown; problems: Problem[] } => {
    if (typeof value === 'string') {
      const r = expandString(value, path, env);
      return { out: r.text, problems: r.problem === undefined ? [] : [[[], r.problem.code, r.problem.message]] };
    }
    if (value === null || typeof value !== 'object') return { out: value, problems: [] };
    const seen = done.get(value);
    if (seen) return seen;
    const problems: Problem[] = [];
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value as Record<string, unknown>);
    const out: unknown[] | Record<string, unknown> = Array.isArray(value) ? [] : {};
    const result = { out, problems };
    done.set(value, result);
    for (const [key, v] of entries) {
      const child = expand(v, [...path, key]);
      (out as Record<string | number, unknown>)[key] = child.out;
      for (const [rel, code, message] of child.problems) problems.push([[key, ...rel], code, message]);
    }
    return result;
  };
  const { out, problems } = expand(tree, []);
  for (const [path, code, message] of problems) issues.error(path, code, message);
  return out;
}

/** True when the key path is (or is under) a secret key: its text never appears in a message. */
function isSecretPath(path: KeyPath): boolean {
  return path.some(isSecretKey);
}

function expandString(text: string, path: KeyPath, env: Environment): { text: string; problem?: StringProblem } {
  if (!text.includes('${')) return { text };
  const secret = isSecretPath(path);
  let out = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('$', i);
    if (at < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, at);
    if (text.startsWith('$${', at)) {
      out += '${';
      i = at + 3;
      continue;
    }
    if (!text.startsWith('${', at)) {
      out += '$';
      i = at + 1;
      continue;
    }
    const end = text.indexOf('}', at + 2);
    if (end < 0) {
      return { text: '', problem: { code: 'CONFIG_ENV_UNTERMINATED', message: 'has a "${" that is never closed; write ${NAME} for an environment variable, or $${ for a literal "${"' } };
    }
    const inner = text.slice(at + 2, end);
    i = end + 1;
    const sep = inner.indexOf(':-');
    const name = sep >= 0 ? inner.slice(0, sep) : inner;
    if (!NAME.test(name)) {
      // the text between the braces is not a name: under a secret key it may be part of the secret itself
      const shown = secret ? 'a "${…}"' : `\${${name.length > 40 ? `${name.slice(0, 37)}...` : name}}`;
      return {
        text: '',
        problem: { code: 'CONFIG_ENV_BAD_REFERENCE', message: `${shown} is not a valid environment variable reference; use \${NAME} with letters, digits and _ (write $\${…} for a literal \${…})` },
      };
    }
    const found = env[name];
    if (sep >= 0) {
      out += found === undefined || found === '' ? inner.slice(sep + 2) : found;
      continue;
    }
    if (found === undefined) {
      return {
        text: '',
        problem: { code: 'CONFIG_ENV_UNSET', message: `environment variable ${name} is not set; export ${name}=… before running gemcaen (or write the value, or \${${name}:-default})` },
      };
    }
    out += found;
  }
  return { text: out };
}
