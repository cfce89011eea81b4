// ${VAR} in any string value of the config is replaced by the environment variable VAR, so passwords and
// tokens stay out of the file. ${VAR:-fallback} uses the fallback when VAR is unset or empty; $${VAR} is a
// literal "${VAR}". A missing variable is an error naming the variable and the key.
import { type IssueList, type KeyPath } from './issues.js';

export type Environment = Readonly<Record<string, string | undefined>>;

const REFERENCE = /\$(\$?)\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Expands every string value of a parsed YAML tree in place; problems go to `issues`. */
export function expandEnvironment(tree: unknown, env: Environment, issues: IssueList): unknown {
  return expandValue(tree, [], env, issues);
}

function expandValue(value: unknown, path: KeyPath, env: Environment, issues: IssueList): unknown {
  if (typeof value === 'string') return expandString(value, path, env, issues);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = expandValue(value[i], [...path, i], env, issues);
    return value;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = expandValue(record[key], [...path, key], env, issues);
    return record;
  }
  return value;
}

function expandString(text: string, path: KeyPath, env: Environment, issues: IssueList): string {
  if (!text.includes('${')) return text;
  return text.replace(REFERENCE, (whole: string, escape: string, inner: string) => {
    if (escape) return whole.slice(1);
    const sep = inner.indexOf(':-');
    const name = sep >= 0 ? inner.slice(0, sep) : inner;
    if (!NAME.test(name)) {
      issues.error(path, `\${${name}} is not a valid environment variable reference; use \${NAME} with letters, digits and _ (write $\${…} for a literal \${…})`);
      return '';
    }
    const found = env[name];
    if (sep >= 0) return found === undefined || found === '' ? inner.slice(sep + 2) : found;
    if (found === undefined) {
      issues.error(path, `environment variable ${name} is not set; export ${name}=… before running gemcaen (or write the value, or \${${name}:-default})`);
      return '';
    }
    return found;
  });
}
