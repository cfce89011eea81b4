// Browser sessions: a random id in an HttpOnly SameSite=Strict cookie; only its sha256 is kept in
// memory; a session unused for IdleMinutes expires. Sessions do not survive a restart of the daemon.
import { createHash, randomBytes } from 'node:crypto';
import type { Identity } from './users.js';

export const SESSION_COOKIE = 'gemcaen_session';

interface Session {
  user: string;
  lastMs: number;
}

export class SessionStore {
  readonly #byHash = new Map<string, Session>();
  constructor(private readonly idleMs: number, private readonly now: () => number = Date.now) {}

  /** A new session for the user: the cookie value (sent once, never stored). */
  create(id: Identity): string {
    this.#sweep();
    const value = randomBytes(32).toString('base64url');
    this.#byHash.set(hash(value), { user: id.name, lastMs: this.now() });
    return value;
  }

  /** The user name of a live session (and marks it used), or undefined for an unknown or idle one. */
  touch(value: string | undefined): string | undefined {
    if (!value) return undefined;
    const key = hash(value);
    const s = this.#byHash.get(key);
    if (!s) return undefined;
    const t = this.now();
    if (t - s.lastMs > this.idleMs) {
      this.#byHash.delete(key);
      return undefined;
    }
    s.lastMs = t;
    return s.user;
  }

  end(value: string | undefined): void {
    if (value) this.#byHash.delete(hash(value));
  }

  #sweep(): void {
    const t = this.now();
    for (const [k, s] of this.#byHash) if (t - s.lastMs > this.idleMs) this.#byHash.delete(k);
  }
}

function hash(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** The value of one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
