// GET /metrics scraped by a real VictoriaMetrics (-promscrape.config): the channels' values and
// status bits with their labels, crate and sink health; on the health listener by default, on a
// listener of its own with gemcaen.MetricsListen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile, resolveSetups } from '../../src/config/load.js';
import { Daemon } from '../../src/supervisor/daemon.js';
import { captureLogger } from '../helpers/capture-log.js';
import { writeConfig } from '../helpers/cli.js';
import { freePort } from '../helpers/server-process.js';
import { startSim } from '../helpers/sim.js';
import { startVictoria } from '../helpers/victoria.js';
import { waitUntil } from '../helpers/wait.js';
import { settingsYaml, tempDir } from '../daemon/run-daemon.js';

test('/metrics scraped by VictoriaMetrics shows every channel value and status bit, crate and sink health', async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  const dir = tempDir(t);
  const metricsPort = await freePort();
  const file = writeConfig(
    dir,
    sim,
    { Drift: { slot: 2, channels: [0, 1, 2, 3], holdOffSeconds: 0.2, monitorables: ['VMon', 'IMon', 'V0Set', 'Status', 'Temp'] } },
    { head: settingsYaml(dir, [`  MetricsListen: "127.0.0.1:${metricsPort}"`]) },
  );
  const config = loadConfigFile(file);
  const daemon = new Daemon({ config, setups: resolveSetups(config, ['Drift']), log: captureLogger().log, onFatal: () => {} });
  t.after(() => daemon.stop('test end').catch(() => {}));
  await daemon.start();
  await waitUntil(() => (daemon.state.setups.get('Drift')?.scans ?? 0) >= 2, 15_000, 'two scans');

  // without MetricsListen, /metrics is on the health listener: not here (it has its own)
  assert.equal((await fetch(`http://${daemon.healthAddress}/metrics`)).status, 404);
  const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);

  const scrape = join(dir, 'scrape.yml');
  writeFileSync(scrape, ['scrape_configs:', '  - job_name: gemcaen', '    scrape_interval: 1s', '    static_configs:', `      - targets: ["127.0.0.1:${metricsPort}"]`].join('\n') + '\n');
  const vm = await startVictoria([`-promscrape.config=${scrape}`]);
  t.after(() => vm.stop());

  const vmon = await vm.exportSeries('{__name__="gemcaen_channel_VMon"}', (s) => s.length === 4, 20_000);
  assert.equal(vmon.length, 4, JSON.stringify(vmon.map((s) => s.metric)));
  const ch3 = vmon.find((s) => s.metric.channel === '03')!;
  assert.ok(ch3, 'channel 03 is scraped');
  assert.equal(ch3.metric.name, 'DRIFT3');
  assert.equal(ch3.metric.setup, 'Drift');
  assert.equal(ch3.metric.slot, '2');
  assert.equal(ch3.metric.mainframe, sim.address.toLowerCase());
  assert.equal(ch3.metric.job, 'gemcaen');
  // DRIFT3 is on at 3000 V (docs/simulator.md): the scraped value is the crate's
  assert.ok(Math.abs(ch3.values.at(-1)! - 3000) < 5, `VMon ${ch3.values.at(-1)}`);
  const v0 = await vm.exportSeries('{__name__="gemcaen_channel_V0Set",channel="01"}');
  assert.equal(v0[0]!.values.at(-1), 2000);
  const on = await vm.exportSeries('{__name__="gemcaen_channel_status_bit",bit="ON"}', (s) => s.length === 4);
  assert.deepEqual(on.map((s) => s.values.at(-1)), [1, 1, 1, 1]);
  const trip = await vm.exportSeries('{__name__="gemcaen_channel_status_bit",bit="INTTRIP"}', (s) => s.length === 4);
  assert.deepEqual(trip.map((s) => s.values.at(-1)), [0, 0, 0, 0]);
  const temp = await vm.exportSeries('{__name__="gemcaen_board_Temp"}');
  assert.equal(temp[0]!.metric.slot, '2');
  const crate = await vm.exportSeries('{__name__="gemcaen_crate_connected"}');
  assert.equal(crate[0]!.values.at(-1), 1);
  assert.equal(crate[0]!.metric.state, 'connected');
  const sink = await vm.exportSeries('{__name__="gemcaen_sink_failing"}');
  assert.equal(sink[0]!.values.at(-1), 0);
  await vm.exportSeries('{__name__="gemcaen_sink_spool_bytes"}');
  await daemon.stop('test end');
});

test('/metrics is served on the health listener when MetricsListen is not set', async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  const dir = tempDir(t);
  const file = writeConfig(dir, sim, { Drift: { slot: 2, channels: [0], holdOffSeconds: 0.2, monitorables: ['VMon', 'Status'] } }, { head: settingsYaml(dir) });
  const config = loadConfigFile(file);
  const daemon = new Daemon({ config, setups: resolveSetups(config, ['Drift']), log: captureLogger().log, onFatal: () => {} });
  t.after(() => daemon.stop('test end').catch(() => {}));
  await daemon.start();
  await waitUntil(() => (daemon.state.setups.get('Drift')?.scans ?? 0) >= 1, 15_000, 'a scan');
  const body = await (await fetch(`http://${daemon.healthAddress}/metrics`)).text();
  const vmon = /^gemcaen_channel_VMon\{mainframe="[^"]+",setup="Drift",slot="2",channel="00",name="DRIFT0"\} (\S+)$/m.exec(body);
  assert.ok(vmon, body);
  assert.ok(Math.abs(Number(vmon[1]) - 1500) < 5, `VMon ${vmon[1]}`);
  assert.match(body, /^gemcaen_channel_status_bit\{.*channel="00".*bit="ON"\} 1$/m);
  await daemon.stop('test end');
});
