// What the poller reads again, and when: parameter metadata after a paused board is back, error
// reports after a recovery, channel names on a slow timer. Real simulator, real binding, the poller
// in-process (its log lines and points collected from its IO).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SetupConfig } from '../../src/config/types.js';
import { connector } from '../../src/poll/connect.js';
import { MainframePoller } from '../../src/poll/mainframe-poller.js';
import type { MainframeToSupervisor, MainframeWire, PointsMessage, PollerOptions, ReadingsMessage } from '../../src/protocol.js';
import { ReadingsIntake } from '../../src/readings.js';
import { intakePoints } from '../writer/util.js';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { DaemonState } from '../../src/supervisor/state.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Running {
  poller: MainframePoller;
  logs: { level: string; message: string }[];
  scans: PointsMessage[];
  /** the supervisor's side of the scan messages (as MainframeWorkers records them), and how many carried a layout */
  state: DaemonState;
  layoutsSent: () => number;
  /** waits until `cond` holds (polling every 20 ms), failing with `what` after 10 s */
  until(cond: () => boolean, what: string): Promise<void>;
}

function setupOn(slot: number, extra: Partial<SetupConfig> = {}): SetupConfig {
  return {
    name: 'S', monitorables: ['VMon', 'IMon'], holdOffSeconds: 0.1, isGEM: false, mainframe: 'mf', slot, channels: [0, 1], sink: 'x', heartbeatSeconds: 300, deadbands: {},
    ...extra,
  };
}

