// The poller reads its setups back to back when they are due, and gives the event loop one turn per
// setup scan (a sleep is such a turn; with no sleep between two scans it takes one itself): control jobs
// and the stop message, which arrive as events, are never held up by a crate that is always due. The
// setups of a crate share one phase, so a round is read back to back (one sleep per round, not per setup).
// Real simulator, real binding, the poller in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SetupConfig } from '../../src/config/types.js';
import { connector } from '../../src/poll/connect.js';
import { MainframePoller } from '../../src/poll/mainframe-poller.js';
import type { MainframeToSupervisor, MainframeWire, ReadingsMessage } from '../../src/protocol.js';
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

test('the setups of a crate share one phase: a slow first round (names, metadata) does not leave them spread, so a round is read back to back', { timeout: 90_000 }, async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  // slow calls while the plans are made and the first round is read: before the setups shared a phase,
  // each kept the phase of its own first scan, here ~0.4 s after the one before it
  await sim.control.latency(80);
  const mf: MainframeWire = {
    id: 'mf', systemType: 'SY4527', linkType: 'TCPIP', address: sim.address, user: 'admin', password: 'admin', library: sim.libraryPath, keepaliveSeconds: 10,
  };
  const setup = (name: string, slot: number): SetupConfig => ({
    name, monitorables: ['VMon', 'IMon'], holdOffSeconds: 1.5, isGEM: false, mainframe: 'mf', slot, channels: [0, 1], sink: 'x', heartbeatSeconds: 300, deadbands: {},
  });
  const scans: { setup: string; timeMs: number; durationMs: number }[] = [];
  const post = (m: MainframeToSupervisor): void => {
    if (m.type === 'scan') scans.push({ setup: m.setup, timeMs: m.timeMs, durationMs: m.durationMs });
  };
  const poller = new MainframePoller(mf, [setup('A', 0), setup('B', 2)], { post, readings: () => {}, connect: connector(mf) });
  const running = poller.run();
  t.after(async () => {
    poller.stop('test');
    await running;
  });
  await waitUntil(() => scans.some((s) => s.setup === 'B'), 30_000, 'the first round (A and B scanned once)');
  const [firstA, firstB] = [scans.find((s) => s.setup === 'A')!, scans.find((s) => s.setup === 'B')!];
  assert.ok(firstB.timeMs - firstA.timeMs >= 300, `the first round was slow: B started ${firstB.timeMs - firstA.timeMs} ms after A`);
  await sim.control.latency(0);
  const switchedMs = Date.now();
  // rounds that start after the switch: A, then B as soon as A is done
  const rounds = (): { a: (typeof scans)[number]; b: (typeof scans)[number] | undefined }[] =>
    scans.filter((s) => s.setup === 'A' && s.timeMs > switchedMs).map((a) => ({ a, b: scans.find((s) => s.setup === 'B' && s.timeMs >= a.timeMs) }));
  await waitUntil(() => rounds().filter((r) => r.b).length >= 3, 30_000, 'three rounds at 0 ms per call');
  for (const { a, b } of rounds().filter((r) => r.b)) {
    const gap = b!.timeMs - (a.timeMs + a.durationMs);
    assert.ok(gap < 200, `B waited ${gap} ms after A's scan ended (A at ${a.timeMs}, B at ${b!.timeMs})`);
  }
});
