// A real InfluxDB 1.6 server (Debian's influxd) for tests: 127.0.0.1, free ports, data in a temp dir.
// stop()/start()/restart() keep the port and the data, so outages can be simulated.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, serverProcess, type ServerProcess } from './server-process.js';

export { freePort };

export type Row = Record<string, unknown>;

export interface InfluxDBServer extends ServerProcess {
  url: string;
  port: number;
  /** runs InfluxQL (GET /query?epoch=ms), returns the rows of the first series of every statement, each with time in ms */
  query(influxql: string, db?: string): Promise<Row[]>;
  /** runs any statement with POST /query (CREATE, DROP, GRANT…); throws on an error answer */
  exec(influxql: string, db?: string): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

export interface InfluxDBOptions {
  /** enables auth-enabled and creates this admin user; query/exec then authenticate as it */
  auth?: { user: string; password: string };
}

export async function startInfluxDB(opts: InfluxDBOptions = {}): Promise<InfluxDBServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gemcaen-influxdb-'));
  const port = await freePort();
  const rpcPort = await freePort();
  const config = join(dir, 'influxdb.conf');
  writeFileSync(
    config,
    [
      'reporting-enabled = false',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${join(dir, 'meta')}"`,
      '[data]',
      `  dir = "${join(dir, 'data')}"`,
      `  wal-dir = "${join(dir, 'wal')}"`,
      '  query-log-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${port}"`,
      `  auth-enabled = ${opts.auth ? 'true' : 'false'}`,
      '  log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[continuous_queries]',
      '  enabled = false',
      '[logging]',
      '  level = "warn"',
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${port}`;
  const server = serverProcess({
    command: 'influxd',
    args: ['run', '-config', config],
    healthUrl: `${url}/ping`,
    ready: (r) => r.status === 204,
    dir,
  });
  const authHeader: Record<string, string> = opts.auth
    ? { authorization: 'Basic ' + Buffer.from(`${opts.auth.user}:${opts.auth.password}`).toString('base64') }
    : {};

  async function post(q: string, db?: string): Promise<unknown> {
    const body = new URLSearchParams({ q });
    if (db) body.set('db', db);
    const r = await fetch(`${url}/query`, { method: 'POST', body, headers: authHeader });
    const j = (await r.json()) as { error?: string; results?: Array<{ error?: string }> };
    const err = j.error ?? j.results?.find((x) => x.error)?.error;
    if (!r.ok || err) throw new Error(`influxdb ${q}: ${r.status} ${err ?? ''}`);
    return j;
  }

  await server.start();
  if (opts.auth) {
    // the first admin user can be created without credentials
    const body = new URLSearchParams({ q: `CREATE USER "${opts.auth.user}" WITH PASSWORD '${opts.auth.password}' WITH ALL PRIVILEGES` });
    const r = await fetch(`${url}/query`, { method: 'POST', body });
    if (!r.ok) throw new Error(`influxdb: cannot create admin user: ${r.status} ${await r.text()}`);
  }

  return {
    url,
    port,
    async query(influxql, db) {
      const params = new URLSearchParams({ q: influxql, epoch: 'ms' });
      if (db) params.set('db', db);
      const r = await fetch(`${url}/query?${params}`, { headers: authHeader });
      const j = (await r.json()) as {
        error?: string;
        results?: Array<{ error?: string; series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }> }>;
      };
      const err = j.error ?? j.results?.find((x) => x.error)?.error;
      if (!r.ok || err) throw new Error(`influxdb query ${influxql}: ${r.status} ${err ?? ''}`);
      const rows: Row[] = [];
      for (const res of j.results ?? [])
        for (const s of res.series ?? [])
          for (const v of s.values) {
            const row: Row = { ...(s.tags ?? {}) };
            s.columns.forEach((c, i) => (row[c] = v[i]));
            rows.push(row);
          }
      return rows;
    },
    async exec(influxql, db) {
      await post(influxql, db);
    },
    async createDatabase(name) {
      await post(`CREATE DATABASE "${name}"`);
    },
    ...server,
  };
}
