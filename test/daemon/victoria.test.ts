// End to end: the daemon (real CLI child process) logs a simulated crate into VictoriaMetrics through
// the InfluxDB v2 sink. Exact tags, typed fields and read timestamps; a value changed in the
// simulator appears; an unchanged value only at the heartbeat; SIGTERM exits 0 with no session left.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startVictoria, type ExportedSeries, type VictoriaServer } from '../helpers/victoria.js';
import { mainframeYaml, settingsYaml, startDaemon, tempDir, writeConfig } from './run-daemon.js';

let sim: SimHandle;
let vm: VictoriaServer;
before(async () => {
  [sim, vm] = await Promise.all([startSim(), startVictoria()]);
});
after(async () => {
  await Promise.all([sim?.stop(), vm?.dispose()]);
});

const HEARTBEAT_S = 3;

function config(dir: string): string {
  const sink = ['  influxDB:', `    URL: ${vm.url}`, '    TOKEN: "tok-e2e-secret"', '    ORG: "CMS GEM project"', '    DB_BUCKET: "GEM 904 cosmic ME0 stand"'].join('\n');
  const mf = mainframeYaml({ address: sim.address, library: sim.libraryPath });
  return [
    settingsYaml(dir),
    'VMBoard:',
    '  Monitorables: [VMon, IMon, V0Set, I0Set, Pw, Status]',
    '  HoldOffTime: 1',
    `  HeartbeatSeconds: ${HEARTBEAT_S}`,
    '  isGEMDetector: false',
    mf,
    '  BOARD:',
    '    SLOT: 2',
    '    CHANNELS: [0, 1]',
    sink,
    'VMGEM:',
    '  Monitorables: [VMon, Ieq, Status]',
    '  HoldOffTime: 1',
    '  isGEMDetector: true',
    mf,
    '  BOARD:',
    '    SLOT: 0',
    '    LAYER: 2',
    sink,
  ].join('\n');
}

function one(series: ExportedSeries[], labels: Record<string, string>): ExportedSeries {
  const hit = series.filter((s) => Object.entries(labels).every(([k, v]) => s.metric[k] === v));
  assert.equal(hit.length, 1, `one series for ${JSON.stringify(labels)}, got ${hit.length}`);
  return hit[0];
}

test('daemon → VictoriaMetrics (v2 sink): schema, changes, heartbeat, clean stop', async (t) => {
  const dir = tempDir(t);
  const file = writeConfig(dir, config(dir));
  const ch0 = await sim.control.getChannel(2, 0);
  const startedMs = Date.now();
  const d = startDaemon(['-c', file, 'start', 'VMBoard', 'VMGEM']);
  t.after(() => d.stop('SIGKILL'));
  await d.untilHealth('the crate connected', (h) => h.crates[0]?.state === 'connected');

  // first scans: exact labels of a plain channel
  const v0 = await vm.exportSeries('{__name__="CAEN_Board_Monitor_V0Set"}', (s) => s.length === 2);
  const s0 = one(v0, { channel: '00' });
  assert.deepEqual(s0.metric, {
    __name__: 'CAEN_Board_Monitor_V0Set', ChannelName: ch0.name, setup: 'VMBoard', mainframe: sim.address.toLowerCase(), slot: '2', channel: '00', board: 'A1535',
  });
  assert.equal(s0.values[0], ch0.params.V0Set);
  assert.ok(s0.timestamps[0] >= startedMs && s0.timestamps[0] <= Date.now(), 'the timestamp is the time of the read');

  // GEM layer 2: electrode aliases, layer tag, Ieq, status bits
  const gem = await vm.exportSeries('{__name__="HV_Ieq"}', (s) => s.length === 7);
  const drift = one(gem, { channel: '13' });
  assert.equal(drift.metric.ChannelName, 'Drift');
  assert.equal(drift.metric.layer, '2');
  assert.equal(drift.metric.board, 'A1515TG');
  const bits = await vm.exportSeries('{__name__=~"HV_Status_.*", channel="07"}', (s) => s.length === 16);
  assert.equal(bits.length, 16);
  const board = await vm.exportSeries('{__name__="CAEN_Board_Temp", setup="VMBoard"}');
  assert.deepEqual(Object.keys(board[0].metric).sort(), ['__name__', 'board', 'mainframe', 'setup', 'slot']);

  // a value changed at the crate appears
  await sim.control.setChannel(2, 1, 'V0Set', 777);
  const changed = await vm.exportSeries('{__name__="CAEN_Board_Monitor_V0Set", channel="01"}', (s) => s[0]?.values.includes(777) ?? false);
  assert.ok(changed[0].values.includes(777));

  // an unchanged value (I0Set) is written only at the heartbeat
  await sleep(HEARTBEAT_S * 1000 * 2 + 1500);
  const i0 = one(await vm.exportSeries('{__name__="CAEN_Board_Monitor_I0Set", channel="00"}'), { channel: '00' });
  assert.ok(new Set(i0.values).size === 1, 'I0Set did not change');
  assert.ok(i0.timestamps.length >= 2, `at least two heartbeats, got ${i0.timestamps.length}`);
  for (let i = 1; i < i0.timestamps.length; i++) {
    const gap = i0.timestamps[i] - i0.timestamps[i - 1];
    assert.ok(gap >= HEARTBEAT_S * 1000 - 100 && gap <= HEARTBEAT_S * 1000 + 1200, `heartbeat gap ${gap} ms`);
  }
  const scans = (Date.now() - i0.timestamps[0]) / 1000;
  assert.ok(i0.timestamps.length < scans / 2, `I0Set written ${i0.timestamps.length} times in ${scans.toFixed(1)} s of 1 s scans`);

  // health: connected, calls per scan = one GetChParam per parameter + Temp + BdStatus
  const health = (await (await fetch(await d.healthUrl())).json()) as {
    ok: boolean;
    setups: { name: string; callsPerScan: number }[];
    sinks: { state: string; written?: number; target: string }[];
  };
  assert.equal(health.ok, true);
  assert.equal(health.sinks.length, 1);
  assert.equal(health.sinks[0].state, 'ok');
  assert.ok((health.sinks[0].written ?? 0) > 0, 'the writer reports lines written');
  assert.ok(!health.sinks[0].target.includes('tok-e2e-secret'));
  assert.equal(health.setups.find((s) => s.name === 'VMBoard')?.callsPerScan, 6 + 2);
  assert.equal(health.setups.find((s) => s.name === 'VMGEM')?.callsPerScan, 2 + 2);

  assert.equal(await d.stop('SIGTERM'), 0);
  const counters = await sim.control.counters();
  assert.equal(counters.openSessions, 0);
  assert.ok(!d.lines.join('\n').includes('tok-e2e-secret'));
});
