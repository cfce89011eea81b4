// The influxDB block of a setup: its schema fragment, its keys checked and turned into the config of an
// influx-v2 sink (default; also VictoriaMetrics) or, with VERSION: 1, an influx-v1 sink. Keys keep the seed's
// spelling: URL, TOKEN, ORG, DB_BUCKET; for 1.x DATABASE, RETENTION_POLICY, USER, PASSWORD.
import { shown } from '../../../config/issues.js';
import type { SchemaNode } from '../../../config/schema.js';
import { Secret } from '../../../config/secret.js';
import type { ParsedSink, SinkParseContext } from '../plugin.js';

export type InfluxV2Config = {
  kind: 'influx-v2';
  /** stable id: same coordinates → same sink, so setups sharing a bucket share one writer queue */
  id: string;
  /** without the query string (see query): safe to show */
  url: string;
  token: Secret;
  /** the URL's query string without "?" (e.g. u=…&p=…, how InfluxDB 1.x takes credentials): sent with every write, never shown */
  query?: Secret;
  org: string;
  bucket: string;
};

export type InfluxV1Config = {
  kind: 'influx-v1';
  id: string;
  /** without the query string (see query): safe to show */
  url: string;
  /** the URL's query string without "?" (e.g. u=…&p=…, how InfluxDB 1.x takes credentials): sent with every write, never shown */
  query?: Secret;
  database: string;
  retentionPolicy?: string;
  user?: string;
  password?: Secret;
};

export type InfluxConfig = InfluxV2Config | InfluxV1Config;

/** definitions.influxDB of config/gemcaen.schema.json */
export const INFLUX_SCHEMA: SchemaNode = {
  title: 'InfluxDB sink',
  description:
    'Where the readings are written: InfluxDB 2.x (URL, TOKEN, ORG, DB_BUCKET) or, with VERSION: 1, InfluxDB 1.x (URL, DATABASE or DB_BUCKET, optional RETENTION_POLICY, USER, PASSWORD).',
  type: 'object',
  required: ['URL'],
  additionalProperties: false,
  properties: {
    VERSION: {
      title: 'InfluxDB API version',
      description: '2 (default): InfluxDB 2.x API with token, org and bucket. 1: InfluxDB 1.x /write API with database and retention policy (also VictoriaMetrics).',
      type: 'integer',
      enum: [1, 2],
      default: 2,
    },
    URL: {
      title: 'Server URL',
      description: 'http:// or https:// URL of the server, e.g. http://localhost:8086.',
      type: 'string',
      pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#]+',
      examples: ['http://localhost:8086'],
    },
    TOKEN: {
      title: 'API token',
      description: 'Version 2: API token with write access to the bucket. Write ${INFLUX_TOKEN} to take it from the environment; it is never printed.',
      type: 'string',
      minLength: 1,
      examples: ['${INFLUX_TOKEN}'],
    },
    ORG: {
      title: 'Organisation',
      description: 'Version 2: organisation name (may contain spaces).',
      type: 'string',
      minLength: 1,
    },
    DB_BUCKET: {
      title: 'Bucket',
      description: 'Version 2: bucket name (may contain spaces). Version 1: the database when DATABASE is not given.',
      type: 'string',
      minLength: 1,
    },
    DATABASE: {
      title: 'Database (v1)',
      description: 'Version 1: database name. Default: DB_BUCKET.',
      type: 'string',
      minLength: 1,
    },
    RETENTION_POLICY: {
      title: 'Retention policy (v1)',
      description: "Version 1: retention policy. Default: the database's default policy.",
      type: 'string',
      minLength: 1,
    },
    USER: {
      title: 'User (v1)',
      description: 'Version 1: user name, when the server requires authentication.',
      type: 'string',
      minLength: 1,
    },
    PASSWORD: {
      title: 'Password (v1)',
      description: 'Version 1: password of USER. Write ${INFLUX_PASSWORD} to take it from the environment; it is never printed.',
      type: 'string',
    },
  },
};

const isString = (v: unknown): v is string => typeof v === 'string';

