// The shipped schema is the one the loader uses, documents every key, and agrees with the code's tables;
// the shipped config/config.yml is valid for both, and so are its commented examples once uncommented.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import AjvModule from 'ajv';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { configSchema, type SchemaNode, schemaPath } from '../../src/config/schema.js';
import { LINK_TYPES, SYSTEM_TYPES } from '../../src/config/types.js';
import { BDSTATUS_BITS, CHSTATUS_BITS } from '../../src/status-bits.js';
import { DEFAULT_RESISTORS_MOHM, ELECTRODE_SUFFIXES } from '../../src/gem/resistors.js';
import { CASES, ROOT, runCli } from './helpers.js';

const SCHEMA_FILE = join(ROOT, 'config', 'gemcaen.schema.json');
const CONFIG_FILE = join(ROOT, 'config', 'config.yml');
const fileSchema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as SchemaNode;

function independentValidator(): (data: unknown) => boolean {
  const ajv = new AjvModule.default({ allErrors: true, strict: true });
  return ajv.compile(fileSchema) as (data: unknown) => boolean;
}

test('the loader validates with config/gemcaen.schema.json itself (single source)', () => {
  assert.equal(schemaPath(), SCHEMA_FILE);
  assert.deepEqual(configSchema(), fileSchema);
});

test('the schema is a valid draft-07 schema that strict ajv compiles', () => {
  const ajv = new AjvModule.default({ strict: true });
  assert.equal(ajv.validateSchema(fileSchema), true, JSON.stringify(ajv.errors));
  assert.equal(fileSchema.$schema, 'http://json-schema.org/draft-07/schema#');
});

test('every key of the schema has a title and a description', () => {
  const missing: string[] = [];
  const walk = (node: SchemaNode, path: string): void => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      if (child.$ref) continue; // documented at its definition
      if (!child.title || !child.description) missing.push(`${path}${key}`);
      walk(child, `${path}${key}.`);
    }
  };
  for (const [name, def] of Object.entries(fileSchema.definitions ?? {})) {
    if (!def.title || !def.description) missing.push(`definitions.${name}`);
    walk(def, `${name}.`);
  }
  assert.deepEqual(missing, []);
});

test('optional keys with a default carry it in the schema, and the schema agrees with the code tables', () => {
  const defs = fileSchema.definitions!;
  const settings = defs.settings.properties!;
  assert.deepEqual(
    Object.fromEntries(Object.entries(settings).filter(([k]) => k !== 'Groups' && k !== 'Alarms' && k !== 'Web').map(([k, v]) => [k, v.default])),
    { LogLevel: 'info', LogDirectory: 'logs', SpoolDirectory: 'data/spool', SpoolMaxMegabytes: 512, AuditFile: '', ControlDirectory: '', HealthListen: '127.0.0.1:8765', MetricsListen: '', BatchMaxLines: 5000, BatchMaxMilliseconds: 1000 },
  );
  const alarms = settings.Alarms!.properties!;
  assert.deepEqual(alarms.ChannelBits!.items!.enum, CHSTATUS_BITS.map((b) => b.name));
  assert.deepEqual(alarms.BoardBits!.items!.enum, BDSTATUS_BITS.map((b) => b.name));
  assert.deepEqual(alarms.BoardBits!.default, BDSTATUS_BITS.map((b) => b.name));
  assert.equal(defs.setup.properties!.HeartbeatSeconds.default, 300);
  assert.equal(defs.mainframe.properties!.KEEPALIVE_SECONDS.default, 10);
  assert.equal(defs.influxDB.properties!.VERSION.default, 2);
  const resistors = defs.setup.properties!.DividerResistorsMOhm.properties!;
  assert.deepEqual(Object.keys(resistors), [...ELECTRODE_SUFFIXES]);
  assert.deepEqual(Object.fromEntries(Object.entries(resistors).map(([k, v]) => [k, v.default])), DEFAULT_RESISTORS_MOHM);
  assert.deepEqual(defs.mainframe.properties!.CAENHV_BOARD_TYPE.enum, [...SYSTEM_TYPES]);
  assert.deepEqual(defs.mainframe.properties!.CAENHV_LINK_TYPE.enum, [...LINK_TYPES]);
});

