// The sink seam: every kind of sink is a plugin folder under src/writer/sinks/, listed once in registry.ts,
// and nothing else in gemcaen knows the kinds. Adding a kind therefore touches its folder, the registry
// and the schema file's generated part (docs/writer.md, "Adding a sink"); these tests fail when that stops
// being true.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../../src/config/load.js';
import { Secret } from '../../src/config/secret.js';
import { schemaPath } from '../../src/config/schema.js';
import type { SinkConfig } from '../../src/config/types.js';
import { createSink } from '../../src/writer/create-sink.js';
import { type AnySinkPlugin } from '../../src/writer/sinks/plugin.js';
import { describeSink, pluginOf, SINK_PLUGINS, sinkSecrets } from '../../src/writer/sinks/registry.js';
import { sinkFromWire, sinkToWire } from '../../src/writer/wire-config.js';
import { schemaWithSinks } from '../../scripts/sink-schema.js';
import { repoRoot } from '../helpers/cli.js';

const SINKS = 'src/writer/sinks';
/** the plugin API and the registry: the files of src/writer/sinks/ outside the plugin folders */
const SEAM = [`${SINKS}/plugin.ts`, `${SINKS}/sink.ts`, `${SINKS}/registry.ts`];
/** what a plugin may use of the rest of gemcaen (the line protocol it receives, the outcome table, config helpers) */
const SHARED = ['src/config/issues.ts', 'src/config/schema.ts', 'src/config/secret.ts', 'src/writer/outcome.ts', 'src/writer/line-protocol.ts', 'src/grafana/options.ts', 'src/errors.ts'];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

interface Import {
  from: string;
  to: string;
  dynamic: boolean;
  /** import type …: erased, loads nothing */
  typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*((?:import|export)\s[^;]*?)from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
    const spec = (m[2] ?? m[3]) as string;
    const to = spec.startsWith('.') ? normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts') : spec;
    out.push({ from: file, to, dynamic: m[3] !== undefined, typeOnly: /^(?:import|export)\s+type\s/.test(m[1] ?? '') });
  }
  return out;
}

const sources = ['src', 'workers'].flatMap((f) => walk(join(repoRoot, f))).map((p) => relative(repoRoot, p));
const folders = readdirSync(join(repoRoot, SINKS)).filter((n) => statSync(join(repoRoot, SINKS, n)).isDirectory());
const folderOf = (file: string): string | undefined => folders.find((f) => file.startsWith(`${SINKS}/${f}/`));

test('every folder under src/writer/sinks/ is a plugin of the registry, and the registry lists nothing else', async () => {
  assert.ok(folders.length >= 2, `plugin folders: ${folders.join(', ')}`);
  const found: AnySinkPlugin[] = [];
  for (const f of folders) {
    const mod = (await import(pathToFileURL(join(repoRoot, 'dist', SINKS, f, 'index.js')).href)) as Record<string, unknown>;
    const plugins = Object.values(mod).filter((v): v is AnySinkPlugin => SINK_PLUGINS.includes(v as AnySinkPlugin));
    assert.equal(plugins.length, 1, `${SINKS}/${f}/index.ts exports one plugin of SINK_PLUGINS`);
    found.push(plugins[0]);
  }
  assert.deepEqual(new Set(found), new Set(SINK_PLUGINS));
  const kinds = SINK_PLUGINS.flatMap((p) => p.kinds);
  assert.equal(new Set(kinds).size, kinds.length, 'each kind is made by one plugin');
  const blocks = SINK_PLUGINS.map((p) => p.block);
  assert.equal(new Set(blocks).size, blocks.length, 'each block belongs to one plugin');
  for (const k of kinds) assert.equal(pluginOf(k).kinds.includes(k), true);
  assert.throws(() => pluginOf('mqtt'), RangeError);
});

test('a plugin folder is self-contained: it imports its own files, the plugin API and a few shared modules', () => {
  const bad = sources
    .filter((f) => folderOf(f) !== undefined)
    .flatMap(importsOf)
    .filter((i) => i.to.startsWith('src/') && !i.to.startsWith(`${SINKS}/${folderOf(i.from)}/`) && !SEAM.includes(i.to) && !SHARED.includes(i.to));
  assert.deepEqual(bad.map((i) => `${i.from} → ${i.to}`), []);
});

test('only the registry imports a plugin folder, and its static imports never reach a builder or a client library', () => {
  const outside = sources.filter((f) => folderOf(f) === undefined).flatMap(importsOf);
  assert.deepEqual(
    outside.filter((i) => folderOf(i.to) !== undefined && i.from !== `${SINKS}/registry.ts`).map((i) => `${i.from} → ${i.to}`),
    [],
  );
  // what config, supervisor and CLI load with the registry: no package, nothing a builder imports
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of importsOf(file)) {
      if (i.dynamic || i.typeOnly) continue;
      if (i.to.startsWith('src/')) visit(i.to);
      else if (!i.to.startsWith('node:')) packages.add(i.to);
    }
  };
  visit(`${SINKS}/registry.ts`);
  assert.deepEqual([...packages], []);
  assert.ok(seen.has(`${SINKS}/influx/config.ts`) && !seen.has(`${SINKS}/influx/http-post.ts`), [...seen].join(', '));
});

