import { inspect } from 'node:util';

/** A value (password, token) that never prints itself: logs, JSON and util.inspect all show ***. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '***';
  }
  toJSON(): string {
    return '***';
  }
  [inspect.custom](): string {
    return 'Secret(***)';
  }
}

/** What a URL's query string (a Secret) must never show: itself and each value, raw and decoded. */
export function querySecrets(query: Secret | undefined): string[] {
  if (query === undefined) return [];
  const q = query.reveal();
  const out = [q];
  for (const [, v] of new URLSearchParams(q)) out.push(v, encodeURIComponent(v));
  for (const part of q.split('&')) out.push(part.slice(part.indexOf('=') + 1));
  return out.filter((s) => s.length > 0);
}
