// `gemcaen user add` and `gemcaen user token`: what they write (scrypt and sha256 hashes in a 0600
// users file, never a password or a token), what they print (the token once, never a hash), their
// refusals by code; then the real daemon reading that file: the password signs in, the token
// authenticates (a set made with it is audited with its user), and a wrong password, a revoked token
// and an unknown token are refused with codes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { hashToken, verifyPassword } from '../../src/web/page/passwords.js';
import { cliPath, repoRoot } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startWebDaemon, type WebDaemon } from './kit.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `gemcaen ...args` with `stdin` piped in (the password, as a script would give it). */
function gemcaen(args: readonly string[], stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1', GEMCAEN_CONFIG: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const errorCode = (r: Run): string | undefined => {
  const line = r.stderr.split('\n').find((l) => l.startsWith('{'));
  return line ? (JSON.parse(line) as { error: { code: string } }).error.code : undefined;
};

interface UsersDoc {
  users: Record<string, { Role: string; Setups?: string[]; PasswordHash: string; TokenHashes?: string[] }>;
}

const PW = { alice: 'alice-has-a-long-one', vera: 'vera-views-only-9' };
const { dir, cleanup } = makeTempDir('gemcaen-user-cli-');
const usersFile = join(dir, 'web-users.yml');
const config = join(dir, 'config.yml');
const readUsers = () => parse(readFileSync(usersFile, 'utf8')) as UsersDoc;
const outputs: string[] = [];
const tokens: { current?: string; revoked?: string } = {};
let w: WebDaemon | undefined;

before(() => {
  // the commands find the users file through the config's gemcaen.Web.UsersFile, as on a lab machine
  writeFileSync(config, [
    'gemcaen:', `  LogDirectory: "${join(dir, 'logs')}"`, `  SpoolDirectory: "${join(dir, 'spool')}"`, '  Web:', `    UsersFile: "${usersFile}"`,
    'Board:', '  Monitorables: [VMon]', '  HoldOffTime: 1', '  isGEMDetector: false', '  MAINFRAME:', '    CAENHV_BOARD_TYPE: SY4527', '    CAENHV_LINK_TYPE: TCPIP',
    '    CAENHV_BOARD_ADDRESS: "127.0.0.1"', '    CAENHV_USER: admin', '    CAENHV_PASSWORD: admin', '  BOARD:', '    SLOT: 2', '    CHANNELS: [0]', '  FILE:', `    DIRECTORY: "${join(dir, 'data')}"`, '',
  ].join('\n'));
});
after(async () => {
  await w?.close();
  cleanup();
});

test('user add writes a scrypt hash into a 0600 users file and prints neither password nor hash', async () => {
  const r = await gemcaen(['-c', config, 'user', 'add', 'alice', '--role', 'operator', '--setups', 'Board,GEM1'], `${PW.alice}\n`);
  outputs.push(r.stdout, r.stderr);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /user alice \(operator, setups Board, GEM1\) written to .*web-users\.yml; restart the daemon/);
  assert.equal(statSync(usersFile).mode & 0o777, 0o600);
  const text = readFileSync(usersFile, 'utf8');
  assert.ok(!text.includes(PW.alice), 'no clear password in the file');
  const alice = readUsers().users.alice;
  assert.equal(alice.Role, 'operator');
  assert.deepEqual(alice.Setups, ['Board', 'GEM1']);
  assert.match(alice.PasswordHash, /^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  assert.equal(await verifyPassword(PW.alice, alice.PasswordHash), true);
  assert.equal(await verifyPassword('alice-has-a-long-onE', alice.PasswordHash), false);
  assert.ok(!r.stdout.includes(alice.PasswordHash) && !r.stderr.includes(alice.PasswordHash.split('$')[5]), 'the hash is not printed');

  const vera = await gemcaen(['-c', config, 'user', 'add', 'vera', '--role', 'viewer'], `${PW.vera}\n`);
  outputs.push(vera.stdout, vera.stderr);
  assert.equal(vera.code, 0, vera.stderr);
  assert.deepEqual(Object.keys(readUsers().users).sort(), ['alice', 'vera'], 'a second user is added, the first kept');
});

