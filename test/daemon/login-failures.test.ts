// Every way a login fails, as CAEN's real 6.0 library reports it (docs/caen-wrapper.md §11), through the
// real C ABI (koffi) against the simulator's library, and what gemcaen makes of it: the InitSystem code,
// the classification after the TCP 2527 probe, the poller's state and retry delay, and the CLI's one line
// and exit code. A crate that does not answer on TCP 2527 is unreachable (normal back-off, exit 1); one
// that answers but refuses or drops the login is a refused login (slow retry, exit 2, both causes named).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SetupConfig } from '../../src/config/types.js';
import { connector } from '../../src/poll/connect.js';
import { MainframePoller } from '../../src/poll/mainframe-poller.js';
import { classify } from '../../src/poll/session.js';
import type { MainframeWire } from '../../src/protocol.js';
import { randomLoopback, scriptedCrate, startSim, type SimHandle } from '../helpers/sim.js';
import { runCli, stderrLines, tempDir, writeConfig } from '../helpers/cli.js';
import { loadCaen, RC, SY4527, TCPIP, type CaenFfi } from '../sim/caen-ffi.js';

/** the simulated library's login time-out for this file (the real one is 20 s) */
const LOGIN_TIMEOUT_MS = 1500;
const CREDENTIALS_RETRY_MS = 120_000;

let sim: SimHandle;
let ffi: CaenFfi;
/** scripted crates in their own processes (this one blocks in the synchronous InitSystem) */
let closing: Awaited<ReturnType<typeof scriptedCrate>>;
let silent: Awaited<ReturnType<typeof scriptedCrate>>;
let tmp: ReturnType<typeof tempDir>;

before(async () => {
  process.env.CAENHV_SIM_LOGIN_TIMEOUT_MS = String(LOGIN_TIMEOUT_MS);
  sim = await startSim();
  ffi = loadCaen(sim.libraryPath);
  closing = await scriptedCrate('close');
  silent = await scriptedCrate('silent');
  tmp = tempDir('gemcaen-login-');
});

after(async () => {
  delete process.env.CAENHV_SIM_LOGIN_TIMEOUT_MS;
  await closing?.stop();
  await silent?.stop();
  await sim?.stop();
  tmp?.cleanup();
});

interface Mode {
  name: string;
  /** the crate address to log in to (set up the fault first) */
  arrange: () => Promise<string>;
  restore?: () => Promise<void>;
  password?: string;
  code: number;
  /** whether TCP 2527 answers: decides unreachable vs refused */
  answers: boolean;
}

const modes: Mode[] = [
  { name: 'nothing listening (no such crate)', arrange: async () => randomLoopback(), code: RC.LOGINFAILED, answers: false },
  {
    name: 'crate switched off (simulator: nothing listens on its address)',
    arrange: async () => (await sim.control.crateOff(), sim.address),
    restore: () => sim.control.crateOn(),
    code: RC.LOGINFAILED,
    answers: false,
  },
  { name: 'a listener that accepts and closes', arrange: async () => closing.address, code: RC.USERPASSFAILED, answers: true },
  {
    name: 'crate down (simulator: accepts and closes)',
    arrange: async () => (await sim.control.crateDown(), sim.address),
    restore: () => sim.control.crateUp(),
    code: RC.USERPASSFAILED,
    answers: true,
  },
  { name: 'a listener that never answers', arrange: async () => silent.address, code: RC.USERPASSFAILED, answers: true },
  {
    name: 'silent logins (simulator)',
    arrange: async () => (await sim.control.silentLogins(true), sim.address),
    restore: () => sim.control.silentLogins(false),
    code: RC.USERPASSFAILED,
    answers: true,
  },
  { name: 'wrong password', arrange: async () => sim.address, password: 'wrong-pw', code: RC.USERPASSFAILED, answers: true },
];

function wire(address: string, password = 'admin'): MainframeWire {
  return { id: address, systemType: 'SY4527', linkType: 'TCPIP', address, user: 'admin', password, library: sim.libraryPath, keepaliveSeconds: 10 };
}

const setup = (address: string): SetupConfig => ({
  name: 'S', monitorables: ['VMon'], holdOffSeconds: 1, isGEM: false, mainframe: address, slot: 2, channels: [0], sink: 'x', heartbeatSeconds: 300, deadbands: {},
});

