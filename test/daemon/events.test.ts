// End to end in event mode (MAINFRAME.EVENTS): the daemon (real CLI child process) subscribes a simulated
// SY4527, the crate pushes changes, points reach VictoriaMetrics. HoldOffTime is far longer than the test
// waits, so a change seen in time came through an event (or a reconcile poll, which the test names).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startVictoria, type VictoriaServer } from '../helpers/victoria.js';
import { mainframeYaml, settingsYaml, startDaemon, tempDir, writeConfig } from './run-daemon.js';

let sim: SimHandle;
let vm: VictoriaServer;
before(async () => {
  [sim, vm] = await Promise.all([startSim(), startVictoria()]);
  await sim.control.eventFaults({ eventKeepaliveMs: 300 });
});
after(async () => {
  await Promise.all([sim?.stop(), vm?.dispose()]);
});

function config(dir: string, reconcileS: number): string {
  const sink = ['  influxDB:', `    URL: ${vm.url}`, '    TOKEN: "tok"', '    ORG: "gem"', '    DB_BUCKET: "events"'].join('\n');
  return [
    settingsYaml(dir),
    'EvBoard:',
    '  Monitorables: [V0Set, I0Set, Pw, Status]',
    '  HoldOffTime: 600',
    '  HeartbeatSeconds: 600',
    '  isGEMDetector: false',
    mainframeYaml({ address: sim.address, library: sim.libraryPath }),
    '    EVENTS: true',
    '    EVENTS_LISTEN: "127.0.0.1"',
    '    EVENTS_KEEPALIVE_LIMIT_SECONDS: 2',
    `    EVENTS_RECONCILE_SECONDS: ${reconcileS}`,
    '    EVENTS_RETRY_SECONDS: 1',
    '  BOARD:',
    '    SLOT: 2',
    '    CHANNELS: [0, 1]',
    sink,
  ].join('\n');
}

async function valueSeen(field: string, channel: string, value: number): Promise<void> {
  await vm.exportSeries(`{__name__="CAEN_Board_Monitor_${field}", channel="${channel}"}`, (s) => s[0]?.values.includes(value) ?? false, 15_000);
}

test('event mode: changes by another client and a trip reach the database through events; health shows the mode', async (t) => {
  const dir = tempDir(t);
  const d = startDaemon(['-c', writeConfig(dir, config(dir, 600)), 'start', 'EvBoard']);
  t.after(() => d.stop('SIGKILL'));
  await d.untilHealth('event mode on', (h) => h.crates[0]?.mode === 'events');
  const callsBefore = (await sim.control.counters()).calls.CAENHV_GetChParam ?? 0;

  await sim.control.setChannel(2, 1, 'V0Set', 777);
  await valueSeen('V0Set', '01', 777);
  await sim.control.trip(2, 0);
  await valueSeen('Status_INTTRIP', '00', 1);
  await valueSeen('Pw', '00', 0);
  assert.equal((await sim.control.counters()).calls.CAENHV_GetChParam ?? 0, callsBefore, 'no poll: the changes came as events');
  // the worker reports its figures at most once a second
  const h = await d.untilHealth('three events counted', (x) => (x.crates[0]?.events?.events ?? 0) >= 3);
  assert.equal(h.crates[0].mode, 'events');
  assert.ok((h.crates[0].events?.events ?? 0) >= 3, JSON.stringify(h.crates[0]));

  assert.equal(await d.stop('SIGTERM'), 0, 'SIGTERM in event mode exits 0');
  assert.equal((await sim.control.counters()).openSessions, 0, 'no session left');
});

test('event mode: a lost event is caught by the reconcile poll (counted), a dropped connection and silent keepalives fall back to polling and events come back', async (t) => {
  await sim.control.setChannel(2, 0, 'Pw', 'On');
  const dir = tempDir(t);
  const d = startDaemon(['-c', writeConfig(dir, config(dir, 2)), 'start', 'EvBoard']);
  t.after(async () => {
    await sim.control.eventFaults({ loseEvents: 0, eventKeepalives: true });
    await d.stop('SIGKILL');
  });
  await d.untilHealth('event mode on', (h) => h.crates[0]?.mode === 'events');

  // a lost event: the database is right after the next reconcile, which counts the difference
  await sim.control.eventFaults({ loseEvents: 1 });
  await sim.control.setChannel(2, 1, 'V0Set', 555);
  await valueSeen('V0Set', '01', 555);
  await d.untilHealth('the reconcile poll counted the lost event', (h) => (h.crates[0]?.events?.differences ?? 0) >= 1);
  await d.waitFor(/reconcile poll: 1 value differed from the events/); // and says so

  // the event connection dropped: polling at once, loudly; events again after EVENTS_RETRY_SECONDS
  await sim.control.dropEventConnections();
  await d.untilHealth('a fallback to polling', (h) => (h.crates[0]?.events?.fallbacks ?? 0) >= 1);
  await d.waitFor(/event mode off .*the event connection closed/); // loudly, with the reason
  await sim.control.setChannel(2, 1, 'V0Set', 444);
  await valueSeen('V0Set', '01', 444);
  // the fallback's report set the mode to polling: events again means they were tried again and work
  await d.untilHealth('events tried again', (h) => h.crates[0]?.mode === 'events' && (h.crates[0].events?.fallbacks ?? 0) >= 1);

  // keepalives stop: the silence limit makes the worker poll
  await sim.control.eventFaults({ eventKeepalives: false });
  await d.untilHealth('a second fallback', (h) => (h.crates[0]?.events?.fallbacks ?? 0) >= 2);
  await d.waitFor(/event mode off .*no event and no keepalive/);
  assert.equal(await d.stop('SIGTERM'), 0);
  assert.equal((await sim.control.counters()).openSessions, 0);
});
