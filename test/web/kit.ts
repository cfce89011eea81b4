// A daemon serving the web page against the simulator, for the web tests: one simulated crate
// (the default demo crate), three setups (a plain board and both layers of a GEM board), users with
// scrypt hashes in a users file, and an API token. The daemon runs as the real CLI in a child process.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword, newToken } from '../../src/web/page/passwords.js';
import { mainframeYaml, settingsYaml, startDaemon, writeConfig, type RunningDaemon } from '../daemon/run-daemon.js';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { makeTempDir } from '../helpers/temp-dir.js';

export const PASSWORDS = { alice: 'alice-operator-pw', victor: 'victor-viewer-pw', gemma: 'gemma-gem-only-pw' } as const;

export interface WebDaemon {
  sim: SimHandle;
  daemon: RunningDaemon;
  /** the page's URL, e.g. http://127.0.0.1:PORT/ */
  url: string;
  origin: string;
  dir: string;
  /** alice's API token (operator) */
  token: string;
  /** every stored hash (password and token), to check that none leaks */
  hashes: string[];
  close(): Promise<void>;
}

export interface WebDaemonOptions {
  /** false: no users in a users file of the kit (a read-only page, unless `web` or `usersFile` brings some) */
  users?: boolean;
  /** a users file the test wrote (e.g. with gemcaen user add): used instead of the kit's */
  usersFile?: string;
  /** extra lines of the Web block */
  web?: string[];
}

export async function startWebDaemon(opts: WebDaemonOptions = {}): Promise<WebDaemon> {
  const { dir, cleanup } = makeTempDir('gemcaen-web-');
  const sim = await startSim();
  const token = newToken();
  const hashes: string[] = [token.hash];
  const usersFile = opts.usersFile ?? join(dir, 'users.yml');
  const ownUsers = opts.users !== false && opts.usersFile === undefined;
  if (ownUsers) {
    const h = { alice: await hashPassword(PASSWORDS.alice), victor: await hashPassword(PASSWORDS.victor), gemma: await hashPassword(PASSWORDS.gemma) };
    hashes.push(...Object.values(h));
    writeFileSync(usersFile, [
      'users:',
      `  alice: { Role: operator, PasswordHash: "${h.alice}", TokenHashes: ["${token.hash}"] }`,
      `  victor: { Role: viewer, PasswordHash: "${h.victor}" }`,
      `  gemma: { Role: operator, Setups: [GEM1], PasswordHash: "${h.gemma}" }`,
    ].join('\n'));
  }
  const mf = mainframeYaml({ address: sim.address, library: sim.libraryPath });
  const sink = ['  FILE:', `    DIRECTORY: "${join(dir, 'data')}"`].join('\n');
  const config = writeConfig(dir, [
    settingsYaml(dir, ['  Web:', '    Listen: "127.0.0.1:0"', ...(opts.users !== false || opts.usersFile ? [`    UsersFile: "${usersFile}"`] : []), ...(opts.web ?? []).map((l) => `    ${l}`)]),
    'Board:', '  Monitorables: [VMon, IMon, V0Set, I0Set, RUp, RDWn, Pw, Status, Temp, BdStatus]', '  HoldOffTime: 1', '  isGEMDetector: false', mf,
    '  BOARD:', '    SLOT: 2', '    CHANNELS: [0, 1, 2, 3]', sink,
    'GEM1:', '  Monitorables: [VMon, IMon, V0Set, I0Set, Pw, Status, Ieq]', '  HoldOffTime: 1', '  isGEMDetector: true', mf,
    '  BOARD:', '    SLOT: 0', '    LAYER: 1', sink,
    'GEM2:', '  Monitorables: [VMon, IMon, V0Set, I0Set, Pw, Status, Ieq]', '  HoldOffTime: 1', '  isGEMDetector: true', mf,
    '  BOARD:', '    SLOT: 0', '    LAYER: 2', sink,
  ].join('\n'));
  const daemon = startDaemon(['--config', config, 'start', 'Board', 'GEM1', 'GEM2']);
  let url: string;
  try {
    const line = await daemon.waitFor(/web page: https?:\/\/\S+\//, 60_000);
    url = /(https?:\/\/\S+\/)/.exec(line)![1];
    await daemon.waitFor(/connected to SY4527/, 60_000);
  } catch (err) {
    await daemon.stop('SIGKILL');
    await sim.stop();
    cleanup();
    throw err;
  }
  return {
    sim, daemon, url, origin: url.replace(/\/$/, ''), dir, token: token.token, hashes,
    async close() {
      await daemon.stop();
      await sim.stop();
      cleanup();
    },
  };
}

/** Signs in through the API; the session cookie ("gemcaen_session=…"). */
export async function login(w: WebDaemon, name: keyof typeof PASSWORDS): Promise<string> {
  const res = await fetch(`${w.origin}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: w.origin }, body: JSON.stringify({ name, password: PASSWORDS[name] }) });
  if (res.status !== 200) throw new Error(`login ${name}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie') ?? '';
  return cookie.split(';')[0];
}
