// The shipped Grafana files: `gemcaen grafana --out` for the demo config is exactly the committed
// grafana/ folder, and every file has the structure Grafana's provisioning requires (no Grafana can
// run here): dashboards with fixed uid, title, schemaVersion, datasource references, raw InfluxQL
// targets and no dangling variables; datasource, provider and alert-rule files in apiVersion 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { runCli, repoRoot } from '../helpers/cli.js';
import { testTempDir } from '../helpers/temp-dir.js';
import { parseConfig } from '../../src/config/load.js';
import { grafanaOptionsFrom } from '../../src/grafana/from-config.js';
import { grafanaFiles, PATHS } from '../../src/grafana/provisioning.js';
import { DASHBOARD_UIDS } from '../../src/grafana/dashboards.js';
import { DASHBOARD_SCHEMA_VERSION, type AlertRuleGroup, type Dashboard } from '../../src/grafana/model.js';
import { referencedNames } from './emulate.js';

const SHIPPED = join(repoRoot, 'grafana');
/** Grafana's InfluxQL macros (query.go Build) */
const MACROS = new Set(['timeFilter', '__interval', '__interval_ms', 'interval']);
/** Grafana's InfluxQL alias patterns */
const ALIAS_PATTERN = /^(tag_\w+|col|m|measurement)$/;

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

function shippedDashboards(): Dashboard[] {
  return readdirSync(join(SHIPPED, 'dashboards')).map((f) => JSON.parse(readFileSync(join(SHIPPED, 'dashboards', f), 'utf8')) as Dashboard);
}

