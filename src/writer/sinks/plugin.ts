// What a sink plugin provides (Telegraf's outputs): one folder under src/writer/sinks/ per config block of a
// setup (influxDB, FILE), listed once in registry.ts. Everything gemcaen knows about a kind of sink is in
// its folder: the block's schema fragment and the parsing of its keys, the id that makes setups share a
// sink, how it is described in logs, health and `validate`, which values are secrets, the Grafana
// datasource its data is read from, and the builder of the Sink that writes (its encoding and its write
// outcomes). The config side is light and loads anywhere; the builder loads only where it writes (load()).
import type { IssueList, KeyPath } from '../../config/issues.js';
import type { SchemaNode } from '../../config/schema.js';
import type { Secret } from '../../config/secret.js';
import type { GrafanaDatasource } from '../../grafana/options.js';
import type { Sink } from './sink.js';

/** A value of a sink's config: what structured cloning keeps, and Secret (sent as clear text, wire-config.ts). */
export type SinkConfigValue = string | number | boolean | Secret;

/** What every sink's config has; the rest is the plugin's own keys. */
export interface SinkConfigBase {
  /** the plugin's name for this kind of sink (health shows it): influx-v2, influx-v1, file */
  readonly kind: string;
  /** stable id: the same target → the same sink, so setups writing to one place share one writer queue */
  readonly id: string;
  readonly [key: string]: SinkConfigValue | undefined;
}

/** What the parser of a block gets: where the block is, and where its problems go. */
export interface SinkParseContext {
  /** the setup whose block it is */
  setup: string;
  /** [setup, block key] */
  path: KeyPath;
  issues: IssueList;
  /** a path of the config made absolute (relative to the working directory) */
  resolvePath(p: string): string;
}

/** A parsed block. */
export interface ParsedSink<C extends SinkConfigBase> {
  config: C;
  /** compared between setups whose blocks make the same sink id; never printed */
  credentials: string;
  /** the key (inside the block) that an error about differing credentials points at */
  credentialKey: string;
  /** what makes two blocks one sink, for that error: e.g. 'URL, ORG and DB_BUCKET' */
  sameTarget: string;
}

/** Where Grafana reads what this sink wrote: the datasource without its name, uid and setups. */
export type GrafanaTarget = Omit<GrafanaDatasource, 'name' | 'uid' | 'setups'>;

export interface SinkBuildOptions {
  /** per request, ms */
  timeoutMs: number;
}

/** Makes the Sink of a config (loaded in the writer thread only: it may pull in a client library). */
export type SinkBuilder<C extends SinkConfigBase> = (config: C, options: SinkBuildOptions) => Sink;

export interface SinkPlugin<C extends SinkConfigBase> {
  /** the setup key of its block (seed spelling): influxDB, FILE */
  readonly block: string;
  /** the kinds of sink its block makes (C['kind']) */
  readonly kinds: readonly C['kind'][];
  /** the block's JSON-schema definition: its name under definitions, and the node (config/gemcaen.schema.json holds it) */
  readonly schema: { readonly definition: string; readonly node: SchemaNode };
  /** the block's keys in words, for the message of a setup without a sink: e.g. 'URL, TOKEN, ORG, DB_BUCKET' */
  readonly keysHint: string;
  /** the block's keys whose values are secrets (never shown in a config message) */
  readonly secretKeys: readonly string[];
  /** true: its batches go through the durable spool (gemcaen.SpoolDirectory); false: the sink is itself durable */
  readonly spooled: boolean;
  /** a schema-checked block → its config, or undefined after recording the problems in ctx.issues */
  parse(raw: Readonly<Record<string, unknown>>, ctx: SinkParseContext): ParsedSink<C> | undefined;
  /** where it writes, in words, without credentials: logs, health, `validate` */
  describe(config: C): string;
  /** every text the logs must mask (the secrets and what is derived from them) */
  secrets(config: C): string[];
  /** where Grafana reads what it wrote; `key`: sinks with the same key share a datasource */
  grafana(config: C, database: string | undefined): { key: string; target: GrafanaTarget };
  /** the builder of its Sink, imported on first use */
  load(): Promise<SinkBuilder<C>>;
}

/**
 * A plugin as the registry holds it: the same functions over any sink config (see definePlugin).
 */
export type AnySinkPlugin = SinkPlugin<SinkConfigBase>;

/**
 * Wraps a plugin for the registry. Each function checks the config's kind against the plugin's kinds, so
 * that the one cast (to the plugin's own config type) is safe.
 */
export function definePlugin<C extends SinkConfigBase>(p: SinkPlugin<C>): AnySinkPlugin {
  const own = (c: SinkConfigBase): C => {
    if (!(p.kinds as readonly string[]).includes(c.kind)) throw new TypeError(`sink plugin ${p.block} got a sink of kind ${c.kind}`);
    return c as C;
  };
  return {
    block: p.block,
    kinds: p.kinds,
    schema: p.schema,
    keysHint: p.keysHint,
    secretKeys: p.secretKeys,
    spooled: p.spooled,
    parse: (raw, ctx) => p.parse(raw, ctx),
    describe: (c) => p.describe(own(c)),
    secrets: (c) => p.secrets(own(c)),
    grafana: (c, database) => p.grafana(own(c), database),
    load: async () => {
      const build = await p.load();
      return (c, o) => build(own(c), o);
    },
  };
}