test('user add refuses a short password, an unknown role and a bad name by code, and writes nothing', async () => {
  const before = readFileSync(usersFile, 'utf8');
  const short = await gemcaen(['-c', config, 'user', 'add', 'bob', '--role', 'viewer', '--json'], 'short\n');
  assert.equal(short.code, 2);
  assert.equal(errorCode(short), 'PASSWORD_TOO_SHORT');
  const role = await gemcaen(['-c', config, 'user', 'add', 'bob', '--role', 'admin', '--json'], 'long-enough-password\n');
  assert.equal(role.code, 2);
  assert.equal(errorCode(role), 'USAGE');
  const name = await gemcaen(['-c', config, 'user', 'add', 'bob smith', '--role', 'viewer', '--json'], 'long-enough-password\n');
  assert.equal(name.code, 2);
  assert.equal(errorCode(name), 'USAGE');
  const empty = await gemcaen(['-c', config, 'user', 'add', 'bob', '--role', 'viewer', '--json'], '');
  assert.equal(empty.code, 2);
  assert.equal(readFileSync(usersFile, 'utf8'), before, 'the users file is unchanged');
  outputs.push(short.stderr, role.stderr, name.stderr, empty.stderr);
});

test('user token prints a token once and stores only its sha256; --revoke removes the tokens; an unknown user is refused', async () => {
  const first = await gemcaen(['-c', config, 'user', 'token', 'alice']);
  assert.equal(first.code, 0, first.stderr);
  const token = first.stdout.trim();
  assert.match(token, /^gct_[\w-]{43}$/);
  assert.match(first.stderr, /shown only now/);
  let text = readFileSync(usersFile, 'utf8');
  assert.ok(!text.includes(token), 'the token itself is not stored');
  assert.deepEqual(readUsers().users.alice.TokenHashes, [hashToken(token)]);
  assert.ok(!first.stderr.includes(hashToken(token)), 'the hash is not printed');

  const revoke = await gemcaen(['-c', config, 'user', 'token', 'alice', '--revoke']);
  assert.equal(revoke.code, 0, revoke.stderr);
  assert.match(revoke.stdout, /^1 API token of alice removed/);
  assert.equal(readUsers().users.alice.TokenHashes, undefined);
  assert.ok(readUsers().users.alice.PasswordHash.startsWith('scrypt$'), 'the password stays');

  const second = await gemcaen(['-c', config, 'user', 'token', 'alice']);
  assert.equal(second.code, 0, second.stderr);
  tokens.revoked = token;
  tokens.current = second.stdout.trim();
  assert.notEqual(tokens.current, token);
  text = readFileSync(usersFile, 'utf8');
  assert.ok(!text.includes(tokens.current));
  assert.deepEqual(readUsers().users.alice.TokenHashes, [hashToken(tokens.current)]);

  const unknown = await gemcaen(['-c', config, 'user', 'token', 'nobody', '--json']);
  assert.equal(unknown.code, 2);
  assert.equal(errorCode(unknown), 'UNKNOWN_USER');
  assert.equal(unknown.stdout, '', 'no token printed for an unknown user');
  assert.ok(!readFileSync(usersFile, 'utf8').includes('nobody'));
  outputs.push(revoke.stdout, revoke.stderr, second.stderr, unknown.stderr);
  assert.ok(existsSync(usersFile));
});

