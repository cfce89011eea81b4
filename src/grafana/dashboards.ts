// The four dashboards (overview, channel detail, triple-GEM, crate health) as Grafana JSON models.
// Every query is raw InfluxQL over the schema of docs/daemon.md, filtered by the chained variables
// mainframe → setup → channel. Values are written on change or heartbeat, so series are drawn
// as steps and gaps shorter than the longest heartbeat + margin are bridged (spanNulls); a longer
// gap is an outage and stays visible as one.
import {
  ALARM_MASK,
  BOARD_MEASUREMENT,
  CHANNEL_MEASUREMENT,
  CHANNELS_FROM,
  CRATE_MEASUREMENT,
  EVENT_MEASUREMENT,
  GEM_MEASUREMENT,
  SINK_MEASUREMENT,
  STATUS_STATE_MAPPINGS,
  TRIP_MASK,
  matchVar,
  statusBitFields,
  statusStateExpression,
  varFilter,
} from './influxql.js';
import {
  DASHBOARD_SCHEMA_VERSION,
  type Annotation,
  type Dashboard,
  type DatasourceRef,
  type InfluxTarget,
  type Panel,
  type Variable,
} from './model.js';
import { silenceLimitSeconds, type GrafanaDatasource, type GrafanaOptions } from './options.js';

export const DASHBOARD_UIDS = {
  overview: 'gemcaen-overview',
  channel: 'gemcaen-channel',
  tripleGem: 'gemcaen-triple-gem',
  crateHealth: 'gemcaen-crate-health',
} as const;

/** Panels and variables refer to the datasource through the dashboard's `datasource` variable. */
const DS: DatasourceRef = { type: 'influxdb', uid: '${datasource}' };

interface Context {
  /** spanNulls of every series panel, ms */
  spanMs: number;
}

function target(refId: string, query: string, alias?: string, resultFormat: InfluxTarget['resultFormat'] = 'time_series'): InfluxTarget {
  return { refId, datasource: DS, query, rawQuery: true, resultFormat, ...(alias ? { alias } : {}) };
}

/** Places panels left to right, 24 columns wide, in rows of the tallest panel. */
class Layout {
  private x = 0;
  private y = 0;
  private rowH = 0;
  private nextId = 1;
  readonly panels: Panel[] = [];

  add(p: Omit<Panel, 'id' | 'gridPos'>, w: number, h: number): void {
    if (this.x + w > 24) {
      this.x = 0;
      this.y += this.rowH;
      this.rowH = 0;
    }
    this.panels.push({ id: this.nextId++, gridPos: { x: this.x, y: this.y, w, h }, ...p });
    this.x += w;
    this.rowH = Math.max(this.rowH, h);
  }
}

function timeseries(ctx: Context, title: string, description: string, targets: InfluxTarget[], unit: string): Omit<Panel, 'id' | 'gridPos'> {
  return {
    type: 'timeseries',
    title,
    description,
    datasource: DS,
    targets,
    fieldConfig: {
      defaults: { unit, custom: { lineInterpolation: 'stepAfter', spanNulls: ctx.spanMs, showPoints: 'never', lineWidth: 1, fillOpacity: 0 } },
      overrides: [],
    },
    options: { legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'min', 'max'], showLegend: true }, tooltip: { mode: 'multi', sort: 'none' } },
  };
}

function stateTimeline(ctx: Context, title: string, description: string, targets: InfluxTarget[], mappings: readonly unknown[]): Omit<Panel, 'id' | 'gridPos'> {
  return {
    type: 'state-timeline',
    title,
    description,
    datasource: DS,
    targets,
    fieldConfig: {
      defaults: { mappings, color: { mode: 'thresholds' }, thresholds: { mode: 'absolute', steps: [{ color: 'text', value: null }] }, custom: { spanNulls: ctx.spanMs, fillOpacity: 80, lineWidth: 0 } },
      overrides: [],
    },
    options: { mergeValues: true, showValue: 'never', rowHeight: 0.9, alignValue: 'left', legend: { showLegend: false, displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'single', sort: 'none' } },
  };
}

function table(title: string, description: string, targets: InfluxTarget[]): Omit<Panel, 'id' | 'gridPos'> {
  return {
    type: 'table',
    title,
    description,
    datasource: DS,
    targets,
    fieldConfig: { defaults: { mappings: [...STATUS_STATE_MAPPINGS] }, overrides: [] },
    options: { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], countRows: false } },
    transformations: [{ id: 'merge', options: {} }],
  };
}

