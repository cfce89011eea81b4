// Mainframe-side recovery, end to end with the real CLI and two simulated crates: a crate taken down
// and up is reconnected and logging resumes while the other crate keeps logging; a removed board
// pauses only its setup; a keepalive prevents idle drops; nothing stays logged in at exit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSim, type SimHandle } from '../helpers/sim.js';
import type { HealthReport } from '../../src/supervisor/state.js';
import { mainframeYaml, settingsYaml, startDaemon, tempDir, writeConfig } from './run-daemon.js';

const CRATES = `
crates:
  - name: a
    system: SY4527
    slots:
      2: { model: A1535, channels: { 0: { name: A_CH0, V0Set: 100, Pw: 1 } } }
  - name: b
    system: SY4527
    slots:
      3: { model: A1535, channels: { 0: { name: B_CH0, V0Set: 200, Pw: 1 } } }
`;

let sim: SimHandle;
before(async () => {
  sim = await startSim({ cratesYaml: CRATES });
});
after(async () => {
  await sim?.stop();
});

function setup(name: string, address: string, slot: number, dataDir: string, extra: string[] = []): string {
  return [
    `${name}:`,
    '  Monitorables: [VMon, V0Set, Status]',
    '  HoldOffTime: 0.5',
    '  HeartbeatSeconds: 1',
    '  isGEMDetector: false',
    mainframeYaml({ address, library: sim.libraryPath }),
    ...extra,
    '  BOARD:',
    `    SLOT: ${slot}`,
    '    CHANNELS: [0]',
    '  FILE:',
    `    DIRECTORY: "${dataDir}"`,
  ].join('\n');
}

/** timestamps (ms) of the V0Set lines of one setup in the file sink's files */
function times(dataDir: string, setupName: string): number[] {
  if (!existsSync(dataDir)) return [];
  const out: number[] = [];
  for (const f of readdirSync(dataDir)) {
    for (const line of readFileSync(join(dataDir, f), 'utf8').split('\n')) {
      if (line.includes(`setup=${setupName}`) && line.includes('V0Set=')) out.push(Number(line.slice(line.lastIndexOf(' ') + 1)));
    }
  }
  return out.sort((x, y) => x - y);
}

