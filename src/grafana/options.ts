// What the Grafana files are generated from: the datasources (one per database gemcaen writes to),
// the setups that write there, and the alert thresholds.

/** The setup facts the dashboards and alert rules need (a narrow view of SetupConfig). */
export interface GrafanaSetup {
  name: string;
  isGEM: boolean;
  monitorables: readonly string[];
  holdOffSeconds: number;
  heartbeatSeconds: number;
}

export interface GrafanaDatasource {
  /** datasource name shown in Grafana */
  name: string;
  /** fixed uid the dashboards and alert rules refer to */
  uid: string;
  /** InfluxDB 1.x (database) or 2.x (bucket, queried with InfluxQL through its v1 API and a DBRP mapping) */
  version: 1 | 2;
  url: string;
  /** 1.x: the database; 2.x: the database name mapped to the bucket (the bucket's name for a virtual mapping) */
  database: string;
  /** 2.x: the bucket and org, for the docs and comments */
  bucket?: string;
  org?: string;
  retentionPolicy?: string;
  /** 1.x with auth: the user (the password comes from $INFLUX_PASSWORD in Grafana's environment) */
  user?: string;
  setups: readonly GrafanaSetup[];
}

export interface GrafanaOptions {
  datasources: readonly GrafanaDatasource[];
  /** Grafana folder of the dashboards and alert rules */
  folder: string;
  /** where the dashboard JSON files are on the Grafana host (the dashboard provider's path) */
  dashboardsPath: string;
  /** IMon above this fraction of I0Set alerts */
  imonFraction: number;
  /** |VMon − V0Set| above this (V) while on and not ramping alerts */
  vmonToleranceVolts: number;
  /** board temperature above this (°C) alerts */
  maxBoardCelsius: number;
}

export const DEFAULT_THRESHOLDS = { imonFraction: 0.9, vmonToleranceVolts: 5, maxBoardCelsius: 50 } as const;
export const DEFAULT_FOLDER = 'gemcaen';
export const DEFAULT_DASHBOARDS_PATH = '/var/lib/grafana/dashboards/gemcaen';
/** the database a lab loads gemcaen's line-protocol files into, unless --database names another */
export const DEFAULT_FILE_DATABASE = 'gemcaen';
/** where Grafana finds that database, unless --url names another */
export const DEFAULT_GRAFANA_INFLUX_URL = 'http://localhost:8086';

/**
 * How long a setup may stay silent in the database before it counts as "no data": every value is
 * rewritten at least once per heartbeat while the setup is scanned, plus a margin for the scan
 * interval and the batching (at least 60 s, or two HoldOffTimes).
 */
export function silenceLimitSeconds(s: GrafanaSetup): number {
  return s.heartbeatSeconds + Math.max(60, 2 * s.holdOffSeconds);
}