const ON_OFF = [{ type: 'value', options: { '0': { text: 'Off', color: 'text', index: 0 }, '1': { text: 'On', color: 'green', index: 1 } } }];
const BIT_MAPPINGS = [{ type: 'value', options: { '0': { text: '0', color: 'transparent', index: 0 }, '1': { text: '1', color: 'red', index: 1 } } }];

// ---- variables ----

function datasourceVariable(ds: GrafanaDatasource): Variable {
  return {
    type: 'datasource',
    name: 'datasource',
    label: 'Database',
    query: 'influxdb',
    current: { selected: true, text: ds.name, value: ds.uid },
    options: [],
    multi: false,
    includeAll: false,
    hide: 0,
    refresh: 1,
    regex: '',
  };
}

function queryVariable(name: string, label: string, query: string): Variable {
  return {
    type: 'query',
    name,
    label,
    datasource: DS,
    query,
    definition: query,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    options: [],
    multi: true,
    includeAll: true,
    allValue: '.*',
    refresh: 1,
    sort: 1,
    hide: 0,
  };
}

/** mainframe → setup → channel over the given measurements (a regex source like CHANNELS_FROM). */
function chainedVariables(from: string, withChannel: boolean, mainframeFrom = from): Variable[] {
  const vars = [
    queryVariable('mainframe', 'Mainframe', `SHOW TAG VALUES FROM ${mainframeFrom} WITH KEY = "mainframe"`),
    queryVariable('setup', 'Setup', `SHOW TAG VALUES FROM ${from} WITH KEY = "setup" WHERE ${varFilter(['mainframe'])}`),
  ];
  if (withChannel) vars.push(queryVariable('channel', 'Channel', `SHOW TAG VALUES FROM ${from} WITH KEY = "ChannelName" WHERE ${varFilter(['mainframe', 'setup'])}`));
  return vars;
}

// ---- annotations ----

