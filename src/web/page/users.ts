// Who may use the web page: users from the config and the users file (and the demo account), their
// roles and setups, and what each role may change. Without users the page is read-only.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseWebUsers } from '../../config/web.js';
import type { WebRole, WebSettings, WebUser } from '../../config/types.js';
import { GemcaenError } from '../../errors.js';
import { hashToken, sameHash, verifyPassword } from './passwords.js';

/** What a signed-in user (or a token) is, as the page and the audit see it: never a hash. */
export interface Identity {
  name: string;
  role: WebRole;
  setups?: readonly string[];
  /** how the request was authenticated */
  via: 'session' | 'token';
}

/** Parameters an operator may change; an expert may change any writable parameter. */
export const OPERATOR_PARAMS: readonly string[] = ['V0Set', 'I0Set', 'RUp', 'RDWn', 'Pw'];

export function mayChange(id: Identity | undefined, setup: string, param: string): boolean {
  if (!id || id.role === 'viewer') return false;
  if (id.setups && !id.setups.includes(setup)) return false;
  return id.role === 'expert' || OPERATOR_PARAMS.includes(param) || param === 'Ieq';
}

/** Alarms are acknowledged by operators and experts of the alarm's setup (an alarm of no setup: anyone of them). */
export function mayAcknowledge(id: Identity | undefined, setup: string | undefined): boolean {
  if (!id || id.role === 'viewer') return false;
  return !setup || !id.setups || id.setups.includes(setup);
}

/** Reads a users file (YAML `users:` map in the config's Users form); WEB_USERS_FILE names the problem. */
export function readUsersFile(file: string): WebUser[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    // not written yet (gemcaen user add creates it): no users from it
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new GemcaenError('WEB_USERS_FILE', `cannot read the web users file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (create it with gemcaen user add NAME --role ROLE)`);
  }
  let doc: unknown;
  try {
    doc = parse(text) ?? {};
  } catch (err) {
    // not written yet (gemcaen user add creates it): no users from it
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new GemcaenError('WEB_USERS_FILE', `web users file ${file} is not YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const users = (doc as { users?: unknown }).users;
  if (users !== undefined && (users === null || typeof users !== 'object')) throw new GemcaenError('WEB_USERS_FILE', `web users file ${file}: "users" must be a mapping of names`);
  return parseWebUsers(users ?? {});
}

export class UserDirectory {
  readonly #users = new Map<string, WebUser>();

  constructor(users: readonly WebUser[]) {
    for (const u of users) this.#users.set(u.name, u);
  }

  static fromSettings(web: WebSettings, extra: readonly WebUser[] = []): UserDirectory {
    const fromFile = web.usersFile ? readUsersFile(web.usersFile) : [];
    return new UserDirectory([...web.users, ...fromFile, ...extra]);
  }

  get size(): number {
    return this.#users.size;
  }

  /** The identity for a name and password, or undefined (unknown user and wrong password alike). */
  async login(name: string, password: string): Promise<Identity | undefined> {
    const u = this.#users.get(name);
    if (!u) {
      // spend the same time as a real check, so a name cannot be probed by timing
      await verifyPassword(password, DUMMY_HASH);
      return undefined;
    }
    return (await verifyPassword(password, u.passwordHash)) ? identity(u, 'session') : undefined;
  }

  /** The identity an API token stands for, or undefined. */
  byToken(token: string): Identity | undefined {
    const h = hashToken(token);
    for (const u of this.#users.values()) if (u.tokenHashes.some((t) => sameHash(t, h))) return identity(u, 'token');
    return undefined;
  }

  /** The current identity of a user name (its role may have changed), or undefined once removed. */
  get(name: string): Identity | undefined {
    const u = this.#users.get(name);
    return u ? identity(u, 'session') : undefined;
  }
}

function identity(u: WebUser, via: Identity['via']): Identity {
  return { name: u.name, role: u.role, ...(u.setups ? { setups: u.setups } : {}), via };
}

// scrypt of a random password, only to spend the time of a check for an unknown name
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
