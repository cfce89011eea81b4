// The supervisor restarts a mainframe task that throws or whose thread dies, while the other
// mainframe keeps running; stop ends every task through its control port (real piscina, fixture worker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MainframeConfig, SetupConfig } from '../../src/config/types.js';
import { Secret } from '../../src/config/secret.js';
import { createLogger } from '../../src/log.js';
import { MainframeWorkers } from '../../src/supervisor/mainframe-workers.js';
import { DaemonState } from '../../src/supervisor/state.js';
import type { FaultyOptions } from './fixtures/faulty.worker.js';
import { tempDir } from './run-daemon.js';

const FIXTURE = new URL('./fixtures/faulty.worker.js', import.meta.url);

function mf(id: string): MainframeConfig {
  return { id, systemType: 'SY4527', linkType: 'TCPIP', address: id, user: 'admin', password: new Secret('admin'), keepaliveSeconds: 10 };
}
function setup(name: string, mainframe: string): SetupConfig {
  return { name, monitorables: ['VMon'], holdOffSeconds: 1, isGEM: false, mainframe, slot: 0, channels: [0], sink: 'k', heartbeatSeconds: 300, deadbands: {} };
}

for (const fault of ['throw', 'exit'] as const) {
  test(`a task that ${fault === 'throw' ? 'throws' : 'ends its thread'} is restarted; the other mainframe keeps scanning`, async (t) => {
    const dir = tempDir(t);
    const state = new DaemonState();
    const faulty = mf('faulty:1');
    const good = mf('good:2');
    for (const m of [faulty, good]) state.crates.set(m.id, { id: m.id, address: m.id, systemType: 'SY4527', state: 'starting', sinceMs: 0, setups: [], restarts: 0 });
    state.setups.set('F', { name: 'F', mainframe: faulty.id, sink: 'k', holdOffSeconds: 1, paused: false, scans: 0 });
    state.setups.set('G', { name: 'G', mainframe: good.id, sink: 'k', holdOffSeconds: 1, paused: false, scans: 0 });
    const ports: string[] = [];
    const options: FaultyOptions = { fault, marker: join(dir, 'fault') };
    const workers = new MainframeWorkers({
      attachWriterPort: (m, port) => { ports.push(m); port.close(); },
      state,
      log: createLogger({ level: 'error', console: false }),
      restartInitialMs: 300,
      pollerOptions: options,
      filename: FIXTURE,
    });
    workers.start(new Map([[faulty, [setup('F', faulty.id)]], [good, [setup('G', good.id)]]]));
    const end = Date.now() + 10_000;
    while (state.crates.get(faulty.id)!.state !== 'connected' && Date.now() < end) await sleep(50);
    // at least one restart: when the thread itself died, piscina may hand the new task to the dying thread
    // first, which fails it at once ("already detached") and costs one more restart, never a stuck crate
    assert.ok(state.crates.get(faulty.id)!.restarts >= 1, `restarts ${state.crates.get(faulty.id)!.restarts}`);
    assert.equal(state.crates.get(faulty.id)!.state, 'connected');
    const gBefore = state.setups.get('G')!.scans;
    await sleep(300);
    assert.ok(state.setups.get('G')!.scans > gBefore, 'the good mainframe kept scanning');
    assert.ok(state.setups.get('F')!.scans > 0, 'the restarted task scans');
    assert.equal(ports.filter((p) => p === faulty.id).length, state.crates.get(faulty.id)!.restarts + 1, 'a fresh writer channel for each start of the task');
    await workers.stop('test', 3000);
    assert.equal(state.crates.get(faulty.id)!.state, 'stopped');
    assert.equal(state.crates.get(good.id)!.state, 'stopped');
    await workers.stop('again', 3000); // idempotent
  });
}
