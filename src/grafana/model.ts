// The parts of Grafana's file formats that gemcaen writes: the dashboard JSON model (schemaVersion
// 39), datasource and dashboard-provider provisioning, and unified-alerting rule provisioning
// (apiVersion 1). Only the fields gemcaen sets are typed; Grafana fills in the rest with defaults.

export const DASHBOARD_SCHEMA_VERSION = 39;

/** How a panel, target or variable names its datasource: by uid (`${datasource}` = the dashboard's datasource variable). */
export interface DatasourceRef {
  type: 'influxdb' | '__expr__' | 'grafana' | 'datasource';
  uid: string;
}

/** One InfluxQL query of a panel, written raw (Grafana's "raw query" mode). */
export interface InfluxTarget {
  refId: string;
  datasource: DatasourceRef;
  query: string;
  rawQuery: true;
  resultFormat: 'time_series' | 'table';
  /** legend: `$tag_<key>`, `$col` are Grafana's InfluxQL alias patterns */
  alias?: string;
}

export interface ValueMapping {
  type: 'value' | 'range';
  options: Record<string, unknown>;
}

export interface Panel {
  id: number;
  type: 'timeseries' | 'state-timeline' | 'table' | 'text' | 'row';
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: DatasourceRef;
  targets?: InfluxTarget[];
  fieldConfig?: { defaults: Record<string, unknown>; overrides: unknown[] };
  options?: Record<string, unknown>;
  transformations?: unknown[];
}

export interface Variable {
  type: 'query' | 'datasource';
  name: string;
  label: string;
  /** query variables: the InfluxQL (SHOW TAG VALUES …); datasource variables: the plugin id */
  query: string;
  definition?: string;
  datasource?: DatasourceRef;
  current: Record<string, unknown>;
  options: unknown[];
  multi: boolean;
  includeAll: boolean;
  /** the value "All" stands for: `.*` (a regex that also matches a missing tag, so old data shows) */
  allValue?: string;
  /** 1 = on dashboard load, 2 = on time-range change */
  refresh?: 1 | 2;
  sort?: number;
  hide: 0 | 1 | 2;
  regex?: string;
}

/** An annotation query in the InfluxQL form Grafana keeps for InfluxDB datasources. */
export interface Annotation {
  name: string;
  datasource: DatasourceRef;
  enable: boolean;
  hide?: boolean;
  iconColor: string;
  builtIn?: number;
  type?: string;
  query?: string;
  textColumn?: string;
  tagsColumn?: string;
  titleColumn?: string;
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  schemaVersion: number;
  version: number;
  editable: boolean;
  timezone: string;
  refresh: string;
  time: { from: string; to: string };
  graphTooltip: number;
  annotations: { list: Annotation[] };
  templating: { list: Variable[] };
  panels: Panel[];
  links: unknown[];
}

/** A query or expression of an alert rule (`data` of a provisioned rule). */
export interface AlertQuery {
  refId: string;
  relativeTimeRange: { from: number; to: number };
  datasourceUid: string;
  model: Record<string, unknown>;
}

export interface AlertRule {
  uid: string;
  title: string;
  condition: string;
  data: AlertQuery[];
  noDataState: 'NoData' | 'Alerting' | 'OK';
  execErrState: 'Error' | 'Alerting' | 'OK';
  for: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  dashboardUid?: string;
  panelId?: number;
  isPaused: boolean;
}

export interface AlertRuleGroup {
  orgId: number;
  name: string;
  folder: string;
  interval: string;
  rules: AlertRule[];
}