test('no module outside the plugin folders branches on a kind of sink', () => {
  const kinds = SINK_PLUGINS.flatMap((p) => p.kinds);
  const hits: string[] = [];
  for (const f of sources.filter((s) => folderOf(s) === undefined)) {
    const text = readFileSync(join(repoRoot, f), 'utf8');
    for (const k of kinds) {
      const q = `['"]${k}['"]`;
      if (new RegExp(`case ${q}|kind\\s*[!=]==?\\s*${q}|${q}\\s*[!=]==?\\s*\\w*\\.?kind`).test(text)) hits.push(`${f}: ${k}`);
    }
  }
  assert.deepEqual(hits, []);
});

test('config/gemcaen.schema.json holds each plugin\'s schema fragment exactly (node dist/scripts/sink-schema.js --write)', () => {
  const text = readFileSync(schemaPath(), 'utf8');
  assert.equal(schemaWithSinks(text), text);
  const schema = JSON.parse(text) as { definitions: Record<string, unknown> & { setup: { properties: Record<string, unknown> } } };
  for (const p of SINK_PLUGINS) {
    assert.deepEqual(schema.definitions[p.schema.definition], p.schema.node);
    assert.deepEqual(schema.definitions.setup.properties[p.block], { $ref: `#/definitions/${p.schema.definition}` });
  }
  // the generator adds a missing fragment where the file expects it
  const without = text.replace(/,\n {8}"FILE": \{ "\$ref": "#\/definitions\/file" \}/, '');
  assert.notEqual(without, text);
  assert.equal(schemaWithSinks(without), text);
});

/** one setup per sink of every kind, with every secret a block can hold */
const YAML = `
V2:
  Monitorables: [VMon]
  HoldOffTime: 5
  isGEMDetector: false
  MAINFRAME: &mf {CAENHV_BOARD_TYPE: SY4527, CAENHV_LINK_TYPE: TCPIP, CAENHV_BOARD_ADDRESS: 127.0.0.9, CAENHV_USER: admin, CAENHV_PASSWORD: mainframe-pw}
  BOARD: {SLOT: 0, CHANNELS: [0]}
  influxDB: {URL: "http://127.0.0.1:8086/?u=qs-user&p=qs-secret", TOKEN: v2-token-secret, ORG: o, DB_BUCKET: b}
V1:
  Monitorables: [VMon]
  HoldOffTime: 5
  isGEMDetector: false
  MAINFRAME: *mf
  BOARD: {SLOT: 1, CHANNELS: [0]}
  influxDB: {VERSION: 1, URL: "http://127.0.0.1:8086", DATABASE: d, RETENTION_POLICY: rp, USER: writer, PASSWORD: v1-password-secret}
F:
  Monitorables: [VMon]
  HoldOffTime: 5
  isGEMDetector: false
  MAINFRAME: *mf
  BOARD: {SLOT: 2, CHANNELS: [0]}
  FILE: {DIRECTORY: /tmp/gemcaen-sink-seam}
`;
const SECRETS = ['qs-secret', 'v2-token-secret', 'v1-password-secret'];

function sinks(): SinkConfig[] {
  return [...parseConfig(YAML, 'seam.yml', { env: {}, cwd: '/tmp' }).sinks.values()];
}

test('each kind parsed from its block crosses to the writer thread and back unchanged, secrets included', () => {
  const all = sinks();
  assert.deepEqual(new Set(all.map((s) => s.kind)), new Set(SINK_PLUGINS.flatMap((p) => p.kinds)), 'the sample covers every kind');
  for (const c of all) {
    const back = sinkFromWire(structuredClone(sinkToWire(c)));
    const reveal = (x: SinkConfig): Record<string, unknown> => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, v instanceof Secret ? `secret:${v.reveal()}` : v]));
    assert.deepEqual(reveal(back), reveal(c), c.kind);
  }
  assert.throws(() => sinkFromWire({ kind: 'mqtt', id: 'x' }), RangeError);
});

test('each kind names its secrets for the logs\' mask, and its description shows none of them', () => {
  const all = sinks();
  const named = all.flatMap(sinkSecrets);
  for (const s of SECRETS) assert.ok(named.includes(s), `${s} is masked`);
  for (const c of all) {
    for (const [key, v] of Object.entries(c)) if (v instanceof Secret) assert.ok(sinkSecrets(c).includes(v.reveal()), `${c.kind}.${key} is masked`);
    const text = describeSink(c);
    for (const s of SECRETS) assert.equal(text.includes(s), false, `${c.kind}: ${text}`);
  }
});

test('each kind builds its Sink through the registry, with its own kind and a target without secrets', async () => {
  for (const c of sinks()) {
    const sink = await createSink(c, 1000);
    assert.equal(sink.kind, c.kind);
    assert.equal(sink.id, c.id);
    for (const s of SECRETS) assert.equal(sink.target.includes(s), false, sink.target);
    assert.equal(sink.outcome({ status: 204 }), 'accept');
    await sink.close();
  }
});

test('docs/writer.md "Adding a sink" names every plugin folder and block of the registry, and the files a new kind touches', () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'writer.md'), 'utf8');
  const start = doc.indexOf('## Adding a sink');
  assert.ok(start >= 0, 'the section exists');
  const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
  for (const f of folders) assert.ok(section.includes(`\`${f}/\``), `names the folder ${f}/`);
  for (const p of SINK_PLUGINS) assert.ok(section.includes(`\`${p.block}\``), `names the block ${p.block}`);
  for (const file of [`${SINKS}/registry.ts`, `${SINKS}/plugin.ts`, 'config/gemcaen.schema.json', 'dist/scripts/sink-schema.js', 'test/architecture/sinks.test.ts'])
    assert.ok(section.includes(file), `names ${file}`);
});
