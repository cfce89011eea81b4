// Every query of the shipped Grafana files, run on a real InfluxDB 1.6 that the daemon filled from the
// simulated crate: three setups logging (two layers of one A1515 and four A1535 channels), one not
// started, a trip (sim control API), a set point made with `gemcaen set` during the run, a channel
// near its current limit, a hot board, a crate outage, a database outage, and points of the Python
// gemcaen (ChannelName only). Variables and macros are substituted as Grafana does (./emulate.ts);
// each panel, annotation, variable and alert rule is checked for the series and values it must show.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startInfluxDB, type InfluxDBServer } from '../helpers/influxdb.js';
import { runCli } from '../helpers/cli.js';
import { mainframeYaml, settingsYaml, startDaemon, tempDir, writeConfig } from '../daemon/run-daemon.js';
import type { AlertRuleGroup, Dashboard } from '../../src/grafana/model.js';
import { PATHS } from '../../src/grafana/provisioning.js';
import { dashboardQuery, evaluateRule, frames, influxQuery, lastNumber, variableOptions, type Frame, type Range, type Selection, type Series } from './emulate.js';

const DB = 'gem';
const ELECTRODES = ['Drift', 'G1Bot', 'G1Top', 'G2Bot', 'G2Top', 'G3Bot', 'G3Top'];

let sim: SimHandle;
let influx: InfluxDBServer;
before(async () => {
  [sim, influx] = await Promise.all([startSim(), startInfluxDB()]);
  await influx.createDatabase(DB);
});
after(async () => {
  await Promise.all([sim?.stop(), influx?.dispose()]);
});

const run = (q: string): Promise<Series[]> => influxQuery(influx.url, DB, q);

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(200);
  }
}

async function rows(q: string): Promise<Array<Record<string, unknown>>> {
  return influx.query(q, DB);
}

async function write(lines: string[]): Promise<void> {
  const r = await fetch(`${influx.url}/write?db=${DB}&precision=ms`, { method: 'POST', body: lines.join('\n') });
  assert.equal(r.status, 204, await r.text());
}

function setupBlock(name: string, monitorables: string, board: string[], extra: string[] = []): string {
  return [
    `${name}:`,
    `  Monitorables: [${monitorables}]`,
    '  HoldOffTime: 1',
    '  HeartbeatSeconds: 30',
    `  isGEMDetector: ${board.some((l) => l.includes('LAYER'))}`,
    mainframeYaml({ address: sim.address, library: sim.libraryPath }),
    '  BOARD:',
    ...board,
    ...extra,
    '  influxDB:',
    '    VERSION: 1',
    `    URL: ${influx.url}`,
    `    DATABASE: ${DB}`,
  ].join('\n');
}

const key = (f: Frame) => `${f.tags.setup ?? ''}/${f.tags.ChannelName ?? ''}`;
const one = (fs: Frame[], pred: (f: Frame) => boolean, what: string): Frame => {
  const hits = fs.filter(pred);
  assert.equal(hits.length, 1, `${what}: ${hits.length} frames (${fs.map((f) => `${key(f)} ${f.field}`).join(', ')})`);
  return hits[0]!;
};
const values = (f: Frame) => f.points.map((p) => p[1]);
const near = (v: number | undefined, want: number, tol: number, what: string) => assert.ok(v !== undefined && Math.abs(v - want) <= tol, `${what}: ${v} is not ${want} ± ${tol}`);