test('gemcaen grafana --out for the demo config writes exactly the shipped grafana/ folder', async (t) => {
  const out = testTempDir(t, 'gemcaen-grafana-');
  const r = await runCli(['-c', join(repoRoot, 'config', 'config.yml'), 'grafana', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const written = listFiles(out).map((p) => relative(out, p)).sort();
  const shipped = listFiles(SHIPPED).map((p) => relative(SHIPPED, p)).filter((p) => !p.endsWith('.md')).sort();
  assert.deepEqual(written, shipped);
  assert.equal(written.length, 7);
  for (const p of written) assert.equal(readFileSync(join(out, p), 'utf8'), readFileSync(join(SHIPPED, p), 'utf8'), `${p} differs from the shipped file: run gemcaen grafana --out grafana`);
  assert.equal(r.stdout.trim().split('\n').length, 7);
});

test('gemcaen grafana without --out is a usage error (exit 2, nothing written)', async () => {
  const r = await runCli(['-c', join(repoRoot, 'config', 'config.yml'), 'grafana']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
});

test('dashboards: fixed uid, title, schemaVersion, datasource references, raw InfluxQL targets, no dangling variables', () => {
  const dashboards = shippedDashboards();
  assert.deepEqual(dashboards.map((d) => d.uid).sort(), Object.values(DASHBOARD_UIDS).sort());
  const ds = parse(readFileSync(join(SHIPPED, PATHS.datasources), 'utf8')) as { datasources: Array<{ uid: string; name: string }> };
  for (const d of dashboards) {
    assert.match(d.uid, /^[A-Za-z0-9_-]{1,40}$/);
    assert.ok(d.title.startsWith('gemcaen: '), d.title);
    assert.equal(d.schemaVersion, DASHBOARD_SCHEMA_VERSION);
    assert.equal((d as unknown as { id?: unknown }).id, undefined, 'provisioned dashboards carry no id');
    const vars = d.templating.list;
    assert.equal(vars[0]!.type, 'datasource');
    assert.equal(vars[0]!.name, 'datasource');
    assert.equal(vars[0]!.current.value, ds.datasources[0]!.uid, 'default datasource is the provisioned one');
    assert.equal(new Set(vars.map((v) => v.name)).size, vars.length, 'variable names are unique');
    // each variable's query refers only to variables defined before it (the chain mainframe → setup → channel)
    vars.forEach((v, i) => {
      if (v.type !== 'query') return;
      assert.deepEqual(v.datasource, { type: 'influxdb', uid: '${datasource}' });
      assert.match(v.query, /^SHOW TAG VALUES FROM /);
      for (const n of referencedNames(v.query)) assert.ok(vars.slice(0, i).some((p) => p.name === n), `${d.uid}: variable ${v.name} refers to ${n}, not defined before it`);
      assert.ok(v.multi && v.includeAll && v.allValue === '.*', `${d.uid}: ${v.name} is multi with All = .*`);
    });
    const defined = new Set(vars.map((v) => v.name));
    const checkQuery = (where: string, q: string) => {
      assert.ok(q.trim().length > 0, `${where}: empty query`);
      for (const n of referencedNames(q)) assert.ok(defined.has(n) || MACROS.has(n), `${where}: dangling $${n}`);
      assert.match(q, /\$timeFilter/, `${where}: no $timeFilter`);
    };
    const ids = new Set<number>();
    assert.ok(d.panels.length >= 4);
    for (const p of d.panels) {
      const where = `${d.uid} panel "${p.title}"`;
      assert.ok(!ids.has(p.id), `${where}: duplicate id`);
      ids.add(p.id);
      assert.ok(p.title.length > 0);
      assert.ok(p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24 && p.gridPos.h > 0, `${where}: gridPos`);
      assert.deepEqual(p.datasource, { type: 'influxdb', uid: '${datasource}' }, `${where}: datasource`);
      assert.ok(p.targets && p.targets.length > 0, `${where}: no targets`);
      assert.equal(new Set(p.targets.map((x) => x.refId)).size, p.targets.length, `${where}: refIds unique`);
      for (const tg of p.targets) {
        assert.deepEqual(tg.datasource, p.datasource);
        assert.equal(tg.rawQuery, true);
        checkQuery(where, tg.query);
        for (const n of referencedNames(tg.alias ?? '')) assert.ok(ALIAS_PATTERN.test(n) || defined.has(n), `${where}: alias $${n}`);
      }
    }
    for (const a of d.annotations.list) {
      if (a.builtIn) continue;
      assert.deepEqual(a.datasource, { type: 'influxdb', uid: '${datasource}' });
      checkQuery(`${d.uid} annotation "${a.name}"`, a.query ?? '');
      assert.equal(a.textColumn, 'text');
    }
  }
});

test('provisioning files: datasource, dashboard provider and alert rules in apiVersion 1', () => {
  const ds = parse(readFileSync(join(SHIPPED, PATHS.datasources), 'utf8')) as { apiVersion: number; datasources: Array<Record<string, unknown>> };
  assert.equal(ds.apiVersion, 1);
  assert.equal(ds.datasources.length, 1);
  const d0 = ds.datasources[0]!;
  assert.equal(d0.type, 'influxdb');
  assert.equal(d0.uid, 'gemcaen-influxdb');
  assert.equal((d0.jsonData as Record<string, unknown>).dbName, 'gemcaen');

  const prov = parse(readFileSync(join(SHIPPED, PATHS.dashboardProvider), 'utf8')) as { apiVersion: number; providers: Array<{ type: string; options: { path: string }; folder: string }> };
  assert.equal(prov.apiVersion, 1);
  assert.equal(prov.providers[0]!.type, 'file');
  assert.ok(prov.providers[0]!.options.path.startsWith('/'));

  const text = readFileSync(join(SHIPPED, PATHS.alerting), 'utf8');
  assert.doesNotMatch(text, /[&*]a\d/, 'no YAML anchors');
  const alerting = parse(text) as { apiVersion: number; groups: AlertRuleGroup[] };
  assert.equal(alerting.apiVersion, 1);
  const rules = alerting.groups.flatMap((g) => g.rules);
  for (const g of alerting.groups) {
    assert.ok(g.name && g.folder && /^\d+[smh]$/.test(g.interval));
  }
  assert.equal(new Set(rules.map((r) => r.uid)).size, rules.length, 'rule uids unique');
  // the demo's two setups: 4 rules over both + one no-data rule each
  assert.deepEqual(rules.map((r) => r.uid).sort(), [
    'gemcaen-board-over-temperature',
    'gemcaen-channel-tripped',
    'gemcaen-imon-near-limit',
    'gemcaen-no-data-DemoBoard',
    'gemcaen-no-data-DemoGEM',
    'gemcaen-vmon-off-setpoint',
  ]);
  const dashboards = shippedDashboards();
  for (const r of rules) {
    assert.ok(dashboards.find((d) => d.uid === r.dashboardUid)?.panels.some((p) => p.id === r.panelId), `${r.uid}: links to a panel that exists`);
    assert.match(r.uid, /^[A-Za-z0-9_-]{1,40}$/);
    assert.ok(r.title.length > 0);
    assert.ok(r.data.some((q) => q.refId === r.condition), `${r.uid}: condition refers to a query`);
    const a = r.data.find((q) => q.refId === 'A')!;
    assert.equal(a.datasourceUid, d0.uid);
    assert.ok(a.relativeTimeRange.from > 0);
    assert.match(String(a.model.query), /\$timeFilter/);
    assert.ok(['OK', 'NoData', 'Alerting'].includes(r.noDataState));
    assert.ok(!/\$\{/.test(JSON.stringify(r.annotations)), `${r.uid}: \${…} in an annotation would be replaced from the environment by Grafana`);
    assert.match(r.annotations.summary!, /setup/);
    if (!r.uid.startsWith('gemcaen-no-data') && r.uid !== 'gemcaen-board-over-temperature') assert.match(r.annotations.summary!, /\$labels\.ChannelName/);
    if (r.uid !== 'gemcaen-board-over-temperature' && !r.uid.startsWith('gemcaen-no-data')) assert.match(r.annotations.summary!, /\$labels\.setup/);
  }
  assert.match(rules.find((r) => r.uid === 'gemcaen-no-data-DemoGEM')!.annotations.summary!, /DemoGEM/);
});

const LAB_CONFIG = (token: string, password: string) => `
A:
  Monitorables: [VMon, IMon, Status]
  HoldOffTime: 3
  HeartbeatSeconds: 120
  isGEMDetector: false
  MAINFRAME: &mf
    CAENHV_BOARD_TYPE: SY4527
    CAENHV_LINK_TYPE: TCPIP
    CAENHV_BOARD_ADDRESS: 192.168.0.10
    CAENHV_USER: admin
    CAENHV_PASSWORD: admin
  BOARD: { SLOT: 2, CHANNELS: [0, 1] }
  influxDB: { URL: "http://db:8086", TOKEN: "${token}", ORG: CMS GEM project, DB_BUCKET: GEM 904 cosmic ME0 stand }
B:
  Monitorables: [VMon]
  HoldOffTime: 3
  isGEMDetector: false
  MAINFRAME: *mf
  BOARD: { SLOT: 5, CHANNELS: [18] }
  influxDB: { VERSION: 1, URL: "http://old:8086", DATABASE: gem904, USER: grafana, PASSWORD: "${password}" }
`;

test('a lab config: one datasource per database (2.x through InfluxQL with a token header, 1.x with a user), no secret written', () => {
  const token = 'tok-SECRET-123';
  const password = 'pw-SECRET-456';
  const config = parseConfig(LAB_CONFIG(token, password), '/tmp/lab.yml');
  const files = grafanaFiles(grafanaOptionsFrom([...config.setups.values()], config.sinks, {}));
  const all = [...files.values()].join('\n');
  assert.ok(!all.includes(token) && !all.includes(password), 'secrets are not written');
  const ds = parse(files.get(PATHS.datasources)!) as { datasources: Array<Record<string, any>> };
  assert.equal(ds.datasources.length, 2);
  const [v2, v1] = ds.datasources;
  assert.equal(v2!.url, 'http://db:8086');
  assert.equal(v2!.jsonData.dbName, 'GEM 904 cosmic ME0 stand', 'the bucket name: its (virtual) DBRP database');
  assert.equal(v2!.jsonData.httpHeaderName1, 'Authorization');
  assert.equal(v2!.secureJsonData.httpHeaderValue1, 'Token ${INFLUX_TOKEN}');
  assert.equal(v1!.jsonData.dbName, 'gem904');
  assert.equal(v1!.user, 'grafana');
  assert.equal(v1!.secureJsonData.password, '${INFLUX_PASSWORD}');
  assert.notEqual(v1!.uid, v2!.uid);
  const alerting = parse(files.get(PATHS.alerting)!) as { groups: AlertRuleGroup[] };
  assert.equal(alerting.groups.length, 2, 'one rule group per datasource');
  const noDataA = alerting.groups[0]!.rules.find((r) => r.uid === 'gemcaen-no-data-A')!;
  assert.equal(noDataA.data[0]!.relativeTimeRange.from, 120 + 60, 'heartbeat + margin');
  assert.equal(noDataA.data[0]!.datasourceUid, v2!.uid);
  assert.equal(alerting.groups[1]!.rules.find((r) => r.uid === 'gemcaen-no-data-B-2')!.data[0]!.datasourceUid, v1!.uid);
  assert.throws(() => grafanaOptionsFrom([...config.setups.values()], config.sinks, { database: 'x' }), (e: { code?: string }) => e.code === 'OPTION_CONFLICT');
  assert.throws(() => grafanaOptionsFrom([...config.setups.values()], config.sinks, { imonFraction: -1 }), (e: { code?: string }) => e.code === 'USAGE');
});
