// Alarms end to end: a channel tripped in the simulator gives exactly one alarm line, health not OK
// naming the channel (gemcaen health exits 1), one gemcaen_event point in InfluxDB 1.6 (as Grafana
// reads annotations) and exactly one webhook delivery; its clearing likewise. Twenty channels
// tripping at once give one grouped notification. A failing webhook is retried: one delivery. A
// crate that goes off and comes back is one alarm and one clearing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigFile, resolveSetups } from '../../src/config/load.js';
import type { AlarmEvent } from '../../src/events/types.js';
import { Daemon } from '../../src/supervisor/daemon.js';
import { captureLogger } from '../helpers/capture-log.js';
import { runCli } from '../helpers/cli.js';
import { startInfluxDB, type InfluxDBServer, type Row } from '../helpers/influxdb.js';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { waitUntil } from '../helpers/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { mainframeYaml, settingsYaml, tempDir, writeConfig } from '../daemon/run-daemon.js';

let influx: InfluxDBServer;
before(async () => {
  influx = await startInfluxDB();
});
after(() => influx.stop());

async function rows(db: string, q: string, ok: (r: Row[]) => boolean, what: string): Promise<Row[]> {
  let last: Row[] = [];
  await waitUntil(async () => ok((last = await influx.query(q, db))), 15_000, `${what}: ${q}`);
  return last;
}

interface Running {
  daemon: Daemon;
  lines: ReturnType<typeof captureLogger>['lines'];
  events: AlarmEvent[];
  healthUrl: string;
  scans(): number;
}

async function startDaemonWith(t: { after(fn: () => unknown): void }, sim: SimHandle, hook: WebhookReceiver, db: string, channels: number[], quickReconnect = false): Promise<Running> {
  await influx.createDatabase(db);
  const dir = tempDir(t);
  const file = writeConfig(
    dir,
    [
      settingsYaml(dir, ['  Alarms:', '    GroupSeconds: 0.5', '    Webhooks:', `      - URL: "${hook.url}"`, '        Format: slack']),
      'Drift:',
      '  Monitorables: [VMon, IMon, Status]',
      '  HoldOffTime: 0.2',
      '  isGEMDetector: false',
      mainframeYaml({ address: sim.address, library: sim.libraryPath }),
      '  BOARD:',
      '    SLOT: 2',
      `    CHANNELS: [${channels.join(', ')}]`,
      '  influxDB:',
      '    VERSION: 1',
      `    URL: ${influx.url}`,
      `    DATABASE: ${db}`,
    ].join('\n'),
  );
  const config = loadConfigFile(file);
  const { log, lines } = captureLogger();
  const workers = quickReconnect ? { pollerOptions: { backoff: { initialMs: 200, maxMs: 400 } } } : undefined;
  const daemon = new Daemon({ config, setups: resolveSetups(config, ['Drift']), log, webhooks: { retryMs: 100 }, onFatal: () => {}, ...(workers ? { workers } : {}) });
  t.after(() => daemon.stop('test end').catch(() => {}));
  const events: AlarmEvent[] = [];
  daemon.events.on('alarm', (e) => events.push(e));
  await daemon.start();
  const scans = () => daemon.state.setups.get('Drift')!.scans;
  await waitUntil(() => scans() >= 2, 15_000, 'two scans');
  assert.equal(daemon.state.report().ok, true, JSON.stringify(daemon.state.report().problems));
  return { daemon, lines, events, healthUrl: `http://${daemon.healthAddress}/health`, scans };
}

/** warn/error lines of the alarm component (the raised ones) and its info lines (the cleared ones) */
function alarmLines(r: Running, level: string): string[] {
  return r.lines.filter((l) => l.label === 'alarm' && l.level === level).map((l) => l.message);
}