function builtInAnnotation(): Annotation {
  return { builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true, iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard' };
}

function eventAnnotation(name: string, kinds: readonly string[], columns: readonly string[], filter: string, color: string): Annotation {
  return {
    name,
    datasource: DS,
    enable: true,
    iconColor: color,
    query: `SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${EVENT_MEASUREMENT}" WHERE "kind" =~ /^(${kinds.join('|')})$/ AND ${filter} AND $timeFilter`,
    textColumn: 'text',
    tagsColumn: 'kind,setup,ChannelName',
  };
}

/**
 * Trips and alarms, and set points with who made them, of the setups the variables select. Not
 * filtered by channel: an event's ChannelName is the name read from the board (GEM1_G3BOT), while
 * the HV series carry the electrode alias (G3Bot); the annotation's text and tags name the channel.
 */
function eventAnnotations(filter: string): Annotation[] {
  return [
    builtInAnnotation(),
    eventAnnotation('Alarms and trips', ['alarm', 'alarm_clear'], ['text', 'bits', 'kind', 'setup', 'ChannelName'], filter, 'red'),
    eventAnnotation('Set points', ['setpoint', 'external_change'], ['text', 'user', 'param', 'before', 'after', 'kind', 'setup', 'ChannelName'], filter, 'blue'),
  ];
}

function dashboard(uid: string, title: string, description: string, ds: GrafanaDatasource, vars: Variable[], annotations: Annotation[], panels: Panel[]): Dashboard {
  return {
    uid,
    title,
    description,
    tags: ['gemcaen'],
    schemaVersion: DASHBOARD_SCHEMA_VERSION,
    version: 1,
    editable: true,
    timezone: 'browser',
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    graphTooltip: 1,
    annotations: { list: annotations },
    templating: { list: [datasourceVariable(ds), ...vars] },
    panels,
    links: [{ title: 'gemcaen', type: 'dashboards', tags: ['gemcaen'], asDropdown: true, includeVars: true, keepTime: true }],
  };
}

// ---- the dashboards ----

const CH = varFilter(['mainframe', 'setup', 'channel']);
const SETUPS = varFilter(['mainframe', 'setup']);
const BY_CHANNEL = `GROUP BY time($__interval), "setup", "ChannelName" fill(none)`;

function overview(ctx: Context, ds: GrafanaDatasource): Dashboard {
  const l = new Layout();
  l.add(
    timeseries(ctx, 'VMon and V0Set', 'Monitored voltage against its set point, per setup and channel.', [
      target('A', `SELECT mean("VMon") AS "VMon" FROM ${CHANNELS_FROM} WHERE ${CH} AND $timeFilter ${BY_CHANNEL}`, '$tag_setup $tag_ChannelName VMon'),
      target('B', `SELECT last("V0Set") AS "V0Set" FROM ${CHANNELS_FROM} WHERE ${CH} AND $timeFilter ${BY_CHANNEL}`, '$tag_setup $tag_ChannelName V0Set'),
    ], 'volt'),
    24,
    9,
  );
  l.add(
    timeseries(ctx, 'IMon', 'Monitored current per setup and channel (µA).', [
      target('A', `SELECT mean("IMon") AS "IMon" FROM ${CHANNELS_FROM} WHERE ${CH} AND $timeFilter ${BY_CHANNEL}`, '$tag_setup $tag_ChannelName'),
    ], 'µA'),
    24,
    8,
  );
  l.add(
    stateTimeline(
      ctx,
      'Channel state',
      `From the Status word: OFF, ON, RAMP (RUP/RDW), ALARM (any of OVC, OVV, UNV, MAXV, EXTDIS, … = mask ${ALARM_MASK}), TRIP (INTTRIP or EXTTRIP = mask ${TRIP_MASK}).`,
      [target('A', `SELECT ${statusStateExpression('last')} AS "state" FROM ${CHANNELS_FROM} WHERE ${CH} AND $timeFilter ${BY_CHANNEL}`, '$tag_setup $tag_ChannelName')],
      STATUS_STATE_MAPPINGS,
    ),
    24,
    10,
  );
  l.add(
    table('Latest values', 'Last value of each quantity in the time range, per channel.', [
      target(
        'A',
        `SELECT last("VMon") AS "VMon", last("V0Set") AS "V0Set", last("IMon") AS "IMon", last("I0Set") AS "I0Set", last("Pw") AS "Pw", ${statusStateExpression('last')} AS "state" FROM ${CHANNELS_FROM} WHERE ${CH} AND $timeFilter GROUP BY "setup", "ChannelName"`,
        undefined,
        'table',
      ),
    ]),
    24,
    8,
  );
  return dashboard(DASHBOARD_UIDS.overview, 'gemcaen: overview', 'Every channel of the selected setups: VMon against V0Set, IMon, and the state decoded from Status.', ds, chainedVariables(CHANNELS_FROM, true), eventAnnotations(SETUPS), l.panels);
}

function channelDetail(ctx: Context, ds: GrafanaDatasource): Dashboard {
  const l = new Layout();
  const q = (field: string, agg: string) => `SELECT ${agg}("${field}") AS "${field}" FROM ${CHANNELS_FROM} WHERE ${CH} AND $timeFilter ${BY_CHANNEL}`;
  l.add(timeseries(ctx, 'VMon', 'Monitored voltage.', [target('A', q('VMon', 'mean'), '$tag_setup $tag_ChannelName VMon')], 'volt'), 12, 8);
  l.add(timeseries(ctx, 'V0Set', 'Voltage set point.', [target('A', q('V0Set', 'last'), '$tag_setup $tag_ChannelName V0Set')], 'volt'), 12, 8);
  l.add(timeseries(ctx, 'IMon', 'Monitored current (µA).', [target('A', q('IMon', 'mean'), '$tag_setup $tag_ChannelName IMon')], 'µA'), 12, 8);
  l.add(timeseries(ctx, 'I0Set', 'Current limit (µA).', [target('A', q('I0Set', 'last'), '$tag_setup $tag_ChannelName I0Set')], 'µA'), 12, 8);
  l.add(stateTimeline(ctx, 'Pw', 'Power switch as read from the crate.', [target('A', q('Pw', 'last'), '$tag_setup $tag_ChannelName')], ON_OFF), 24, 5);
  const bits = statusBitFields()
    .map((f) => `max("${f}") AS "${f.slice('Status_'.length)}"`)
    .join(', ');
  l.add(
    stateTimeline(ctx, 'Status bits', 'Every bit of the Status word (1 = set) over time, per channel.', [target('A', `SELECT ${bits} FROM ${CHANNELS_FROM} WHERE ${CH} AND $timeFilter ${BY_CHANNEL}`, '$tag_setup $tag_ChannelName $col')], BIT_MAPPINGS),
    24,
    14,
  );
  return dashboard(DASHBOARD_UIDS.channel, 'gemcaen: channel detail', 'VMon, IMon, V0Set, I0Set, Pw and every Status bit of the selected channels.', ds, chainedVariables(CHANNELS_FROM, true), eventAnnotations(SETUPS), l.panels);
}

function tripleGem(ctx: Context, ds: GrafanaDatasource): Dashboard {
  const l = new Layout();
  const gem = varFilter(['mainframe', 'setup']);
  const byElectrode = `GROUP BY time($__interval), "setup", "layer", "ChannelName" fill(none)`;
  const electrode = '$tag_setup L$tag_layer $tag_ChannelName';
  l.add(
    timeseries(ctx, 'Ieq per electrode', 'Equivalent divider current VMon / R (µA) of each electrode; both layers of a board are separate series.', [
      target('A', `SELECT mean("Ieq") AS "Ieq" FROM "${GEM_MEASUREMENT}" WHERE ${gem} AND $timeFilter ${byElectrode}`, electrode),
    ], 'µA'),
    12,
    9,
  );
  l.add(
    timeseries(ctx, 'Ieq per layer', 'Mean Ieq of the electrodes of each layer (µA).', [
      target('A', `SELECT mean("Ieq") AS "Ieq" FROM "${GEM_MEASUREMENT}" WHERE ${gem} AND $timeFilter GROUP BY time($__interval), "setup", "layer" fill(none)`, '$tag_setup layer $tag_layer'),
    ], 'µA'),
    12,
    9,
  );
  l.add(
    timeseries(ctx, 'ΔV per GEM foil', 'VMon of the foil channels G1Top, G2Top, G3Top: the A1515 channels float, so VMon is the voltage across the foil.', [
      target('A', `SELECT mean("VMon") AS "VMon" FROM "${GEM_MEASUREMENT}" WHERE ${gem} AND "ChannelName" =~ /^G[123]Top$/ AND $timeFilter ${byElectrode}`, electrode),
    ], 'volt'),
    12,
    9,
  );
  l.add(
    timeseries(ctx, 'ΔV per gap', 'VMon of the gap channels: Drift, transfer gaps G1Bot and G2Bot, induction gap G3Bot.', [
      target('A', `SELECT mean("VMon") AS "VMon" FROM "${GEM_MEASUREMENT}" WHERE ${gem} AND "ChannelName" =~ /^(Drift|G[123]Bot)$/ AND $timeFilter ${byElectrode}`, electrode),
    ], 'volt'),
    12,
    9,
  );
  l.add(
    timeseries(ctx, 'IMon per electrode', 'Monitored current of each electrode channel (µA).', [
      target('A', `SELECT mean("IMon") AS "IMon" FROM "${GEM_MEASUREMENT}" WHERE ${gem} AND $timeFilter ${byElectrode}`, electrode),
    ], 'µA'),
    24,
    8,
  );
  return dashboard(
    DASHBOARD_UIDS.tripleGem,
    'gemcaen: triple-GEM',
    'Ieq per electrode and per layer, ΔV per foil and gap, of the triple-GEM setups (measurement HV).',
    ds,
    chainedVariables(`"${GEM_MEASUREMENT}"`, false),
    eventAnnotations(gem),
    l.panels,
  );
}

function crateHealth(ctx: Context, ds: GrafanaDatasource): Dashboard {
  const l = new Layout();
  const mf = matchVar('mainframe', 'mainframe');
  const board = varFilter(['mainframe', 'setup']);
  l.add(
    timeseries(ctx, 'Board temperature', 'Temp of each board, per mainframe and slot (°C).', [
      target('A', `SELECT mean("Temp") AS "Temp" FROM "${BOARD_MEASUREMENT}" WHERE ${board} AND $timeFilter GROUP BY time($__interval), "mainframe", "slot", "board" fill(none)`, '$tag_mainframe slot $tag_slot $tag_board'),
    ], 'celsius'),
    12,
    8,
  );
  l.add(
    stateTimeline(ctx, 'Board status', 'BdStatus of each board: 0 is OK; any other value is a board alarm (power fail, calibration, temperature).', [
      target('A', `SELECT max("BdStatus") AS "BdStatus" FROM "${BOARD_MEASUREMENT}" WHERE ${board} AND $timeFilter GROUP BY time($__interval), "mainframe", "slot" fill(none)`, '$tag_mainframe slot $tag_slot'),
    ], [
      { type: 'value', options: { '0': { text: 'OK', color: 'green', index: 0 } } },
      { type: 'range', options: { from: 1, to: null, result: { text: 'ALARM', color: 'red', index: 1 } } },
    ]),
    12,
    8,
  );
  l.add(
    stateTimeline(
      ctx,
      'Crate connection (gemcaen)',
      "gemcaen's own connection to each crate: 'connected' is the worst of each interval (an outage shorter than the interval still shows), 'state' the last state; no bar means gemcaen was not running.",
      [
        target('A', `SELECT min("connected") AS "connected" FROM "${CRATE_MEASUREMENT}" WHERE ${mf} AND $timeFilter GROUP BY time($__interval), "mainframe" fill(none)`, '$tag_mainframe $col'),
        target('B', `SELECT last("state") AS "state" FROM "${CRATE_MEASUREMENT}" WHERE ${mf} AND $timeFilter GROUP BY time($__interval), "mainframe" fill(none)`, '$tag_mainframe $col'),
      ],
      [
        { type: 'value', options: { '0': { text: 'NOT CONNECTED', color: 'red', index: 0 }, '1': { text: 'CONNECTED', color: 'green', index: 1 } } },
        { type: 'value', options: { connected: { color: 'green', index: 2 }, connecting: { color: 'blue', index: 3 }, backoff: { color: 'red', index: 4 }, 'auth-failed': { color: 'red', index: 5 }, 'library-error': { color: 'red', index: 6 }, restarting: { color: 'orange', index: 7 }, starting: { color: 'blue', index: 8 }, stopped: { color: 'text', index: 9 } } },
      ],
    ),
    24,
    6,
  );
  l.add(
    timeseries(ctx, 'Sink spool', "Bytes waiting in each sink's write-ahead spool (grows while the database is away, falls as it is replayed).", [
      target('A', `SELECT max("spool_bytes") AS "spool_bytes" FROM "${SINK_MEASUREMENT}" WHERE $timeFilter GROUP BY time($__interval), "sink" fill(none)`, '$tag_sink spool'),
    ], 'bytes'),
    12,
    8,
  );
  l.add(
    timeseries(ctx, 'Sink backlog', 'Lines not yet acknowledged by the database, per sink.', [
      target('A', `SELECT max("backlog_lines") AS "backlog_lines" FROM "${SINK_MEASUREMENT}" WHERE $timeFilter GROUP BY time($__interval), "sink" fill(none)`, '$tag_sink backlog'),
    ], 'short'),
    12,
    8,
  );
  l.add(
    stateTimeline(ctx, 'Sink failing', '1 while a sink cannot write (the database is down or refusing); its points are kept in the spool.', [
      target('A', `SELECT max("failing") AS "failing" FROM "${SINK_MEASUREMENT}" WHERE $timeFilter GROUP BY time($__interval), "sink" fill(none)`, '$tag_sink'),
    ], [{ type: 'value', options: { '0': { text: 'OK', color: 'green', index: 0 }, '1': { text: 'FAILING', color: 'red', index: 1 } } }]),
    24,
    5,
  );
  const mainframes = `/^(${GEM_MEASUREMENT}|${CHANNEL_MEASUREMENT}|${BOARD_MEASUREMENT}|${CRATE_MEASUREMENT})$/`;
  return dashboard(
    DASHBOARD_UIDS.crateHealth,
    'gemcaen: crate health',
    "Board temperature and status, gemcaen's connection to each crate, and its sinks' spools.",
    ds,
    chainedVariables(`"${BOARD_MEASUREMENT}"`, false, mainframes),
    [builtInAnnotation(), eventAnnotation('Alarms and trips', ['alarm', 'alarm_clear'], ['text', 'bits', 'kind', 'setup', 'ChannelName'], board, 'red')],
    l.panels,
  );
}

/** The dashboards for `opts`, keyed by uid; their default datasource is the first one. */
export function buildDashboards(opts: GrafanaOptions): Dashboard[] {
  const ds = opts.datasources[0];
  if (!ds) throw new Error('buildDashboards: no datasource');
  const setups = opts.datasources.flatMap((d) => d.setups);
  const spanMs = 1000 * Math.max(360, ...setups.map(silenceLimitSeconds));
  const ctx: Context = { spanMs };
  return [overview(ctx, ds), channelDetail(ctx, ds), tripleGem(ctx, ds), crateHealth(ctx, ds)];
}
