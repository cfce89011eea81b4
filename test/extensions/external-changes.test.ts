// A set point changed by a second client of the crate (its own CAEN session) appears once: one
// warn line, one `setpoint` event with external: true and who "external", one gemcaen_event point
// kind external_change in the database. Our own sets are not reported: one applied through the
// daemon's control path, and one whose own `setpoint` event arrives after the scan that shows it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { loadConfigFile, resolveSetups } from '../../src/config/load.js';
import type { SetpointEvent } from '../../src/events/types.js';
import { Daemon } from '../../src/supervisor/daemon.js';
import { captureLogger } from '../helpers/capture-log.js';
import { startInfluxDB, type InfluxDBServer, type Row } from '../helpers/influxdb.js';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { waitUntil } from '../helpers/wait.js';
import { mainframeYaml, settingsYaml, tempDir, writeConfig } from '../daemon/run-daemon.js';

let influx: InfluxDBServer;
let sim: SimHandle;
before(async () => {
  [influx, sim] = await Promise.all([startInfluxDB(), startSim()]);
});
after(() => Promise.all([influx.stop(), sim.stop()]));

const OTHER_CLIENT = new URL('./fixtures/other-client.js', import.meta.url).pathname;

/** V0Set written by another process with its own CAEN session, as GECO or a lab DCS would */
function setByOtherClient(channel: number, volts: number): void {
  execFileSync(process.execPath, [OTHER_CLIENT, sim.libraryPath, sim.address, '2', String(channel), 'V0Set', String(volts)], { stdio: 'pipe', timeout: 15_000 });
}

test('a V0Set changed by a second client is reported once (log, event, database point); our own sets are not', async (t) => {
  await influx.createDatabase('ext');
  const dir = tempDir(t);
  const file = writeConfig(
    dir,
    [
      settingsYaml(dir),
      'Drift:',
      '  Monitorables: [VMon, V0Set, Status]',
      '  HoldOffTime: 0.2',
      '  isGEMDetector: false',
      mainframeYaml({ address: sim.address, library: sim.libraryPath }),
      '  BOARD:',
      '    SLOT: 2',
      '    CHANNELS: [0, 1, 2]',
      '  influxDB:',
      '    VERSION: 1',
      `    URL: ${influx.url}`,
      '    DATABASE: ext',
    ].join('\n'),
  );
  const config = loadConfigFile(file);
  const { log, lines } = captureLogger();
  const daemon = new Daemon({ config, setups: resolveSetups(config, ['Drift']), log, externalChanges: { holdMs: 300 }, onFatal: () => {} });
  t.after(() => daemon.stop('test end').catch(() => {}));
  const external: SetpointEvent[] = [];
  daemon.events.on('setpoint', (e) => {
    if (e.external) external.push(e);
  });
  await daemon.start();
  const scans = () => daemon.state.setups.get('Drift')!.scans;
  const v0set = (ch: number) => daemon.state.latest.get(`Drift/${ch}`)?.values.V0Set;
  await waitUntil(() => scans() >= 2, 15_000, 'two scans');
  const mainframe = daemon.state.setups.get('Drift')!.mainframe;

  setByOtherClient(1, 2100);
  await waitUntil(() => external.length >= 1, 10_000, 'the external change');
  const e = external[0]!;
  assert.equal(e.param, 'V0Set');
  assert.equal(e.channel, 1);
  assert.equal(e.slot, 2);
  assert.equal(e.name, 'DRIFT1');
  assert.equal(e.before, 2000);
  assert.equal(e.after, 2100);
  assert.equal(e.who, 'external');
  assert.equal(e.external, true);
  const rows = async (): Promise<Row[]> => influx.query(`SELECT * FROM "gemcaen_event" WHERE "kind" = 'external_change'`, 'ext');
  await waitUntil(async () => (await rows()).length >= 1, 15_000, 'the external_change point');
  const p = (await rows())[0]!;
  assert.equal(p.param, 'V0Set');
  assert.equal(p.before, 2000);
  assert.equal(p.after, 2100);
  assert.equal(p.user, 'external');
  assert.equal(p.ChannelName, 'DRIFT1');
  assert.equal(p.channel, '01');

  // our own sets: through the daemon's control path (channel 0), and a set whose own event arrives
  // only after the scan that shows it (channel 2)
  const who = { who: 'tester', from: 'test' };
  const preview = await daemon.control.preview({ kind: 'set', setup: 'Drift', channels: [0], param: 'V0Set', value: '1600' }, who);
  assert.equal(preview.result.code, 'OK', preview.result.message);
  const applied = await daemon.control.apply(preview.token!, who);
  assert.equal(applied.code, 'OK', applied.message);
  const own = (channel: number, before: number, after: number): void =>
    daemon.events.emit('setpoint', { timeMs: Date.now(), who: 'tester', from: 'test', mainframe, setup: 'Drift', slot: 2, channel, param: 'V0Set', before, after, code: 'OK', external: false });
  setByOtherClient(2, 2600);
  await waitUntil(() => v0set(2) === 2600 && v0set(0) === 1600, 10_000, 'the scans show both values');
  own(2, 2500, 2600);

  // well past the hold time (300 ms = 1.5 scans): nothing more was reported
  const s0 = scans();
  await waitUntil(() => scans() >= s0 + 6, 10_000, 'six more scans');
  await daemon.stop('test end');
  assert.equal(external.length, 1, JSON.stringify(external));
  assert.equal(lines.filter((l) => l.label === 'external').length, 1, JSON.stringify(lines.filter((l) => l.label === 'external')));
  assert.equal((await rows()).length, 1);
});