test('a trip: one alarm line, health names the channel, one event point, one webhook; the clearing likewise', async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  const hook = await startWebhookReceiver();
  t.after(() => hook.close());
  const r = await startDaemonWith(t, sim, hook, 'alarms1', [0, 1, 2, 3]);

  await sim.control.trip(2, 1);
  await waitUntil(() => r.daemon.state.alarms.size === 1, 10_000, 'the alarm is active');
  const alarm = [...r.daemon.state.alarms.values()][0]!;
  assert.equal(alarm.name, 'DRIFT1');
  assert.deepEqual(alarm.bits, ['INTTRIP']);
  assert.equal(alarm.severity, 'error');

  let cli = await runCli(['health', '--url', r.healthUrl]);
  assert.equal(cli.code, 1, cli.stderr);
  assert.match(cli.stderr, /DRIFT1/);
  assert.match(cli.stdout, /ALARM.*DRIFT1.*INTTRIP/);

  await waitUntil(() => hook.delivered().length >= 1, 10_000, 'the webhook got the alarm');
  const raisedRows = await rows('alarms1', `SELECT * FROM "gemcaen_event" WHERE "kind" = 'alarm'`, (x) => x.length >= 1, 'the alarm point');
  assert.equal(raisedRows[0]!.ChannelName, 'DRIFT1');
  assert.equal(raisedRows[0]!.channel, '01');
  assert.equal(raisedRows[0]!.slot, '2');
  assert.equal(raisedRows[0]!.setup, 'Drift');
  assert.equal(raisedRows[0]!.bits, 'INTTRIP');
  assert.match(String(raisedRows[0]!.text), /DRIFT1.*INTTRIP/);

  // cleared at the crate (an operator switches the channel on again: INTTRIP goes)
  await sim.control.setChannel(2, 1, 'Pw', 1);
  await waitUntil(() => r.daemon.state.alarms.size === 0, 10_000, 'the alarm cleared');
  cli = await runCli(['health', '--url', r.healthUrl]);
  assert.equal(cli.code, 0, cli.stderr);
  await waitUntil(() => hook.delivered().length >= 2, 10_000, 'the webhook got the clearing');
  await rows('alarms1', `SELECT * FROM "gemcaen_event" WHERE "kind" = 'alarm_clear'`, (x) => x.length >= 1, 'the clear point');

  // several scans later: still exactly one of each
  const s0 = r.scans();
  await waitUntil(() => r.scans() >= s0 + 5, 10_000, 'five more scans');
  await r.daemon.stop('test end');
  assert.equal(hook.requests.length, 2, JSON.stringify(hook.requests));
  assert.match(String(hook.delivered()[0]!.text), /ALARM: channel DRIFT1 .*INTTRIP/);
  assert.match(String(hook.delivered()[1]!.text), /cleared: channel DRIFT1 .*was INTTRIP/);
  assert.deepEqual(Object.keys(hook.delivered()[0]!), ['text'], 'slack format: {text}');
  assert.deepEqual(r.events.map((e) => e.action), ['raised', 'cleared']);
  assert.equal(alarmLines(r, 'error').length, 1, JSON.stringify(alarmLines(r, 'error')));
  assert.equal(alarmLines(r, 'warn').length, 0);
  assert.equal(alarmLines(r, 'info').length, 1);
  const all = await influx.query(`SELECT * FROM "gemcaen_event"`, 'alarms1');
  assert.deepEqual(all.map((x) => x.kind), ['alarm', 'alarm_clear']);
});

test('twenty channels tripping at once give one grouped notification; a 503 is retried once', async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  const hook = await startWebhookReceiver([503]);
  t.after(() => hook.close());
  const channels = Array.from({ length: 20 }, (_, i) => i);
  const r = await startDaemonWith(t, sim, hook, 'alarms20', channels);

  await Promise.all(channels.map((c) => sim.control.trip(2, c)));
  await waitUntil(() => r.daemon.state.alarms.size === 20, 10_000, 'twenty alarms');
  await waitUntil(() => hook.delivered().length >= 1, 10_000, 'the grouped notification delivered');
  const s0 = r.scans();
  await waitUntil(() => r.scans() >= s0 + 5, 10_000, 'five more scans');
  await r.daemon.stop('test end');
  assert.deepEqual(hook.requests.map((q) => q.status), [503, 200], 'one failure, retried, then one delivery');
  const text = String(hook.delivered()[0]!.text);
  assert.match(text, /20 alarm transitions on .*: 20 raised/);
  for (const c of [0, 9, 19]) assert.match(text, new RegExp(`ch ${String(c).padStart(2, '0')} `));
  assert.equal(alarmLines(r, 'error').length, 20, 'one line per channel');
  const points = await rows('alarms20', `SELECT count("text") FROM "gemcaen_event" WHERE "kind" = 'alarm'`, (x) => x.length === 1 && x[0]!.count === 20, 'twenty alarm points');
  assert.equal(points[0]!.count, 20);
});

test('a crate lost and back: one alarm, one clearing, each one point and one notification', async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  const hook = await startWebhookReceiver();
  t.after(() => hook.close());
  const r = await startDaemonWith(t, sim, hook, 'alarmsCrate', [0], true);
  const crateState = () => [...r.daemon.state.crates.values()][0]!.state;

  await sim.control.crateOff();
  t.after(() => sim.control.crateOn().catch(() => undefined));
  await waitUntil(() => r.daemon.state.alarms.size === 1, 15_000, 'the crate alarm');
  const alarm = [...r.daemon.state.alarms.values()][0]!;
  assert.equal(alarm.source, 'crate');
  assert.match(alarm.text, /lost/);
  await waitUntil(() => hook.delivered().length >= 1, 10_000, 'the notification of the loss');
  await sim.control.crateOn();
  await waitUntil(() => crateState() === 'connected' && r.daemon.state.alarms.size === 0, 15_000, 'connected again, alarm cleared');
  await waitUntil(() => hook.delivered().length >= 2, 10_000, 'two notifications');
  await rows('alarmsCrate', `SELECT * FROM "gemcaen_event"`, (x) => x.length >= 2, 'two event points');
  const s0 = r.scans();
  await waitUntil(() => r.scans() >= s0 + 3, 10_000, 'three more scans');
  await r.daemon.stop('test end');
  assert.deepEqual(r.events.map((e) => [e.source, e.action]), [['crate', 'raised'], ['crate', 'cleared']]);
  assert.equal(hook.requests.length, 2);
  assert.match(String(hook.delivered()[0]!.text), /crate .* lost/);
  const all = await influx.query(`SELECT * FROM "gemcaen_event"`, 'alarmsCrate');
  assert.deepEqual(all.map((x) => x.kind), ['alarm', 'alarm_clear']);
  assert.equal(all[0]!.mainframe, sim.address.toLowerCase());
});
