// A gemcaen config → the options of the Grafana files: one datasource per database the chosen
// setups write to (setups writing line-protocol files share one, to be loaded into a database
// named by --database), with those setups' heartbeats and monitorables.
import type { SetupConfig, SinkConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import { DEFAULT_DASHBOARDS_PATH, DEFAULT_FOLDER, DEFAULT_THRESHOLDS, type GrafanaDatasource, type GrafanaOptions, type GrafanaSetup } from './options.js';
import type { GrafanaTarget } from '../writer/sinks/plugin.js';
import { pluginOf } from '../writer/sinks/registry.js';

export const DEFAULT_DATASOURCE_NAME = 'gemcaen InfluxDB';
export const DEFAULT_DATASOURCE_UID = 'gemcaen-influxdb';

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

function positive(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v <= 0) throw new UsageError('USAGE', `--${name} must be a positive number, got ${v}`);
  return v;
}

export function grafanaOptionsFrom(setups: readonly SetupConfig[], sinks: ReadonlyMap<string, SinkConfig>, cli: GrafanaCliOptions): GrafanaOptions {
  // one datasource per place Grafana reads (the sink's plugin says which: every file sink shares one)
  const groups = new Map<string, { sink: SinkConfig; target: GrafanaTarget; setups: SetupConfig[] }>();
  for (const s of setups) {
    const sink = sinks.get(s.sink);
    if (!sink) continue;
    const { key, target } = pluginOf(sink.kind).grafana(sink, cli.database);
    const g = groups.get(key) ?? { sink, target, setups: [] };
    g.setups.push(s);
    groups.set(key, g);
  }
  if (cli.database !== undefined && groups.size > 1) {
    throw new UsageError('OPTION_CONFLICT', `--database names one database, but the setups write to ${groups.size} (${[...groups.values()].map((g) => g.sink.id).join(', ')}): choose the setups of one database`);
  }
  const baseName = cli.datasource ?? DEFAULT_DATASOURCE_NAME;
  const datasources: GrafanaDatasource[] = [...groups.values()].map((g, i) => {
    const t = g.target;
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