async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('crate a down and up: reconnect, logging resumes; crate b unaffected; a removed board pauses only its setup', async (t) => {
  const dir = tempDir(t);
  const data = join(dir, 'data');
  // two crates, each on TCP 2527 of its own loopback address, as two real crates on a lab network
  assert.match(sim.crates.a, /^127\.\d+\.\d+\.\d+$/);
  assert.match(sim.crates.b, /^127\.\d+\.\d+\.\d+$/);
  assert.notEqual(sim.crates.a, sim.crates.b);
  const file = writeConfig(dir, [settingsYaml(dir), setup('RA', sim.crates.a, 2, data), setup('RB', sim.crates.b, 3, data)].join('\n'));
  const d = startDaemon(['-c', file, 'start', 'RA', 'RB']);
  t.after(() => d.stop('SIGKILL'));
  const crate = (h: HealthReport, name: 'a' | 'b') => h.crates.find((c) => c.id === sim.crates[name].toLowerCase());
  await d.untilHealth('both crates connected', (h) => crate(h, 'a')?.state === 'connected' && crate(h, 'b')?.state === 'connected');
  await until('first lines of both setups', () => times(data, 'RA').length > 0 && times(data, 'RB').length > 0);

  await sim.control.crateOff('a');
  t.after(() => sim.control.crateOn('a'));
  const downMs = Date.now();
  await d.untilHealth('crate a in back-off', (h) => crate(h, 'a')?.state === 'backoff');
  // crate b keeps logging (V0Set heartbeat every 1 s) while a is down; nothing comes from a meanwhile
  await until('two lines of crate b while a is down', () => times(data, 'RB').filter((x) => x > downMs + 500).length >= 2);
  const raDuring = times(data, 'RA').filter((x) => x > downMs + 500);
  assert.equal(raDuring.length, 0, 'nothing read from a crate that is down');
  const health = (await (await fetch(await d.healthUrl())).json()) as { ok: boolean; crates: { id: string; state: string }[] };
  assert.equal(health.ok, false);
  assert.equal(health.crates.find((c) => c.id === sim.crates.a.toLowerCase())?.state, 'backoff');
  assert.equal(health.crates.find((c) => c.id === sim.crates.b.toLowerCase())?.state, 'connected');

  await sim.control.crateOn('a');
  const upMs = Date.now();
  await d.untilHealth('crate a connected again', (h) => crate(h, 'a')?.state === 'connected');
  await until('RA logging again', () => times(data, 'RA').some((x) => x > upMs));
  assert.equal(d.lines.filter((l) => /unreachable/.test(l)).length, 1, 'one warning for the outage, not one per attempt');

  // a removed board pauses only its setup, and resumes when it is back
  await sim.control.removeBoard(3, 'b');
  t.after(() => sim.control.insertBoard(3, 'b').catch(() => undefined));
  const rb = (h: HealthReport) => h.setups.find((x) => x.name === 'RB');
  await d.untilHealth('RB paused', (h) => rb(h)?.paused === true);
  const removedMs = Date.now();
  // RA's heartbeat lines (1 s) while RB is paused: time passes, and RB writes nothing meanwhile
  await until('two RA lines while RB is paused', () => times(data, 'RA').filter((x) => x > removedMs).length >= 2);
  assert.equal(times(data, 'RB').filter((x) => x > removedMs).length, 0);
  await sim.control.insertBoard(3, 'b');
  const insertedMs = Date.now();
  await d.untilHealth('RB resumed', (h) => rb(h)?.paused === false);
  await until('RB logging again', () => times(data, 'RB').some((x) => x > insertedMs));

  assert.equal(await d.stop('SIGTERM'), 0);
  assert.equal((await sim.control.counters('a')).openSessions, 0);
  assert.equal((await sim.control.counters('b')).openSessions, 0);
  assert.ok((await sim.control.counters('a')).sessionsOpened >= 2);
});

test('a keepalive prevents the crate from dropping an idle session when HoldOffTime is long', async (t) => {
  const dir = tempDir(t);
  const data = join(dir, 'data');
  await sim.control.resetCounters('a');
  await sim.control.idleDrop(1.5, 'a');
  t.after(() => sim.control.idleDrop(null, 'a'));
  const text = setup('KA', sim.crates.a, 2, data).replace('HoldOffTime: 0.5', 'HoldOffTime: 4').replace('    CAENHV_LIBRARY', '    KEEPALIVE_SECONDS: 0.5\n    CAENHV_LIBRARY');
  const d = startDaemon(['-c', writeConfig(dir, `${settingsYaml(dir)}\n${text}`), 'start', 'KA']);
  t.after(() => d.stop('SIGKILL'));
  // two scans 4 s apart: the session sits idle for longer than the crate's 1.5 s limit in between (on a
  // loaded machine a late first scan can make the second follow at once, so the keepalive calls are
  // waited for too: without a keepalive the crate drops the session and they never come)
  await d.untilHealth('two scans of KA', (h) => (h.setups.find((x) => x.name === 'KA')?.scans ?? 0) >= 2);
  await until('3 keepalive calls', async () => ((await sim.control.counters('a')).calls.CAENHV_GetSysPropList ?? 0) >= 3);
  const c = await sim.control.counters('a');
  assert.equal(c.sessionsDropped, 0, 'no idle drop');
  assert.equal(c.sessionsOpened, 1);
  assert.ok((c.calls.CAENHV_GetSysPropList ?? 0) >= 3, `keepalive calls: ${c.calls.CAENHV_GetSysPropList}`);
  assert.equal(await d.stop('SIGTERM'), 0);
  assert.equal((await sim.control.counters('a')).openSessions, 0);
});
