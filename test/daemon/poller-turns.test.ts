// The poller reads its setups back to back when they are due, and gives the event loop one turn per
// setup scan (a sleep is such a turn; with no sleep between two scans it takes one itself): control jobs
// and the stop message, which arrive as events, are never held up by a crate that is always due.
// Real simulator, real binding, the poller in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SetupConfig } from '../../src/config/types.js';
import { connector } from '../../src/poll/connect.js';
import { MainframePoller } from '../../src/poll/mainframe-poller.js';
import type { MainframeWire, ReadingsMessage } from '../../src/protocol.js';
import { startSim } from '../helpers/sim.js';
import { waitUntil } from '../helpers/wait.js';

test('setups due all the time (HoldOffTime 0): a job asked from a timer runs between two scans, and a stop ends the loop', { timeout: 60_000 }, async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  const mf: MainframeWire = {
    id: 'mf', systemType: 'SY4527', linkType: 'TCPIP', address: sim.address, user: 'admin', password: 'admin', library: sim.libraryPath, keepaliveSeconds: 10,
  };
  const setup = (name: string, slot: number): SetupConfig => ({
    name, monitorables: ['VMon', 'IMon'], holdOffSeconds: 0, isGEM: false, mainframe: 'mf', slot, channels: [0, 1], sink: 'x', heartbeatSeconds: 300, deadbands: {},
  });
  const scans: ReadingsMessage[] = [];
  const poller = new MainframePoller(mf, [setup('A', 0), setup('B', 2)], { post: () => {}, readings: (m) => scans.push(m), connect: connector(mf) });
  const running = poller.run();
  await waitUntil(() => scans.length >= 4, 10_000, 'first scans');
  // a timer callback runs only when the loop gives the event loop a turn
  const scansAtJob = await new Promise<number>((resolve, reject) => {
    setTimeout(() => {
      poller.exclusive(() => scans.length).then(resolve, reject);
    }, 0);
  });
  const afterJob = scans.length;
  await waitUntil(() => scans.length >= afterJob + 4, 10_000, 'scans after the job');
  assert.ok(scansAtJob >= 4, `scans before the job: ${scansAtJob}`);
  await new Promise<void>((resolve) => setTimeout(() => {
    poller.stop('test');
    resolve();
  }, 0));
  await running;
});
