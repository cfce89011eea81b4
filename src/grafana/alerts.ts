// Grafana unified-alerting rules (file provisioning, apiVersion 1): a query A on the InfluxDB
// datasource, B = last value of each series, C = the threshold on B. Alert queries have no
// template variables, so each is restricted to the setups that write to its datasource and
// grouped by the tags that become the alert's labels (setup, ChannelName, channel, slot, mainframe).
// Every query looks back one heartbeat + margin: each value is rewritten at least once per
// heartbeat, so `last()` of every field is there.
import { setupReads } from '../setup-reads.js';
import { BOARD_MEASUREMENT, CHANNEL_MEASUREMENT, CHANNELS_FROM, GEM_MEASUREMENT, TRIP_MASK, quote } from './influxql.js';
import type { AlertQuery, AlertRule, AlertRuleGroup } from './model.js';
import { silenceLimitSeconds, type GrafanaDatasource, type GrafanaOptions, type GrafanaSetup } from './options.js';
import { DASHBOARD_UIDS, buildDashboards } from './dashboards.js';

const CHANNEL_TAGS = `GROUP BY "mainframe", "setup", "slot", "channel", "ChannelName"`;
const CHANNEL_NAMED = 'channel {{ $labels.ChannelName }} (slot {{ $labels.slot }}, channel {{ $labels.channel }}) of setup {{ $labels.setup }} on {{ $labels.mainframe }}';

type Threshold = { type: 'gt' | 'lt'; params: [number] } | { type: 'outside_range'; params: [number, number] };

function influxQuery(ds: GrafanaDatasource, seconds: number, query: string): AlertQuery {
  return {
    refId: 'A',
    relativeTimeRange: { from: seconds, to: 0 },
    datasourceUid: ds.uid,
    model: { refId: 'A', datasource: { type: 'influxdb', uid: ds.uid }, query, rawQuery: true, resultFormat: 'time_series', intervalMs: 1000, maxDataPoints: 43200 },
  };
}

function expressions(threshold: Threshold): AlertQuery[] {
  const expr = { type: '__expr__', uid: '__expr__' };
  return [
    { refId: 'B', relativeTimeRange: { from: 0, to: 0 }, datasourceUid: '__expr__', model: { refId: 'B', datasource: expr, type: 'reduce', expression: 'A', reducer: 'last', settings: { mode: 'dropNN' } } },
    {
      refId: 'C',
      relativeTimeRange: { from: 0, to: 0 },
      datasourceUid: '__expr__',
      model: { refId: 'C', datasource: expr, type: 'threshold', expression: 'B', conditions: [{ evaluator: threshold }] },
    },
  ];
}

/** The panel an alert links to (Grafana shows the rule's state on it). */
interface PanelLink {
  dashboardUid: string;
  panelId: number;
}

interface RuleSpec {
  uid: string;
  panel: PanelLink;
  title: string;
  seconds: number;
  query: string;
  threshold: Threshold;
  for: string;
  noData: AlertRule['noDataState'];
  severity: 'critical' | 'warning';
  summary: string;
  description: string;
}

function rule(ds: GrafanaDatasource, r: RuleSpec): AlertRule {
  return {
    uid: r.uid,
    title: r.title,
    condition: 'C',
    data: [influxQuery(ds, r.seconds, r.query), ...expressions(r.threshold)],
    noDataState: r.noData,
    execErrState: 'Error',
    for: r.for,
    annotations: { summary: r.summary, description: r.description },
    labels: { gemcaen: 'true', severity: r.severity },
    dashboardUid: r.panel.dashboardUid,
    panelId: r.panel.panelId,
    isPaused: false,
  };
}

/** Alert rule uids must be at most 40 characters, [A-Za-z0-9-_]. */
function ruleUid(base: string, dsIndex: number): string {
  const uid = dsIndex === 0 ? base : `${base}-${dsIndex + 1}`;
  return uid.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40);
}

function setupRegex(setups: readonly GrafanaSetup[]): string {
  return `"setup" =~ /^(${setups.map((s) => s.name.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&')).join('|')})$/`;
}

/** The field and measurement that show a setup is being logged: its first channel quantity, else Ieq, else a board value. */
export function presenceField(s: GrafanaSetup): { measurement: string; field: string } {
  const reads = setupReads(s.monitorables);
  const channelField = reads.chParams.find((p) => s.monitorables.includes(p)) ?? reads.derived[0];
  if (channelField) return { measurement: s.isGEM ? GEM_MEASUREMENT : CHANNEL_MEASUREMENT, field: channelField };
  return { measurement: BOARD_MEASUREMENT, field: reads.bdParams[0] ?? 'Temp' };
}

