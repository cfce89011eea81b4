// Extensions run inside the daemon: started after the writer (points they write reach the sink) and
// before the pollers (they see the first scan), stopped before the writer (points written while they
// stop still reach the file), each stop in its own try/catch (one that throws does not keep the
// others from stopping). The event bus carries scans and crate states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile, resolveSetups } from '../../src/config/load.js';
import type { CrateStateEvent, ScanEvent } from '../../src/events/types.js';
import type { Extension, ExtensionContext } from '../../src/extensions/types.js';
import { captureLogger } from '../helpers/capture-log.js';
import { Daemon } from '../../src/supervisor/daemon.js';
import { writeConfig } from '../helpers/cli.js';
import { startSim } from '../helpers/sim.js';
import { settingsYaml, tempDir } from '../daemon/run-daemon.js';
import { waitUntil } from '../helpers/wait.js';

function point(text: string) {
  return { measurement: 'gemcaen_event', tags: { kind: 'alarm', mainframe: 'm' }, fields: { text: { type: 'string' as const, value: text } }, timeMs: Date.now() };
}

class Recorder implements Extension {
  readonly log: string[] = [];
  readonly scans: ScanEvent[] = [];
  readonly crates: CrateStateEvent[] = [];
  ctx: ExtensionContext | null = null;
  constructor(readonly name: string, private readonly failStop = false) {}
  async start(ctx: ExtensionContext): Promise<void> {
    this.ctx = ctx;
    this.log.push(`start phase=${ctx.state.phase} scans=${[...ctx.state.setups.values()].reduce((n, s) => n + s.scans, 0)}`);
    ctx.events.on('scan', (e) => this.scans.push(e));
    ctx.events.on('crate-state', (e) => this.crates.push(e));
    // the same event twice: both are written (no dedup of the daemon's own points)
    ctx.writePoints(ctx.setups.map((s) => s.sink), [point(`${this.name} started`), point(`${this.name} started`)]);
  }
  async stop(): Promise<void> {
    this.log.push('stop');
    this.ctx!.writePoints(this.ctx!.setups.map((s) => s.sink), [point(`${this.name} stopping`)]);
    if (this.failStop) throw new Error('stop failed on purpose');
  }
}

test('extensions start after the writer, see scans and crate states, write points, and stop before the writer', async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  const dir = tempDir(t);
  const file = writeConfig(dir, sim, { Plain: { slot: 2, channels: [0, 1], holdOffSeconds: 0.2, monitorables: ['VMon', 'Status'] } }, { head: settingsYaml(dir) });
  const config = loadConfigFile(file);
  const a = new Recorder('a', true);
  const b = new Recorder('b');
  const daemon = new Daemon({ config, setups: resolveSetups(config, ['Plain']), log: captureLogger().log, extensions: [a, b], onFatal: () => {} });
  await daemon.start();
  await waitUntil(() => b.scans.length >= 2, 15_000, 'two scans seen by extension b');
  assert.deepEqual(a.log, ['start phase=starting scans=0'], 'started before the pollers');
  assert.equal(b.scans[0]!.setup, 'Plain');
  assert.equal(b.scans[0]!.channels.length, 2);
  assert.equal(typeof b.scans[0]!.channels[0]!.values.Status, 'number');
  assert.ok(b.crates.some((e) => e.after === 'connected'), JSON.stringify(b.crates));
  assert.equal(a.ctx!.state.crates.get(sim.address.toLowerCase())?.state, 'connected');
  await assert.rejects(daemon.stop('test'), (e: { code?: string }) => e.code === 'SHUTDOWN_INCOMPLETE');
  assert.deepEqual(a.log.at(-1), 'stop', 'a stopped although b was stopped first and a throws');
  assert.deepEqual(b.log.at(-1), 'stop');
  const data = join(dir, 'data');
  const text = readdirSync(data).map((f) => readFileSync(join(data, f), 'utf8')).join('');
  const events = text.split('\n').filter((l) => l.startsWith('gemcaen_event'));
  assert.equal(events.filter((l) => l.includes('a started')).length, 2, text);
  assert.equal(events.filter((l) => l.includes('b started')).length, 2);
  assert.equal(events.filter((l) => l.includes('a stopping')).length, 1, 'written while stopping: the writer stops after the extensions');
  assert.equal(events.filter((l) => l.includes('b stopping')).length, 1);
});