test('config/config.yml: schema line for editors, valid for the schema and the loader, demo as specified', () => {
  const text = readFileSync(CONFIG_FILE, 'utf8');
  assert.match(text.split('\n')[0], /^# yaml-language-server: \$schema=\.\/gemcaen\.schema\.json$/);
  assert.equal(independentValidator()(parse(text, { merge: true })), true);
  const config = parseConfig(text, 'config/config.yml', { env: {}, cwd: ROOT });
  assert.deepEqual(config.warnings, []);
  assert.deepEqual([...config.groups], [['demo', ['DemoGEM', 'DemoBoard']]]);
  assert.deepEqual(
    { listen: config.settings.web?.listen, demo: config.settings.web?.demoAccount, users: config.settings.web?.users },
    { listen: '127.0.0.1:8780', demo: true, users: [] },
  );
  const mf = config.mainframes.get('127.0.0.1');
  assert.ok(mf);
  assert.deepEqual(
    { type: mf.systemType, user: mf.user, password: mf.password.reveal(), library: mf.library, simulated: mf.simulated },
    { type: 'SY4527', user: 'admin', password: 'admin', library: join(ROOT, 'build', 'sim', 'libcaenhvwrapper.so'), simulated: {} },
  );
  const gem = config.setups.get('DemoGEM');
  const board = config.setups.get('DemoBoard');
  assert.ok(gem && board);
  assert.deepEqual([gem.isGEM, gem.slot, gem.layer, gem.holdOffSeconds], [true, 0, 1, 1]);
  assert.deepEqual(gem.monitorables, ['VMon', 'IMon', 'V0Set', 'I0Set', 'Pw', 'Status', 'Ieq']);
  assert.deepEqual([board.isGEM, board.slot, board.channels], [false, 2, [0, 1, 2, 3]]);
  assert.equal(gem.sink, board.sink);
  assert.deepEqual(config.sinks.get(gem.sink), { kind: 'file', id: `file:${join(ROOT, 'data', 'demo')}`, directory: join(ROOT, 'data', 'demo') });
});

test('config/config.yml: the commented lab examples are valid once uncommented', () => {
  const text = readFileSync(CONFIG_FILE, 'utf8');
  const start = text.indexOf('### EXAMPLE');
  assert.ok(start > 0);
  const examples = text
    .slice(start)
    .split('\n')
    .filter((l) => !l.startsWith('###'))
    .map((l) => (l === '#' ? '' : l.replace(/^# /, '')))
    .join('\n');
  const env = { CAEN_PASSWORD: 'x-SECRET-caen', INFLUX_TOKEN: 'x-SECRET-token', INFLUX_PASSWORD: 'x-SECRET-v1' };
  const config = parseConfig(text.slice(0, start) + examples, 'config/config.yml', { env, cwd: ROOT });
  assert.deepEqual([...config.setups.keys()], ['DemoGEM', 'DemoBoard', 'ME0_0001_CERN', 'ME0_0001_CERN_LV', 'Drift904']);
  assert.equal(config.mainframes.get('192.168.0.10')?.password.reveal(), 'x-SECRET-caen');
  const kinds = [...config.sinks.values()].map((s) => s.kind).sort();
  assert.deepEqual(kinds, ['file', 'influx-v1', 'influx-v2']);
});

test('the schema alone (as an editor uses it) accepts the good cases and rejects schema-level mistakes', () => {
  const validate = independentValidator();
  for (const name of ['original-example', 'good-gem-options', 'good-influx-v1']) {
    assert.equal(validate(parse(readFileSync(join(CASES, name, 'config.yml'), 'utf8'), { merge: true })), true, name);
  }
  for (const name of ['bad-board-type', 'bad-layer-3', 'bad-holdoff-zero', 'bad-typo-holdofftime', 'bad-negative-deadband', 'bad-influx-version-3']) {
    assert.equal(validate(parse(readFileSync(join(CASES, name, 'config.yml'), 'utf8'), { merge: true })), false, name);
  }
});

test('gemcaen validate with no --config reads config/config.yml from the working directory', async () => {
  const r = await runCli(['validate']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^config\/config\.yml: valid, 2 setups on 1 mainframe/);
  assert.match(r.stdout, /DemoGEM/);
  assert.match(r.stdout, /demo: DemoGEM, DemoBoard/);
});