function rulesFor(ds: GrafanaDatasource, index: number, opts: GrafanaOptions): AlertRule[] {
  if (ds.setups.length === 0) return [];
  const dashboards = buildDashboards(opts);
  const panel = (dashboardUid: string, title: string): PanelLink => {
    const p = dashboards.find((d) => d.uid === dashboardUid)?.panels.find((x) => x.title === title);
    if (!p) throw new Error(`no panel "${title}" in ${dashboardUid}`);
    return { dashboardUid, panelId: p.id };
  };
  const seconds = Math.max(...ds.setups.map(silenceLimitSeconds));
  const setups = setupRegex(ds.setups);
  const rules: AlertRule[] = [
    rule(ds, {
      uid: ruleUid('gemcaen-channel-tripped', index),
      panel: panel(DASHBOARD_UIDS.overview, 'Channel state'),
      title: 'gemcaen: channel tripped',
      seconds,
      query: `SELECT last("Status") & ${TRIP_MASK} AS "trip" FROM ${CHANNELS_FROM} WHERE ${setups} AND $timeFilter ${CHANNEL_TAGS}`,
      threshold: { type: 'gt', params: [0] },
      for: '0s',
      noData: 'OK',
      severity: 'critical',
      summary: `Trip: ${CHANNEL_NAMED}`,
      description: 'The Status word has INTTRIP or EXTTRIP set: the channel was switched off by a trip. Check the detector, then clear the alarm and switch the channel on again.',
    }),
    rule(ds, {
      uid: ruleUid('gemcaen-imon-near-limit', index),
      panel: panel(DASHBOARD_UIDS.overview, 'IMon'),
      title: 'gemcaen: IMon near I0Set',
      seconds,
      query: `SELECT last("IMon") / last("I0Set") AS "imon_fraction" FROM ${CHANNELS_FROM} WHERE ${setups} AND $timeFilter ${CHANNEL_TAGS}`,
      threshold: { type: 'gt', params: [opts.imonFraction] },
      for: '1m',
      noData: 'OK',
      severity: 'warning',
      summary: `IMon above ${opts.imonFraction} × I0Set: ${CHANNEL_NAMED}`,
      description: 'IMon / I0Set = {{ humanize $values.B.Value }}: the channel is close to its current limit and will trip (OVC) if the current rises further.',
    }),
    rule(ds, {
      uid: ruleUid('gemcaen-vmon-off-setpoint', index),
      panel: panel(DASHBOARD_UIDS.overview, 'VMon and V0Set'),
      title: 'gemcaen: VMon away from V0Set',
      seconds,
      query: `SELECT (last("VMon") - last("V0Set")) * last("Status_ON") * (1 - last("Status_RUP")) * (1 - last("Status_RDW")) AS "vmon_deviation" FROM ${CHANNELS_FROM} WHERE ${setups} AND $timeFilter ${CHANNEL_TAGS}`,
      threshold: { type: 'outside_range', params: [-opts.vmonToleranceVolts, opts.vmonToleranceVolts] },
      for: '2m',
      noData: 'OK',
      severity: 'warning',
      summary: `VMon differs from V0Set by more than ${opts.vmonToleranceVolts} V: ${CHANNEL_NAMED}`,
      description: 'VMon − V0Set = {{ humanize $values.B.Value }} V while the channel is on and not ramping (0 when off or ramping).',
    }),
    rule(ds, {
      uid: ruleUid('gemcaen-board-over-temperature', index),
      panel: panel(DASHBOARD_UIDS.crateHealth, 'Board temperature'),
      title: 'gemcaen: board over temperature',
      seconds,
      query: `SELECT last("Temp") AS "Temp" FROM "${BOARD_MEASUREMENT}" WHERE ${setups} AND $timeFilter GROUP BY "mainframe", "setup", "slot", "board"`,
      threshold: { type: 'gt', params: [opts.maxBoardCelsius] },
      for: '1m',
      noData: 'OK',
      severity: 'critical',
      summary: `Board {{ $labels.board }} in slot {{ $labels.slot }} of {{ $labels.mainframe }} (setup {{ $labels.setup }}, all its channels) above ${opts.maxBoardCelsius} °C`,
      description: 'Board temperature {{ humanize $values.B.Value }} °C. Check the crate fans and the room cooling.',
    }),
  ];
  for (const s of ds.setups) {
    const limit = silenceLimitSeconds(s);
    const { measurement, field } = presenceField(s);
    rules.push(
      rule(ds, {
        uid: ruleUid(`gemcaen-no-data-${s.name}`, index),
        panel: panel(DASHBOARD_UIDS.overview, 'VMon and V0Set'),
        title: `gemcaen: no data from ${s.name}`,
        seconds: limit,
        query: `SELECT count("${field}") AS "points" FROM "${measurement}" WHERE "setup" = ${quote(s.name)} AND $timeFilter`,
        threshold: { type: 'lt', params: [1] },
        for: '0s',
        noData: 'Alerting',
        severity: 'critical',
        summary: `No data from setup ${s.name} (all its channels) for more than ${limit} s`,
        description: `Nothing written for setup ${s.name} in ${limit} s (heartbeat ${s.heartbeatSeconds} s + margin): gemcaen is not running, the crate is unreachable, or the database is not receiving. See the crate-health dashboard.`,
      }),
    );
  }
  return rules;
}

/** One rule group per datasource (its setups' rules), in the folder of the dashboards. */
export function buildAlertGroups(opts: GrafanaOptions): AlertRuleGroup[] {
  return opts.datasources
    .map((ds, i) => ({ orgId: 1, name: opts.datasources.length > 1 ? `gemcaen ${ds.name}` : 'gemcaen', folder: opts.folder, interval: '1m', rules: rulesFor(ds, i, opts) }))
    .filter((g) => g.rules.length > 0);
}