test('every panel, variable, annotation and alert rule of the Grafana files returns what it must on InfluxDB 1.6 fed by the daemon', { timeout: 180_000 }, async (t) => {
  const dir = tempDir(t, 'gemcaen-grafana-');
  const gem = 'VMon, IMon, V0Set, I0Set, Pw, Status, Ieq';
  const file = writeConfig(
    dir,
    [
      settingsYaml(dir),
      setupBlock('GEM1', gem, ['    SLOT: 0', '    LAYER: 1']),
      setupBlock('GEM2', gem, ['    SLOT: 0', '    LAYER: 2']),
      setupBlock('Drift', 'VMon, IMon, V0Set, I0Set, Pw, Status, Temp', ['    SLOT: 2', '    CHANNELS: [0, 1, 2, 3]']),
      setupBlock('Idle', 'VMon', ['    SLOT: 5', '    CHANNELS: [18]']),
    ].join('\n'),
  );
  const out = join(dir, 'grafana');
  const gen = await runCli(['-c', file, 'grafana', '--out', out]);
  assert.equal(gen.code, 0, gen.stderr);

  const startMs = Date.now();
  const d = startDaemon(['-c', file, 'start', 'GEM1', 'GEM2', 'Drift']);
  t.after(() => d.stop('SIGKILL'));
  const mf = sim.address.toLowerCase();

  await until('14 GEM and 4 board channels in the database', async () => {
    const gemCh = await rows('SELECT last("VMon") FROM "HV" GROUP BY "setup", "ChannelName"');
    const drift = await rows(`SELECT last("VMon") FROM "CAEN_Board_Monitor" WHERE "setup" = 'Drift' GROUP BY "ChannelName"`);
    return gemCh.length === 14 && drift.length === 4 ? true : undefined;
  });
  // what the Python gemcaen wrote: ChannelName only, no setup/mainframe tags
  await write([`CAEN_Board_Monitor,ChannelName=OLD_LV VMon=119.5,IMon=59.8 ${Date.now() - 5000}`]);

  // the events of the run: a trip, a channel near its limit, a hot board, a set point made with gemcaen
  await sim.control.trip(2, 1);
  await sim.control.setChannel(2, 0, 'I0Set', 1.6);
  await sim.control.setBoardTemperature(2, 65);
  const set = await runCli(['-c', file, 'set', 'Drift', '--channel', '3', '--param', 'V0Set', '--value', '2800', '--yes']);
  assert.equal(set.code, 0, set.stderr);
  await until('trip, set point, I0Set and Temp in the database', async () => {
    const trip = await rows(`SELECT last("Status_INTTRIP") AS v FROM "CAEN_Board_Monitor" WHERE "ChannelName" = 'DRIFT1'`);
    const v0 = await rows(`SELECT last("VMon") AS v FROM "CAEN_Board_Monitor" WHERE "ChannelName" = 'DRIFT3'`);
    const i0 = await rows(`SELECT last("I0Set") AS v FROM "CAEN_Board_Monitor" WHERE "ChannelName" = 'DRIFT0'`);
    const temp = await rows(`SELECT last("Temp") AS v FROM "CAEN_Board" WHERE "slot" = '2'`);
    const ok = trip[0]?.v === 1 && Math.abs(Number(v0[0]?.v) - 2800) < 1 && i0[0]?.v === 1.6 && Number(temp[0]?.v) > 60;
    return ok ? true : undefined;
  });

  // a crate outage: gemcaen's own connection state must show it
  await until('gemcaen_crate connected', async () => ((await rows(`SELECT last("connected") AS v FROM "gemcaen_crate"`))[0]?.v === 1 ? true : undefined));
  await sim.control.crateDown();
  await until('gemcaen_crate disconnected during the outage', async () => ((await rows(`SELECT last("connected") AS v FROM "gemcaen_crate"`))[0]?.v === 0 ? true : undefined));
  await sim.control.crateUp();
  await until('gemcaen_crate connected again', async () => ((await rows(`SELECT last("connected") AS v FROM "gemcaen_crate"`))[0]?.v === 1 ? true : undefined));
  await until('scans again after the outage', async () => {
    const r = await rows(`SELECT last("VMon") AS v FROM "CAEN_Board_Monitor" WHERE "ChannelName" = 'DRIFT2' AND time > now() - 2s`);
    return r.length > 0 ? true : undefined;
  });

  // a database outage: the sink's failing state and its spool are kept in the spool and replayed
  const health = await d.healthUrl();
  await influx.stop();
  await until('the sink fails while the database is down', async () => {
    const r = (await (await fetch(health)).json()) as { sinks: Array<{ state: string; spoolBytes?: number }> };
    return r.sinks[0]?.state === 'failing' && (r.sinks[0]?.spoolBytes ?? 0) > 0 ? true : undefined;
  });
  await influx.start();
  await until('the outage replayed: gemcaen_sink failing 1, then 0 again', async () => {
    const r = await rows(`SELECT max("failing") AS worst, last("failing") AS now FROM "gemcaen_sink"`);
    return r[0]?.worst === 1 && r[0]?.now === 0 ? true : undefined;
  });

  // gemcaen_event, written by the daemon: the trip as an alarm (alarm extension), the set point made
  // through it by its audit (gemcaen set goes through the running daemon)
  const eventOf = async (kind: string, channelName: string) =>
    (await rows(`SELECT "text" FROM "gemcaen_event" WHERE "kind" = '${kind}' AND "ChannelName" = '${channelName}'`)).length > 0 ? true : undefined;
  await until('the set point of DRIFT3 in gemcaen_event', () => eventOf('setpoint', 'DRIFT3'), 10_000);
  await until('the trip of DRIFT1 in gemcaen_event', () => eventOf('alarm', 'DRIFT1'), 10_000);
  await sleep(1500); // one more batch of every setup and of the self points
  const range: Range = { fromMs: startMs - 60_000, toMs: Date.now(), intervalMs: 1000 };

  const dashboards = new Map<string, Dashboard>(
    readdirSync(join(out, 'dashboards')).map((f) => {
      const dash = JSON.parse(readFileSync(join(out, 'dashboards', f), 'utf8')) as Dashboard;
      return [dash.uid, dash];
    }),
  );
  const all: Selection = {};

  // ---- variables: the chain mainframe → setup → channel, and old data under All ----
  const overview = dashboards.get('gemcaen-overview')!;
  assert.deepEqual(await variableOptions(run, overview, 'mainframe', all), [mf]);
  assert.deepEqual(await variableOptions(run, overview, 'setup', all), ['Drift', 'GEM1', 'GEM2']);
  assert.deepEqual(await variableOptions(run, overview, 'setup', { mainframe: [mf] }), ['Drift', 'GEM1', 'GEM2']);
  assert.deepEqual(await variableOptions(run, overview, 'setup', { mainframe: ['10.0.0.1'] }), []);
  const channelsAll = await variableOptions(run, overview, 'channel', all);
  for (const c of [...ELECTRODES, 'DRIFT0', 'DRIFT1', 'DRIFT2', 'DRIFT3', 'OLD_LV']) assert.ok(channelsAll.includes(c), `channel options lack ${c}: ${channelsAll}`);
  assert.deepEqual(await variableOptions(run, overview, 'channel', { setup: ['GEM2'] }), ELECTRODES);
  assert.deepEqual(await variableOptions(run, overview, 'channel', { setup: ['Drift'] }), ['DRIFT0', 'DRIFT1', 'DRIFT2', 'DRIFT3']);
  assert.deepEqual(await variableOptions(run, dashboards.get('gemcaen-triple-gem')!, 'setup', all), ['GEM1', 'GEM2']);
  assert.deepEqual(await variableOptions(run, dashboards.get('gemcaen-crate-health')!, 'mainframe', all), [mf]);
  assert.deepEqual(await variableOptions(run, dashboards.get('gemcaen-crate-health')!, 'setup', all), ['Drift', 'GEM1', 'GEM2']);

  // ---- panels: every target of every panel, with the selection a user would make ----
  type Check = (byRef: Record<string, Frame[]>) => void;
  const selections: Record<string, Selection> = { 'gemcaen-channel': { setup: ['Drift'], channel: ['DRIFT1'] } };
  const chan19 = (fs: Frame[], what: string) => {
    const keys = new Set(fs.map(key));
    assert.equal(keys.size, 19, `${what}: ${[...keys].join(', ')}`);
    for (const s of ['GEM1', 'GEM2']) for (const e of ELECTRODES) assert.ok(keys.has(`${s}/${e}`), `${what}: ${s}/${e}`);
    assert.ok(keys.has('/OLD_LV'), `${what}: the Python gemcaen's points (ChannelName only) show`);
  };
  const layerFrame = (fs: Frame[], layer: string, name: string) => one(fs, (f) => f.tags.layer === layer && f.tags.ChannelName === name, `layer ${layer} ${name}`);
  const checks: Record<string, Check> = {
    'gemcaen-overview/VMon and V0Set': ({ A, B }) => {
      chan19(A!, 'VMon');
      assert.equal(lastNumber(one(A!, (f) => key(f) === 'Drift/DRIFT1', 'VMon DRIFT1')), 0, 'tripped DRIFT1 is at 0 V');
      near(lastNumber(one(A!, (f) => key(f) === 'Drift/DRIFT3', 'VMon DRIFT3')), 2800, 1, 'DRIFT3 ramped to the new set point');
      const v0 = values(one(B!, (f) => key(f) === 'Drift/DRIFT3', 'V0Set DRIFT3'));
      assert.ok(v0.includes(3000) && v0.at(-1) === 2800, `V0Set of DRIFT3 steps 3000 → 2800: ${v0}`);
    },
    'gemcaen-overview/IMon': ({ A }) => {
      chan19(A!, 'IMon');
      near(lastNumber(one(A!, (f) => key(f) === 'Drift/DRIFT0', 'IMon DRIFT0')), 1.5, 0.05, 'DRIFT0 IMon = 1500 V / 1000 MOhm');
    },
    'gemcaen-overview/Channel state': ({ A }) => {
      assert.ok(lastNumber(one(A!, (f) => key(f) === 'Drift/DRIFT1', 'state DRIFT1'))! >= 1_000_000, 'DRIFT1 is TRIP');
      assert.ok(values(one(A!, (f) => key(f) === 'Drift/DRIFT1', 'state DRIFT1')).includes(1), 'DRIFT1 was ON before the trip');
      const d3 = values(one(A!, (f) => key(f) === 'Drift/DRIFT3', 'state DRIFT3')) as number[];
      assert.ok(d3.some((v) => v >= 2 && v <= 7), `DRIFT3 shows RAMP while going to 2800: ${d3}`);
      for (const s of ['GEM1', 'GEM2']) for (const e of ELECTRODES) assert.equal(lastNumber(one(A!, (f) => key(f) === `${s}/${e}`, `${s}/${e}`)), 1, `${s}/${e} ON`);
    },
    'gemcaen-overview/Latest values': ({ A }) => {
      const col = (ch: string, field: string) => lastNumber(one(A!, (f) => f.tags.ChannelName === ch && f.field === field, `${ch} ${field}`));
      assert.equal(col('DRIFT3', 'V0Set'), 2800);
      assert.equal(col('DRIFT1', 'Pw'), 0);
      assert.ok(col('DRIFT1', 'state')! >= 1_000_000);
      assert.equal(col('DRIFT0', 'I0Set'), 1.6);
      assert.equal(col('DRIFT2', 'state'), 1);
    },
    'gemcaen-channel/VMon': ({ A }) => {
      const f = one(A!, () => true, 'VMon of the chosen channel');
      assert.equal(key(f), 'Drift/DRIFT1');
      assert.equal(lastNumber(f), 0);
      assert.ok((values(f) as number[]).some((v) => Math.abs(v - 2000) < 1), 'at 2000 V before the trip');
    },
    'gemcaen-channel/V0Set': ({ A }) => assert.equal(lastNumber(one(A!, (f) => key(f) === 'Drift/DRIFT1', 'V0Set')), 2000),
    'gemcaen-channel/IMon': ({ A }) => near(lastNumber(one(A!, (f) => key(f) === 'Drift/DRIFT1', 'IMon')), 0, 0.05, 'IMon of the tripped channel (noise of the last digit)'),
    'gemcaen-channel/I0Set': ({ A }) => assert.equal(lastNumber(one(A!, (f) => key(f) === 'Drift/DRIFT1', 'I0Set')), 20),
    'gemcaen-channel/Pw': ({ A }) => {
      const f = one(A!, (x) => key(x) === 'Drift/DRIFT1', 'Pw');
      assert.ok(values(f).includes(1) && lastNumber(f) === 0, `Pw on, then off by the trip: ${values(f)}`);
    },
    'gemcaen-channel/Status bits': ({ A }) => {
      assert.equal(A!.length, 16, 'one row per status bit');
      assert.ok(A!.every((f) => key(f) === 'Drift/DRIFT1'));
      const bit = (b: string) => one(A!, (f) => f.field === b, b);
      assert.equal(lastNumber(bit('INTTRIP')), 1);
      assert.ok(values(bit('INTTRIP')).includes(0), 'INTTRIP was 0 before');
      assert.equal(lastNumber(bit('ON')), 0);
      assert.equal(lastNumber(bit('OVC')), 0);
    },
    'gemcaen-triple-gem/Ieq per electrode': ({ A }) => {
      assert.equal(A!.length, 14);
      near(lastNumber(layerFrame(A!, '1', 'G3Bot')), 700, 2, 'layer 1 Ieq');
      near(lastNumber(layerFrame(A!, '2', 'G3Bot')), 690, 2, 'layer 2 Ieq (a distinct series)');
    },
    'gemcaen-triple-gem/Ieq per layer': ({ A }) => {
      assert.deepEqual(A!.map((f) => f.tags.layer).sort(), ['1', '2']);
      near(lastNumber(one(A!, (f) => f.tags.layer === '1', 'L1')), 700, 2, 'layer 1');
      near(lastNumber(one(A!, (f) => f.tags.layer === '2', 'L2')), 690, 2, 'layer 2');
    },
    'gemcaen-triple-gem/ΔV per GEM foil': ({ A }) => {
      assert.equal(A!.length, 6);
      assert.ok(A!.every((f) => /^G[123]Top$/.test(f.tags.ChannelName!)));
      near(lastNumber(layerFrame(A!, '1', 'G1Top')), 700 * 0.560006579, 1, 'G1 foil ΔV = Ieq × R');
    },
    'gemcaen-triple-gem/ΔV per gap': ({ A }) => {
      assert.equal(A!.length, 8);
      near(lastNumber(layerFrame(A!, '2', 'Drift')), 690 * 1.125007477, 1, 'drift gap layer 2');
    },
    'gemcaen-triple-gem/IMon per electrode': ({ A }) => {
      assert.equal(A!.length, 14);
      assert.ok(A!.every((f) => (lastNumber(f) ?? 0) > 0));
    },
    'gemcaen-crate-health/Board temperature': ({ A }) => {
      assert.deepEqual(A!.map((f) => f.tags.slot).sort(), ['0', '2']);
      near(lastNumber(one(A!, (f) => f.tags.slot === '2', 'slot 2')), 65, 1, 'the hot board');
      const cool = lastNumber(one(A!, (f) => f.tags.slot === '0', 'slot 0'))!;
      assert.ok(cool > 20 && cool < 40, `the other board at ${cool} °C`);
    },
    'gemcaen-crate-health/Board status': ({ A }) => {
      assert.equal(A!.length, 2);
      assert.ok(A!.every((f) => lastNumber(f) === 0));
    },
    'gemcaen-crate-health/Crate connection (gemcaen)': ({ A, B }) => {
      const connected = one(A!, (x) => x.tags.mainframe === mf, 'connected');
      assert.ok(values(connected).includes(0), `the crate outage shows (worst per interval): ${JSON.stringify(connected.points)}`);
      assert.equal(lastNumber(connected), 1);
      const state = one(B!, (x) => x.tags.mainframe === mf, 'state');
      assert.equal(values(state).filter((v) => v !== null).at(-1), 'connected', `states: ${JSON.stringify(state.points)}`);
    },
    'gemcaen-crate-health/Sink spool': ({ A }) => {
      assert.equal(A!.length, 1);
      assert.match(A![0]!.tags.sink!, /^influx-v1:/);
      const spool = values(A![0]!) as number[];
      assert.ok(Math.max(...spool) > 0, `the spool grew during the database outage: max ${Math.max(...spool)}`);
    },
    'gemcaen-crate-health/Sink backlog': ({ A }) => {
      assert.equal(A!.length, 1);
      assert.ok(lastNumber(A![0]!)! >= 0);
    },
    'gemcaen-crate-health/Sink failing': ({ A }) => {
      assert.equal(A!.length, 1);
      // max per interval: the outage shows (replayed from the spool); the recovery may share its second
      assert.ok(values(A![0]!).includes(1), 'the database outage shows, replayed from the spool');
    },
  };
  const seen = new Set<string>();
  for (const dash of dashboards.values()) {
    const sel = selections[dash.uid] ?? all;
    for (const p of dash.panels) {
      const name = `${dash.uid}/${p.title}`;
      const byRef: Record<string, Frame[]> = {};
      for (const tg of p.targets ?? []) byRef[tg.refId] = frames(await run(dashboardQuery(tg.query, dash, sel, range)));
      const check = checks[name];
      assert.ok(check, `no expectation for panel ${name}: add one`);
      await t.test(name, () => check(byRef));
      seen.add(name);
    }
  }
  assert.deepEqual([...seen].sort(), Object.keys(checks).sort(), 'every expectation met a panel');

  // ---- annotations: the trip and the set point with who made it ----
  for (const dash of dashboards.values()) {
    for (const a of dash.annotations.list) {
      if (a.builtIn) continue;
      const rowsOf = frames(await run(dashboardQuery(a.query!, dash, all, range)));
      const col = (field: string) => rowsOf.find((f) => f.field === field)?.points.map((p) => p[1]) ?? [];
      if (a.name === 'Alarms and trips') {
        const i = col('ChannelName').indexOf('DRIFT1');
        assert.ok(i >= 0, `${dash.uid}: the trip of DRIFT1 is an annotation`);
        assert.equal(col('kind')[i], 'alarm');
        assert.match(String(col('text')[i]), /DRIFT1/);
      } else if (a.name === 'Set points') {
        const i = col('ChannelName').indexOf('DRIFT3');
        assert.ok(i >= 0, `${dash.uid}: the set point of DRIFT3 is an annotation`);
        assert.equal(col('param')[i], 'V0Set');
        assert.equal(col('after')[i], 2800);
        assert.ok(String(col('user')[i]).length > 0, 'who made it');
        assert.match(String(col('text')[i]), /V0Set/);
      } else {
        assert.fail(`no expectation for annotation ${a.name}`);
      }
    }
  }
  // with a selection, the annotation of another setup is not shown
  const onlyGem = frames(await run(dashboardQuery(overview.annotations.list[1]!.query!, overview, { setup: ['GEM1'] }, range)));
  assert.ok(!onlyGem.some((f) => f.field === 'ChannelName' && f.points.some((p) => p[1] === 'DRIFT1')));

  // ---- alert rules ----
  const alerting = parse(readFileSync(join(out, PATHS.alerting), 'utf8')) as { groups: AlertRuleGroup[] };
  const now = Date.now();
  const firing = async (uid: string) => {
    const rule = alerting.groups.flatMap((g) => g.rules).find((r) => r.uid === uid)!;
    return evaluateRule(run, rule, now);
  };
  const labelsOf = (r: Awaited<ReturnType<typeof firing>>) => r.instances.filter((i) => i.firing).map((i) => `${i.labels.setup}/${i.labels.ChannelName ?? i.labels.slot}`);

  const trip = await firing('gemcaen-channel-tripped');
  assert.deepEqual(labelsOf(trip), ['Drift/DRIFT1'], 'only the tripped channel');
  assert.equal(trip.instances.length, 18, 'every channel of the three setups is evaluated');
  assert.deepEqual(trip.instances.find((i) => i.firing)!.labels, { mainframe: mf, setup: 'Drift', slot: '2', channel: '01', ChannelName: 'DRIFT1' }, 'labels name setup and channel');

  const imon = await firing('gemcaen-imon-near-limit');
  assert.deepEqual(labelsOf(imon), ['Drift/DRIFT0']);
  near(imon.instances.find((i) => i.firing)!.value, 1.5 / 1.6, 0.03, 'IMon / I0Set');

  const vmon = await firing('gemcaen-vmon-off-setpoint');
  assert.deepEqual(labelsOf(vmon), [], 'no channel away from its set point while on and not ramping');
  assert.equal(vmon.instances.length, 18);
  assert.ok(vmon.instances.find((i) => i.labels.ChannelName === 'DRIFT1')!.value === 0, 'a tripped (off) channel counts 0');
  assert.ok(vmon.instances.every((i) => Math.abs(i.value) < 1), 'VMon within 1 V of V0Set (noise)');

  const temp = await firing('gemcaen-board-over-temperature');
  assert.deepEqual(labelsOf(temp), ['Drift/2']);
  assert.deepEqual(temp.instances.filter((i) => !i.firing).map((i) => i.labels.setup).sort(), ['GEM1', 'GEM2']);

  for (const s of ['GEM1', 'GEM2', 'Drift']) {
    const r = await firing(`gemcaen-no-data-${s}`);
    assert.equal(r.noData, false, s);
    assert.ok(r.instances[0]!.value > 0 && !r.instances[0]!.firing, `${s} is logging`);
  }
  const idle = await firing('gemcaen-no-data-Idle');
  assert.equal(idle.noData, true);
  assert.equal(idle.noDataFiring, true, 'a configured setup that writes nothing alerts');

  assert.equal(await d.stop('SIGTERM'), 0);
});