/** The influxDB block → an influx-v2 or influx-v1 sink config, or undefined (problems in ctx.issues). */
export function parseInflux(raw: Readonly<Record<string, unknown>>, ctx: SinkParseContext): ParsedSink<InfluxConfig> | undefined {
  const { path, issues } = ctx;
  const version = raw.VERSION === undefined ? INFLUX_SCHEMA.properties?.VERSION?.default : raw.VERSION;
  if (version !== 1 && version !== 2) return undefined; // reported by the schema
  let url: string | undefined;
  /** a query string (InfluxDB 1.x takes ?u=…&p=…): a secret, kept apart from the URL that is shown */
  let query: string | undefined;
  if (isString(raw.URL) && !issues.hasErrorUnder([...path, 'URL'])) {
    try {
      const parsed = new URL(raw.URL);
      if (parsed.username || parsed.password) {
        issues.error([...path, 'URL'], 'CONFIG_URL_WITH_CREDENTIALS', 'must not contain a user or password (they would be printed and logged with the URL); use TOKEN, or USER and PASSWORD with VERSION: 1');
      } else {
        if (parsed.search.length > 1) query = parsed.search.slice(1);
        parsed.search = '';
        parsed.hash = '';
        url = parsed.href.replace(/\/+$/, '');
      }
    } catch {
      issues.error([...path, 'URL'], 'CONFIG_BAD_URL', `must be an http:// or https:// URL (e.g. http://localhost:8086), not ${shown(raw.URL, [...path, 'URL'])}`);
    }
  }
  if (version === 2) {
    let ok = true;
    for (const key of ['TOKEN', 'ORG', 'DB_BUCKET']) {
      if (raw[key] === undefined) {
        ok = false;
        issues.error([...path, key], 'CONFIG_MISSING_KEY', `is missing; InfluxDB 2.x (VERSION 2, the default) needs URL, TOKEN, ORG and DB_BUCKET (for InfluxDB 1.x write VERSION: 1)`);
      }
    }
    for (const key of ['DATABASE', 'RETENTION_POLICY', 'USER', 'PASSWORD']) {
      if (raw[key] !== undefined) {
        ok = false;
        issues.error([...path, key], 'CONFIG_OTHER_INFLUX_VERSION', 'is for InfluxDB 1.x: add VERSION: 1, or remove it (InfluxDB 2.x uses TOKEN, ORG, DB_BUCKET)');
      }
    }
    if (!ok || !url || !isString(raw.TOKEN) || !isString(raw.ORG) || !isString(raw.DB_BUCKET)) return undefined;
    const id = `influx-v2:${url}|${raw.ORG}|${raw.DB_BUCKET}`;
    const config: InfluxV2Config = { kind: 'influx-v2', id, url, token: new Secret(raw.TOKEN), org: raw.ORG, bucket: raw.DB_BUCKET };
    if (query !== undefined) config.query = new Secret(query);
    return { config, credentials: JSON.stringify([raw.TOKEN, query ?? null]), credentialKey: 'TOKEN', sameTarget: 'URL, ORG and DB_BUCKET' };
  }
  // version 1
  let ok = true;
  const database = isString(raw.DATABASE) ? raw.DATABASE : isString(raw.DB_BUCKET) ? raw.DB_BUCKET : undefined;
  if (raw.DATABASE === undefined && raw.DB_BUCKET === undefined) {
    ok = false;
    issues.error([...path, 'DATABASE'], 'CONFIG_MISSING_KEY', 'is missing; InfluxDB 1.x (VERSION: 1) needs DATABASE (or DB_BUCKET)');
  }
  if (raw.PASSWORD !== undefined && raw.USER === undefined) {
    ok = false;
    issues.error([...path, 'USER'], 'CONFIG_MISSING_KEY', 'is missing; PASSWORD is given, so add the USER it belongs to');
  }
  for (const key of ['TOKEN', 'ORG']) {
    if (raw[key] !== undefined) issues.warn([...path, key], 'CONFIG_IGNORED_KEY', 'is not used by InfluxDB 1.x (VERSION: 1); ignored');
  }
  if (!ok || !url || database === undefined) return undefined;
  const rp = isString(raw.RETENTION_POLICY) ? raw.RETENTION_POLICY : undefined;
  const id = `influx-v1:${url}|${database}|${rp ?? ''}`;
  const config: InfluxV1Config = { kind: 'influx-v1', id, url, database };
  if (rp !== undefined) config.retentionPolicy = rp;
  if (isString(raw.USER)) config.user = raw.USER;
  if (isString(raw.PASSWORD)) config.password = new Secret(raw.PASSWORD);
  if (raw.PASSWORD === '') issues.warn([...path, 'PASSWORD'], 'CONFIG_EMPTY_PASSWORD', 'is empty, so InfluxDB gets an empty password; if it comes from ${VAR}, check that VAR is set (or remove PASSWORD and USER for a database without authentication)');
  if (query !== undefined) config.query = new Secret(query);
  return {
    config,
    credentials: JSON.stringify([raw.USER ?? null, raw.PASSWORD ?? null, query ?? null]),
    credentialKey: raw.USER !== undefined ? 'USER' : query !== undefined ? 'URL' : 'PASSWORD',
    sameTarget: 'URL, database and retention policy',
  };
}
