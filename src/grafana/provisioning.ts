// The files a lab drops into Grafana: datasource, dashboard provider, alert rules (YAML under
// provisioning/) and the dashboards (JSON under dashboards/). Secrets are never written: the
// datasource reads $INFLUX_TOKEN / $INFLUX_PASSWORD from Grafana's environment at start.
import { stringify } from 'yaml';
import { buildAlertGroups } from './alerts.js';
import { buildDashboards } from './dashboards.js';
import type { GrafanaDatasource, GrafanaOptions } from './options.js';

export const PATHS = {
  datasources: 'provisioning/datasources/gemcaen.yaml',
  dashboardProvider: 'provisioning/dashboards/gemcaen.yaml',
  alerting: 'provisioning/alerting/gemcaen.yaml',
  dashboard: (uid: string) => `dashboards/${uid}.json`,
} as const;

function yamlFile(header: readonly string[], body: unknown): string {
  return `${header.map((l) => `# ${l}`.trimEnd()).join('\n')}\n${stringify(body, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

function datasourceEntry(ds: GrafanaDatasource): Record<string, unknown> {
  const jsonData: Record<string, unknown> = { version: 'InfluxQL', dbName: ds.database, httpMode: 'GET', timeInterval: '1s' };
  const entry: Record<string, unknown> = { name: ds.name, uid: ds.uid, type: 'influxdb', access: 'proxy', url: ds.url, database: ds.database };
  if (ds.version === 2) {
    // InfluxQL through the v1 compatibility API: the token goes in an Authorization header
    jsonData.httpHeaderName1 = 'Authorization';
    return { ...entry, jsonData, secureJsonData: { httpHeaderValue1: 'Token ${INFLUX_TOKEN}' } };
  }
  if (ds.user) return { ...entry, user: ds.user, jsonData, secureJsonData: { password: '${INFLUX_PASSWORD}' } };
  return { ...entry, jsonData };
}

export function datasourcesYaml(opts: GrafanaOptions): string {
  const header = [
    'Grafana datasources for gemcaen (written by `gemcaen grafana`), InfluxQL.',
    'Copy to /etc/grafana/provisioning/datasources/. Grafana replaces ${VAR} from its own environment.',
  ];
  for (const ds of opts.datasources) {
    if (ds.version === 2) {
      header.push(
        `"${ds.name}": InfluxDB 2.x bucket "${ds.bucket ?? ds.database}"${ds.org ? ` (org "${ds.org}")` : ''} queried with InfluxQL through /query,`,
        `  as database "${ds.database}": the bucket's DBRP mapping (virtual by default, or: influx v1 dbrp create`,
        `  --db "${ds.database}" --rp autogen --bucket-id BUCKET_ID --default). Set INFLUX_TOKEN (read access) for Grafana.`,
      );
    } else {
      header.push(`"${ds.name}": InfluxDB 1.x database "${ds.database}"${ds.user ? `, user ${ds.user} (set INFLUX_PASSWORD for Grafana)` : ''}.`);
    }
  }
  return yamlFile(header, { apiVersion: 1, datasources: opts.datasources.map(datasourceEntry) });
}

export function dashboardProviderYaml(opts: GrafanaOptions): string {
  return yamlFile(
    ['Dashboard provider for gemcaen: copy to /etc/grafana/provisioning/dashboards/ and the dashboards/*.json', `files to ${opts.dashboardsPath}/.`],
    {
      apiVersion: 1,
      providers: [
        { name: 'gemcaen', orgId: 1, folder: opts.folder, type: 'file', disableDeletion: false, allowUiUpdates: false, updateIntervalSeconds: 60, options: { path: opts.dashboardsPath } },
      ],
    },
  );
}

export function alertingYaml(opts: GrafanaOptions): string {
  return yamlFile(
    [
      'Grafana unified-alerting rules for gemcaen: copy to /etc/grafana/provisioning/alerting/.',
      `Thresholds: IMon > ${opts.imonFraction} x I0Set, |VMon - V0Set| > ${opts.vmonToleranceVolts} V, board Temp > ${opts.maxBoardCelsius} C.`,
      'Route them to a contact point with a notification policy (label gemcaen=true).',
    ],
    { apiVersion: 1, groups: buildAlertGroups(opts) },
  );
}

/** Every file, path relative to the output directory → content. Deterministic for the same options. */
export function grafanaFiles(opts: GrafanaOptions): Map<string, string> {
  const files = new Map<string, string>();
  files.set(PATHS.datasources, datasourcesYaml(opts));
  files.set(PATHS.dashboardProvider, dashboardProviderYaml(opts));
  files.set(PATHS.alerting, alertingYaml(opts));
  for (const d of buildDashboards(opts)) files.set(PATHS.dashboard(d.uid), `${JSON.stringify(d, null, 2)}\n`);
  return files;
}