function startPoller(t: { after(fn: () => unknown): void }, sim: SimHandle, setups: SetupConfig[], options: PollerOptions = {}): Running {
  const mf: MainframeWire = {
    id: 'mf', systemType: 'SY4527', linkType: 'TCPIP', address: sim.address, user: 'admin', password: 'admin', library: sim.libraryPath, keepaliveSeconds: 10,
  };
  const logs: Running['logs'] = [];
  const scans: PointsMessage[] = [];
  const state = new DaemonState();
  let layouts = 0;
  const post = (m: MainframeToSupervisor) => {
    if (m.type === 'log') logs.push({ level: m.level, message: m.message });
    if (m.type === 'scan') {
      if (m.layout) layouts++;
      assert.ok(state.recordScan(m.setup, m.timeMs, m.durationMs, m.calls, m.points, m.layout, m.values), 'a scan the supervisor can read');
    }
  };
  // the writer's intake turns the compact readings into the points it writes
  const intake = new ReadingsIntake();
  const readings = (m: ReadingsMessage) => {
    const points = intakePoints(intake, m);
    if ('error' in points) throw new Error(points.error);
    scans.push({ type: 'points', setup: m.setup, sink: m.sink, points });
  };
  const poller = new MainframePoller(mf, setups, { post, readings, connect: connector(mf) }, options);
  const running = poller.run();
  t.after(async () => {
    poller.stop('test');
    await running;
  });
  return {
    poller,
    logs,
    scans,
    state,
    layoutsSent: () => layouts,
    async until(cond, what) {
      const deadline = Date.now() + 10_000;
      while (!cond()) {
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last log lines: ${logs.slice(-8).map((l) => `${l.level} ${l.message}`).join(' | ')}`);
        await sleep(20);
      }
    },
  };
}

test('a board removed and inserted while its setup is paused: the metadata is read again on resume, not per scan', async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  const r = startPoller(t, sim, [setupOn(2)]);
  await r.until(() => r.scans.length >= 2, 'the first scans');

  await sim.control.removeBoard(2);
  await r.until(() => r.logs.some((l) => /paused/.test(l.message)), 'the pause');
  await sim.control.resetCounters();
  await sim.control.insertBoard(2);
  await r.until(() => r.logs.some((l) => /is back, polling resumes/.test(l.message)), 'the resume');
  const resumedAt = r.scans.length;
  await r.until(() => r.scans.length >= resumedAt + 2, 'scans after the resume');
  // the simulator can only put the same model back, so what proves a swapped board would be seen is
  // that the types (GetChParamProp: Type first) were asked again for both parameters of the plan
  const props = (await sim.control.counters()).calls.CAENHV_GetChParamProp ?? 0;
  assert.ok(props >= 2, `GetChParamProp after the board came back: ${props}`);
  // and the names of the inserted board (GetChName once, for the new plan)
  assert.equal((await sim.control.counters()).calls.CAENHV_GetChName, 1);

  // steady scans afterwards cost no metadata call
  await sim.control.resetCounters();
  const from = r.scans.length;
  await r.until(() => r.scans.length >= from + 3, 'steady scans');
  const steady = (await sim.control.counters()).calls;
  assert.equal(steady.CAENHV_GetChParamProp ?? 0, 0, JSON.stringify(steady));
});

test('a request error is logged once while it lasts, and again when it returns after a good scan', async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  const r = startPoller(t, sim, [setupOn(2)]);
  await r.until(() => r.scans.length >= 2, 'the first scans');
  const errors = () => r.logs.filter((l) => l.level === 'error');

  // three failing scans in a row: one line
  await sim.control.failNext(3, 10, 'GetChParam');
  await r.until(() => errors().length >= 1, 'the first error line');
  let at = r.scans.length;
  await r.until(() => r.scans.length >= at + 2, 'scans after the error');
  assert.equal(errors().length, 1, errors().map((l) => l.message).join(' | '));
  assert.ok(r.logs.some((l) => l.level === 'info' && /^S: scans succeed again \(after: .*GetChParam/.test(l.message)), 'the recovery is logged');

  // the same error again, after the recovery: logged again
  await sim.control.failNext(1, 10, 'GetChParam');
  await r.until(() => errors().length >= 2, 'the error line after the recovery');
  at = r.scans.length;
  await r.until(() => r.scans.length >= at + 2, 'scans after the second error');
  assert.equal(errors().length, 2);
  assert.equal(errors()[1].message, errors()[0].message);
});

/** the ChannelName tag of channel `ch` in the last scan */
function nameTag(scans: PointsMessage[], ch: string): string | undefined {
  const last = scans.at(-1);
  return last?.points.find((p) => p.measurement === 'CAEN_Board_Monitor' && p.tags.channel === ch)?.tags.ChannelName;
}

test('a channel renamed at the crate gets its new ChannelName at the next names refresh, not before', async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  const r = startPoller(t, sim, [setupOn(2)], { namesRefreshMs: 1500 });
  await r.until(() => r.scans.length >= 2, 'the first scans');
  assert.equal(nameTag(r.scans, '00'), 'DRIFT0');

  await sim.control.resetCounters();
  await sim.control.setChannel(2, 0, 'name', 'RENAMED0');
  const renamedAt = r.scans.length;
  await r.until(() => nameTag(r.scans, '00') === 'RENAMED0', 'the new name in the points');
  assert.equal(nameTag(r.scans, '01'), 'DRIFT1');
  assert.ok(r.logs.some((l) => l.level === 'info' && l.message === 'S: channels renamed at the crate: channel 0 DRIFT0 → RENAMED0'), 'the rename is logged');
  // the supervisor got how to read the scans twice: with the first scan, and with the new name
  assert.equal(r.state.latest.get('S/0')?.name, 'RENAMED0');
  assert.equal(r.state.latest.get('S/1')?.name, 'DRIFT1');
  assert.equal(r.layoutsSent(), 2, `layouts sent over ${r.scans.length} scans`);
  // time-based and rare: one GetChName per refresh interval, not one per scan
  const c = (await sim.control.counters()).calls;
  const scans = r.scans.length - renamedAt;
  assert.ok(scans >= 5, `scans until the refresh: ${scans}`);
  assert.ok((c.CAENHV_GetChName ?? 0) >= 1 && (c.CAENHV_GetChName ?? 0) <= 2, `GetChName: ${c.CAENHV_GetChName}`);
  assert.equal(c.CAENHV_GetChParamProp ?? 0, 0);
});

test('without a refresh due, channel names are not read again (the default interval is 10 minutes)', async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  const r = startPoller(t, sim, [setupOn(2)]);
  await r.until(() => r.scans.length >= 2, 'the first scans');
  await sim.control.resetCounters();
  await sim.control.setChannel(2, 0, 'name', 'RENAMED0');
  const from = r.scans.length;
  await r.until(() => r.scans.length >= from + 10, 'ten scans');
  const c = (await sim.control.counters()).calls;
  assert.equal(c.CAENHV_GetChName ?? 0, 0);
  assert.equal(nameTag(r.scans, '00'), 'DRIFT0');
});