test('the daemon reads what the commands wrote: password and token work; wrong password, revoked and unknown tokens are refused', async () => {
  assert.ok(tokens.current && tokens.revoked, 'the token test ran first');
  w = await startWebDaemon({ usersFile });
  const origin = w.origin;
  const login = (name: string, password: string) =>
    fetch(`${origin}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ name, password }) });

  const ok = await login('alice', PW.alice);
  assert.equal(ok.status, 200);
  assert.deepEqual(((await ok.json()) as { user: unknown }).user, { name: 'alice', role: 'operator', setups: ['Board', 'GEM1'] });
  const cookie = (ok.headers.get('set-cookie') ?? '').split(';')[0];
  const me = (await (await fetch(`${origin}/api/me`, { headers: { cookie } })).json()) as { user: { name: string } | null };
  assert.equal(me.user?.name, 'alice');
  const viewer = await login('vera', PW.vera);
  assert.equal(viewer.status, 200);
  await viewer.body?.cancel();

  const wrong = await login('alice', PW.vera);
  assert.equal(wrong.status, 401);
  assert.equal(((await wrong.json()) as { code: string }).code, 'LOGIN_FAILED');
  const nobody = await login('nobody', PW.alice);
  assert.equal(nobody.status, 401);
  assert.equal(((await nobody.json()) as { code: string }).code, 'LOGIN_FAILED');

  const bearer = (t: string) => fetch(`${origin}/api/snapshot`, { headers: { authorization: `Bearer ${t}` } });
  const viaToken = await bearer(tokens.current!);
  assert.equal(viaToken.status, 200);
  await viaToken.body?.cancel();
  const meToken = (await (await fetch(`${origin}/api/me`, { headers: { authorization: `Bearer ${tokens.current!}` } })).json()) as { user: { name: string; role: string } | null };
  assert.deepEqual(meToken.user && { name: meToken.user.name, role: meToken.user.role }, { name: 'alice', role: 'operator' });
  for (const t of [tokens.revoked!, 'gct_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', hashToken(tokens.current!)]) {
    const refused = await bearer(t);
    assert.equal(refused.status, 401, `token ${t.slice(0, 8)}…`);
    assert.equal(((await refused.json()) as { code: string }).code, 'NOT_SIGNED_IN');
  }
  // a script with the token sets a value: it reaches the crate, and the audit names the token's user
  const callsBefore = (await w.sim.control.counters()).calls.CAENHV_SetChParam ?? 0;
  const auth = { 'content-type': 'application/json', authorization: `Bearer ${tokens.current!}` };
  const planned = await fetch(`${origin}/api/preview`, { method: 'POST', headers: auth, body: JSON.stringify({ setup: 'Board', channels: [2], param: 'I0Set', value: '17' }) });
  assert.equal(planned.status, 200, await planned.clone().text());
  const plan = (await planned.json()) as { previewId: string; confirmations: number };
  const applied = await fetch(`${origin}/api/apply`, { method: 'POST', headers: auth, body: JSON.stringify({ previewId: plan.previewId, confirmations: plan.confirmations }) });
  assert.equal(applied.status, 200);
  assert.equal(((await applied.json()) as { code: string }).code, 'OK');
  assert.equal((await w.sim.control.getChannel(2, 2)).params.I0Set, 17);
  assert.equal(((await w.sim.control.counters()).calls.CAENHV_SetChParam ?? 0) - callsBefore, 1);
  const audit = (await (await fetch(`${origin}/api/audit`, { headers: auth })).json()) as { audit: { who: string; param: string; after: number | null; channel: number }[] };
  assert.ok(audit.audit.some((a) => a.who === 'alice' && a.param === 'I0Set' && a.channel === 2 && a.after === 17), JSON.stringify(audit.audit));

  // a revoked token changes nothing either
  const preview = await fetch(`${origin}/api/preview`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.revoked!}` }, body: JSON.stringify({ setup: 'Board', channels: [1], param: 'V0Set', value: '2010' }) });
  assert.equal(preview.status, 401);
  assert.equal(((await preview.json()) as { code: string }).code, 'NOT_SIGNED_IN');

  // no password, hash or token in what the commands printed or the daemon logged
  const users = readUsers().users;
  const secrets = [PW.alice, PW.vera, tokens.current!, tokens.revoked!, ...Object.values(users).flatMap((u) => [u.PasswordHash, u.PasswordHash.split('$')[5], ...(u.TokenHashes ?? [])])];
  const printed = [...outputs, w.daemon.lines.join('\n')].join('\n');
  for (const s of secrets) assert.ok(!printed.includes(s), `a secret was printed (${s.slice(0, 10)}…)`);
});
