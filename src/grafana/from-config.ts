// A gemcaen config → the options of the Grafana files: one datasource per database the chosen
// setups write to (setups writing line-protocol files share one, to be loaded into a database
// named by --database), with those setups' heartbeats and monitorables.
import type { SetupConfig, SinkConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import { DEFAULT_DASHBOARDS_PATH, DEFAULT_FOLDER, DEFAULT_THRESHOLDS, type GrafanaDatasource, type GrafanaOptions, type GrafanaSetup } from './options.js';

export const DEFAULT_DATASOURCE_NAME = 'gemcaen InfluxDB';
export const DEFAULT_DATASOURCE_UID = 'gemcaen-influxdb';
/** the database a lab loads gemcaen's line-protocol files into, unless --database names another */
export const DEFAULT_FILE_DATABASE = 'gemcaen';
export const DEFAULT_GRAFANA_INFLUX_URL = 'http://localhost:8086';

export interface GrafanaCliOptions {
  datasource?: string;
  database?: string;
  url?: string;
  folder?: string;
  dashboardsPath?: string;
  imonFraction?: number;
  vmonTolerance?: number;
  maxTemperature?: number;
}

function grafanaSetup(s: SetupConfig): GrafanaSetup {
  return { name: s.name, isGEM: s.isGEM, monitorables: [...s.monitorables], holdOffSeconds: s.holdOffSeconds, heartbeatSeconds: s.heartbeatSeconds };
}

type Target = Omit<GrafanaDatasource, 'name' | 'uid' | 'setups'>;

function targetOf(sink: SinkConfig, database: string | undefined): Target {
  switch (sink.kind) {
    case 'influx-v1':
      return { version: 1, url: sink.url, database: database ?? sink.database, ...(sink.retentionPolicy ? { retentionPolicy: sink.retentionPolicy } : {}), ...(sink.user ? { user: sink.user } : {}) };
    case 'influx-v2':
      return { version: 2, url: sink.url, database: database ?? sink.bucket, bucket: sink.bucket, org: sink.org };
    case 'file':
      return { version: 1, url: DEFAULT_GRAFANA_INFLUX_URL, database: database ?? DEFAULT_FILE_DATABASE };
  }
}

function positive(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v <= 0) throw new UsageError('USAGE', `--${name} must be a positive number, got ${v}`);
  return v;
}

export function grafanaOptionsFrom(setups: readonly SetupConfig[], sinks: ReadonlyMap<string, SinkConfig>, cli: GrafanaCliOptions): GrafanaOptions {
  // one datasource per database sink; every file sink shares one (key "file")
  const groups = new Map<string, { sink: SinkConfig; setups: SetupConfig[] }>();
  for (const s of setups) {
    const sink = sinks.get(s.sink);
    if (!sink) continue;
    const key = sink.kind === 'file' ? 'file' : sink.id;
    const g = groups.get(key) ?? { sink, setups: [] };
    g.setups.push(s);
    groups.set(key, g);
  }
  if (cli.database !== undefined && groups.size > 1) {
    throw new UsageError('OPTION_CONFLICT', `--database names one database, but the setups write to ${groups.size} (${[...groups.values()].map((g) => g.sink.id).join(', ')}): choose the setups of one database`);
  }
  const baseName = cli.datasource ?? DEFAULT_DATASOURCE_NAME;
  const datasources: GrafanaDatasource[] = [...groups.values()].map((g, i) => {
    const t = targetOf(g.sink, cli.database);
    return {
      name: i === 0 ? baseName : `${baseName} ${i + 1}`,
      uid: i === 0 ? DEFAULT_DATASOURCE_UID : `${DEFAULT_DATASOURCE_UID}-${i + 1}`,
      ...t,
      url: cli.url ?? t.url,
      setups: g.setups.map(grafanaSetup),
    };
  });
  if (datasources.length === 0) throw new UsageError('NO_SETUP', 'no setup to make Grafana files for');
  const fraction = positive('imon-fraction', cli.imonFraction, DEFAULT_THRESHOLDS.imonFraction);
  return {
    datasources,
    folder: cli.folder ?? DEFAULT_FOLDER,
    dashboardsPath: cli.dashboardsPath ?? DEFAULT_DASHBOARDS_PATH,
    imonFraction: fraction,
    vmonToleranceVolts: positive('vmon-tolerance', cli.vmonTolerance, DEFAULT_THRESHOLDS.vmonToleranceVolts),
    maxBoardCelsius: positive('max-temperature', cli.maxTemperature, DEFAULT_THRESHOLDS.maxBoardCelsius),
  };
}