/** The poller's first state after a failed login: its name and retry delay. */
async function firstFailureState(address: string, password?: string): Promise<{ state: string; retryInMs?: number }> {
  const mf = wire(address, password);
  let seen: { state: string; retryInMs?: number } | undefined;
  const poller = new MainframePoller(mf, [setup(address)], {
    post: (m) => {
      if (m.type === 'state' && m.state !== 'connecting' && !seen) seen = { state: m.state, retryInMs: m.retryInMs };
    },
    readings: () => {},
    connect: connector(mf),
  }, { credentialsRetryMs: CREDENTIALS_RETRY_MS });
  const running = poller.run();
  const deadline = Date.now() + 15_000;
  while (!seen && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  poller.stop('test');
  await running;
  assert.ok(seen, 'the poller reported a state');
  return seen;
}

for (const m of modes) {
  describe(m.name, () => {
    test(`InitSystem answers ${m.code === RC.LOGINFAILED ? 'LOGINFAILED 0x1004' : 'USERPASSFAILED 0x1007'}, handle -1, GetError " Connection failed "`, async (t) => {
      const address = await m.arrange();
      if (m.restore) t.after(m.restore);
      const h = [123];
      const t0 = Date.now();
      assert.equal(ffi.InitSystem(SY4527, TCPIP, address, 'admin', m.password ?? 'admin', h), m.code);
      const took = Date.now() - t0;
      assert.equal(h[0], -1);
      assert.equal(ffi.GetError(h[0]), ' Connection failed ');
      if (/never answers|silent/.test(m.name)) assert.ok(took >= LOGIN_TIMEOUT_MS - 20, `a silent crate is given up after the login time-out (${took} ms)`);
      else assert.ok(took < LOGIN_TIMEOUT_MS, `answered at once, not after the login time-out (${took} ms)`);
    });

    test(`gemcaen: ${m.answers ? 'a refused login (credentials)' : 'CRATE_UNREACHABLE (connection)'}; the poller ${m.answers ? 'retries slowly (auth-failed)' : 'backs off as for any lost crate'}`, async (t) => {
      const address = await m.arrange();
      if (m.restore) t.after(m.restore);
      const err = await connector(wire(address, m.password))().then(
        () => assert.fail('the login succeeded'),
        (e: unknown) => e,
      );
      const code = (err as { code?: string }).code;
      if (m.answers) {
        assert.equal(code, m.code === RC.LOGINFAILED ? 'CAEN_LOGINFAILED' : 'CAEN_USERPASSFAILED');
        assert.equal(classify(err), 'credentials');
      } else {
        assert.equal(code, 'CRATE_UNREACHABLE');
        assert.equal(classify(err), 'connection');
        assert.match(String((err as Error).message), new RegExp(`^no answer from the crate at ${address.replace(/\./g, '\\.')} \\(TCP 2527\\): is it on and reachable\\?$`));
      }
      const s = await firstFailureState(address, m.password);
      if (m.answers) {
        assert.equal(s.state, 'auth-failed');
        assert.equal(s.retryInMs, CREDENTIALS_RETRY_MS);
      } else {
        assert.equal(s.state, 'backoff');
        assert.ok(s.retryInMs !== undefined && s.retryInMs <= 2_000, `first back-off ${s.retryInMs} ms`);
      }
    });

    test(`the CLI: exit ${m.answers ? 2 : 1}, one line ${m.answers ? 'naming the credentials and a booting crate' : 'saying nothing answers on TCP 2527'}`, async (t) => {
      const address = await m.arrange();
      if (m.restore) t.after(m.restore);
      const file = writeConfig(tmp.dir, sim, { S: { monitorables: ['VMon'], slot: 2, channels: [0], address, ...(m.password ? { password: m.password } : {}) } }, { file: `login-${modes.indexOf(m)}.yml` });
      const r = await runCli(['--config', file, 'status', 'S']);
      const lines = stderrLines(r);
      assert.equal(lines.length, 1, r.stderr);
      if (m.answers) {
        assert.equal(r.code, 2);
        assert.match(lines[0], /answers on TCP 2527 but refused the login .*check CAENHV_USER and CAENHV_PASSWORD.*still booting/);
      } else {
        assert.equal(r.code, 1);
        assert.match(lines[0], /no answer from the crate at .* \(TCP 2527\): is it on and reachable\?/);
      }
    });
  });
}
