// `gemcaen user add NAME --role ROLE [--setups A,B]` and `gemcaen user token NAME`: the web page's
// accounts in the users file (gemcaen.Web.UsersFile, or --file). Only hashes are written: the
// password is read from the terminal without echo (or from standard input when it is not one); a
// new API token is printed once and only its hash is kept.
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { isMap, parseDocument, YAMLMap } from 'yaml';
import { loadConfigForCli } from '../config/load.js';
import type { WebRole } from '../config/types.js';
import { UsageError } from '../errors.js';
import { hashPassword, newToken } from '../web/page/passwords.js';
import { action } from './command.js';

const ROLES: readonly WebRole[] = ['viewer', 'operator', 'expert'];

interface UserOptions {
  role?: string;
  setups?: string;
  file?: string;
  revoke?: boolean;
}

export function register(program: Command): void {
  const user = program.command('user').description('accounts of the web page (gemcaen.Web.UsersFile)');
  user
    .command('add')
    .description('add or replace a user: asks for the password (or reads it from standard input) and writes its scrypt hash')
    .argument('<name>', 'user name (letters, digits, . _ -)')
    .requiredOption('--role <role>', 'viewer, operator or expert')
    .option('--setups <list>', 'setups this user may change, comma-separated (default: all)')
    .option('--file <file>', 'users file (default: gemcaen.Web.UsersFile of the config)')
    .option('--json', 'a failure as one JSON line {error: {code, message}} on stderr')
    .action(
      action(async (name: string, opts: UserOptions, cmd: Command) => {
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new UsageError('USAGE', `user name "${name}": use 1-64 letters, digits, . _ -`);
        if (!ROLES.includes(opts.role as WebRole)) throw new UsageError('USAGE', `--role ${opts.role}: use one of ${ROLES.join(', ')}`);
        const file = usersFile(opts, cmd);
        const password = await readPassword(`password for ${name}: `);
        if (password.length < 8) throw new UsageError('PASSWORD_TOO_SHORT', 'the password needs at least 8 characters');
        const hash = await hashPassword(password);
        const setups = opts.setups?.split(',').map((s) => s.trim()).filter(Boolean);
        editUsers(file, (users) => {
          const old = users.get(name) as YAMLMap | undefined;
          const tokens = old && isMap(old) ? old.get('TokenHashes') : undefined;
          users.set(name, { Role: opts.role, ...(setups?.length ? { Setups: setups } : {}), PasswordHash: hash, ...(tokens ? { TokenHashes: tokens } : {}) });
        });
        process.stdout.write(`user ${name} (${opts.role}${setups?.length ? `, setups ${setups.join(', ')}` : ''}) written to ${file}; restart the daemon to use it\n`);
      }),
    );
  user
    .command('token')
    .description('make an API token for a user (for scripts): printed once, only its hash is stored')
    .argument('<name>', 'an existing user')
    .option('--revoke', 'remove every API token of the user instead (no new one is made)')
    .option('--file <file>', 'users file (default: gemcaen.Web.UsersFile of the config)')
    .option('--json', 'a failure as one JSON line {error: {code, message}} on stderr')
    .action(
      action(async (name: string, opts: UserOptions, cmd: Command) => {
        const file = usersFile(opts, cmd);
        const { token, hash } = newToken();
        let revoked = 0;
        editUsers(file, (users) => {
          const u = users.get(name);
          if (!u || !isMap(u)) throw new UsageError('UNKNOWN_USER', `no user ${name} in ${file}; add it first with gemcaen user add ${name} --role ROLE`);
          const list = (u.get('TokenHashes') as { toJSON(): unknown } | undefined)?.toJSON();
          const old = Array.isArray(list) ? list : [];
          if (opts.revoke) {
            revoked = old.length;
            u.delete('TokenHashes');
          } else u.set('TokenHashes', [...old, hash]);
        });
        if (opts.revoke) {
          process.stdout.write(`${revoked} API token${revoked === 1 ? '' : 's'} of ${name} removed from ${file}; restart the daemon to refuse them\n`);
          return;
        }
        process.stdout.write(`${token}\n`);
        process.stderr.write(`API token for ${name} (shown only now; send it as "Authorization: Bearer TOKEN"); restart the daemon to use it\n`);
      }),
    );
}

function usersFile(opts: UserOptions, cmd: Command): string {
  if (opts.file) return opts.file;
  const config = loadConfigForCli(cmd.optsWithGlobals<{ config?: string }>());
  const file = config.settings.web?.usersFile;
  if (!file) throw new UsageError('USAGE', 'no users file: set gemcaen.Web.UsersFile in the config, or give --file FILE');
  return file;
}

/** Reads, changes and writes the users file (0600, replaced atomically). */
function editUsers(file: string, change: (users: YAMLMap) => void): void {
  const doc = parseDocument(existsSync(file) ? readFileSync(file, 'utf8') : '# web page users of gemcaen (written by gemcaen user add; hashes only)\nusers: {}\n');
  if (doc.errors.length > 0) throw new UsageError('WEB_USERS_FILE', `${file} is not YAML: ${doc.errors[0].message.split('\n')[0]}`);
  let users = doc.get('users');
  if (!isMap(users)) {
    users = new YAMLMap();
    doc.set('users', users);
  }
  change(users as YAMLMap);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, doc.toString(), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** A password from the terminal (no echo), or the first line of standard input when it is not a terminal. */
async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, terminal: false });
    for await (const line of rl) {
      rl.close();
      return line;
    }
    throw new UsageError('USAGE', 'no password on standard input');
  }
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const ask = (q: string) => new Promise<string>((resolve) => {
    process.stderr.write(q);
    muted = true;
    rl.question('', (a) => {
      muted = false;
      process.stderr.write('\n');
      resolve(a);
    });
  });
  try {
    const first = await ask(prompt);
    const again = await ask('again: ');
    if (first !== again) throw new UsageError('PASSWORD_MISMATCH', 'the two passwords differ; nothing was written');
    return first;
  } finally {
    rl.close();
  }
}
