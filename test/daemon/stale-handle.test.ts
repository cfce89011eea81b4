// A worker thread that dies while logged in leaves its handle open in the process-wide wrapper
// table; the restarted worker must log it out first, or its own login fails with DEVALREADYOPEN
// forever. Real piscina, real binding, real simulated crate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MainframeConfig, SetupConfig } from '../../src/config/types.js';
import { Secret } from '../../src/config/secret.js';
import { createLogger } from '../../src/log.js';
import { MainframeWorkers } from '../../src/supervisor/mainframe-workers.js';
import { DaemonState } from '../../src/supervisor/state.js';
import type { DiesOptions } from './fixtures/dies-holding-handle.worker.js';
import { startSim } from '../helpers/sim.js';
import { tempDir } from './run-daemon.js';

test('a worker that died holding a handle is replaced by one that releases it and logs in again', async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  const dir = tempDir(t);
  const mf: MainframeConfig = {
    id: sim.address, systemType: 'SY4527', linkType: 'TCPIP', address: sim.address, user: 'admin',
    password: new Secret('admin'), library: sim.libraryPath, keepaliveSeconds: 10,
  };
  const setup: SetupConfig = {
    name: 'S', monitorables: ['VMon'], holdOffSeconds: 0.2, isGEM: false, mainframe: mf.id, slot: 2,
    channels: [0, 1], sink: 'k', heartbeatSeconds: 300, deadbands: {},
  };
  const state = new DaemonState();
  state.crates.set(mf.id, { id: mf.id, address: mf.address, systemType: 'SY4527', state: 'starting', sinceMs: 0, setups: ['S'], restarts: 0 });
  state.setups.set('S', { name: 'S', mainframe: mf.id, sink: 'k', holdOffSeconds: 0.2, paused: false, scans: 0 });
  const options: DiesOptions = { marker: join(dir, 'died') };
  const workers = new MainframeWorkers({
    attachWriterPort: (_m, port) => port.close(),
    state,
    log: createLogger({ level: 'error', console: false }),
    restartInitialMs: 200,
    pollerOptions: options,
    filename: new URL('./fixtures/dies-holding-handle.worker.js', import.meta.url),
  });
  workers.start(new Map([[mf, [setup]]]));
  const end = Date.now() + 15_000;
  while (state.setups.get('S')!.scans < 2 && Date.now() < end) await sleep(50);
  const crate = state.crates.get(mf.id)!;
  // restarted (at least once: piscina may first hand the new task to the dying thread, which fails it at
  // once with "already detached" and costs one more restart)
  assert.ok(crate.restarts >= 1, `the dead worker was restarted (${crate.restarts})`);
  assert.equal(crate.state, 'connected', `the new worker logged in (state ${crate.state}: ${crate.detail ?? ''})`);
  assert.ok(state.setups.get('S')!.scans >= 2, 'the new worker scans');
  const running = await sim.control.counters();
  assert.equal(running.openSessions, 1, 'the dead thread\'s session was released, only the new one is open');
  await workers.stop('test', 5000);
  assert.equal((await sim.control.counters()).openSessions, 0, 'no session left after stop');
});
