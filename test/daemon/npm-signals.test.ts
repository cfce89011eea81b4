// A signal to `npm start -- demo` or `npx gemcaen start demo` (what a newcomer types, then stops with
// kill or Ctrl-C) must reach the daemon: it logs out of the crate, frees its ports and exits 0. npm puts a
// shell between itself and the daemon; these tests run the real npm against a simulated crate.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { once } from 'node:events';
import test from 'node:test';
import assert from 'node:assert/strict';
import { repoRoot, writeConfig } from '../helpers/cli.js';
import { freePort } from '../helpers/server-process.js';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { testTempDir } from '../helpers/temp-dir.js';

interface Health {
  pid: number;
  crates: { state: string }[];
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** A config whose `demo` group logs two setups of the simulated crate; returns it and the health port. */
async function demoConfig(t: { after(fn: () => void): void }, sim: SimHandle): Promise<{ file: string; healthPort: number }> {
  const dir = testTempDir(t, 'gemcaen-npm-signals-');
  const healthPort = await freePort();
  const head = [
    'gemcaen:',
    `  LogDirectory: "${dir}/logs"`,
    `  SpoolDirectory: "${dir}/spool"`,
    `  HealthListen: "127.0.0.1:${healthPort}"`,
    '  Groups:',
    '    demo: [DemoGEM, DemoBoard]',
  ].join('\n');
  const file = writeConfig(dir, sim, { DemoGEM: { slot: 0, layer: 1 }, DemoBoard: { slot: 2, channels: [0, 1] } }, { head });
  return { file, healthPort };
}

/** Starts `cmd args` as its own process group (as a terminal would), waits until the daemon is connected. */
async function startUnderNpm(cmd: string, args: string[], config: string, healthPort: number, sim: SimHandle): Promise<{ npm: ChildProcess; daemonPid: number; exited: Promise<number | null> }> {
  const npm = spawn(cmd, args, {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, GEMCAEN_CONFIG: config, NO_COLOR: '1', npm_config_update_notifier: 'false' },
  });
  const exited = once(npm, 'exit').then(([code]) => code as number | null);
  const health = await until('the daemon to connect', async () => {
    const res = await fetch(`http://127.0.0.1:${healthPort}/health`);
    const h = (await res.json()) as Health;
    return h.crates.every((c) => c.state === 'connected') ? h : undefined;
  });
  await until('one open session', async () => ((await sim.control.counters()).openSessions === 1 ? true : undefined));
  return { npm, daemonPid: health.pid, exited };
}

async function assertStoppedCleanly(sim: SimHandle, run: { daemonPid: number; exited: Promise<number | null> }, healthPort: number): Promise<void> {
  assert.equal(await run.exited, 0, 'npm (and the daemon it ran) exits 0');
  await until('the daemon process to end', async () => (alive(run.daemonPid) ? undefined : true), 15_000);
  const c = await sim.control.counters();
  assert.equal(c.openSessions, 0, 'the crate session was logged out');
  assert.ok(c.sessions.every((s) => s.closeReason === 'logout'), `sessions closed by logout: ${c.sessions.map((s) => s.closeReason).join(', ')}`);
  assert.equal(await portAnswers(healthPort), false, 'the health port is free');
}

for (const [label, signal, toGroup] of [
  ['kill -TERM of `npm start -- demo`', 'SIGTERM', false],
  ['kill -INT of `npm start -- demo`', 'SIGINT', false],
  ['Ctrl-C (SIGINT to the whole process group) of `npm start -- demo` counts as one signal', 'SIGINT', true],
] as const) {
  test(`${label}: the daemon logs out, frees its ports and exits 0`, { timeout: 90_000 }, async (t) => {
    const sim = await startSim();
    t.after(() => sim.stop());
    const { file, healthPort } = await demoConfig(t, sim);
    const run = await startUnderNpm('npm', ['start', '--', 'demo'], file, healthPort, sim);
    t.after(() => {
      if (alive(run.daemonPid)) process.kill(run.daemonPid, 'SIGKILL');
    });
    process.kill(toGroup ? -run.npm.pid! : run.npm.pid!, signal);
    await assertStoppedCleanly(sim, run, healthPort);
  });
}

test('kill -TERM of `npx gemcaen start demo` (a shell between npm and the daemon): the daemon still stops cleanly', { timeout: 90_000 }, async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  const { file, healthPort } = await demoConfig(t, sim);
  const run = await startUnderNpm('npx', ['gemcaen', 'start', 'demo'], file, healthPort, sim);
  t.after(() => {
    if (alive(run.daemonPid)) process.kill(run.daemonPid, 'SIGKILL');
  });
  process.kill(run.npm.pid!, 'SIGTERM');
  // npm itself ends at once (its shell died); the daemon notices its parent has gone
  await run.exited;
  await until('the daemon process to end', async () => (alive(run.daemonPid) ? undefined : true), 20_000);
  const c = await sim.control.counters();
  assert.equal(c.openSessions, 0, 'the crate session was logged out');
  assert.ok(c.sessions.every((s) => s.closeReason === 'logout'), `sessions closed by logout: ${c.sessions.map((s) => s.closeReason).join(', ')}`);
  assert.equal(await portAnswers(healthPort), false, 'the health port is free');
});
