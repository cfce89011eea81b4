// The poller's schedule does not follow the wall clock: a step of the system clock (NTP correcting a
// server that booted with a wrong RTC, a VM resumed) must not stop the scans or the keepalive. Real
// simulator, real binding, the poller in-process; only Date.now is stepped back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SetupConfig } from '../../src/config/types.js';
import { connector } from '../../src/poll/connect.js';
import { MainframePoller } from '../../src/poll/mainframe-poller.js';
import type { MainframeWire, ReadingsMessage } from '../../src/protocol.js';
import { startSim } from '../helpers/sim.js';

test('a wall clock stepped back by an hour does not pause the scans', async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  const mf: MainframeWire = {
    id: 'mf', systemType: 'SY4527', linkType: 'TCPIP', address: sim.address, user: 'admin', password: 'admin', library: sim.libraryPath, keepaliveSeconds: 10,
  };
  const setup: SetupConfig = {
    name: 'S', monitorables: ['VMon'], holdOffSeconds: 0.1, isGEM: false, mainframe: 'mf', slot: 2, channels: [0], sink: 'x', heartbeatSeconds: 300, deadbands: {},
  };
  const scans: ReadingsMessage[] = [];
  const poller = new MainframePoller(mf, [setup], { post: () => {}, readings: (m) => scans.push(m), connect: connector(mf) });
  const realNow = Date.now;
  t.after(() => (Date.now = realNow));
  const running = poller.run();
  const deadline = realNow() + 10_000;
  while (scans.length < 3 && realNow() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.ok(scans.length >= 3, `first scans: ${scans.length}`);
  Date.now = () => realNow() - 3_600_000;
  const before = scans.length;
  await new Promise((r) => setTimeout(r, 1500));
  const after = scans.length - before;
  Date.now = realNow;
  poller.stop('test');
  await running;
  // 1.5 s at HoldOffTime 0.1 s is about 15 scans; with a wall-clock schedule it was none for an hour
  assert.ok(after >= 5, `scans in the 1.5 s after the clock step: ${after}`);
  // the readings still carry the wall-clock time of the read, stepped clock included
  // (the first may have started before the step)
  const stepped = scans.slice(before + 1, before + after).map((m) => m.timeMs);
  assert.ok(stepped.every((ms) => ms < realNow() - 3_500_000), `read times during the step: ${stepped.join(',')}`);
});
