// The build's compiled validator of the config schema (scripts/build-validator.mjs) is what every command
// uses instead of compiling the schema: it must be the shipped schema's, and judge every config exactly as
// ajv compiling that schema at run time does.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { AJV_OPTIONS, COMPILED_VALIDATOR_FILE, readSchema, schemaFingerprint } from '../../src/config/schema.js';
import { CASES, ROOT } from './helpers.js';

const BUILT = join(ROOT, 'dist', 'src', 'config', COMPILED_VALIDATOR_FILE);

function built(): ValidateFunction & { fingerprint?: string } {
  return createRequire(import.meta.url)(BUILT) as ValidateFunction & { fingerprint?: string };
}

/** what a validation says: valid or not, and each error without the schema objects it points into */
function verdict(validate: ValidateFunction, data: unknown): { valid: boolean; errors: Omit<ErrorObject, 'schema' | 'parentSchema'>[] } {
  const valid = validate(data);
  return { valid, errors: (validate.errors ?? []).map(({ schema: _s, parentSchema: _p, ...rest }) => rest) };
}

test('the build wrote the compiled validator of the shipped schema (the fingerprint of config/gemcaen.schema.json)', () => {
  assert.ok(existsSync(BUILT), `${BUILT} is missing: npm run build writes it`);
  assert.equal(built().fingerprint, schemaFingerprint(readSchema()));
});

test('a schema that differs has another fingerprint, so a stale compiled validator is not used', () => {
  const schema = readSchema();
  assert.notEqual(schemaFingerprint({ ...schema, title: `${schema.title ?? ''} (edited)` }), schemaFingerprint(schema));
});

test('the compiled validator and ajv compiling the schema give the same errors for every config case and odd trees', () => {
  const compiled = new AjvModule.default(AJV_OPTIONS).compile(readSchema());
  const trees: unknown[] = [null, 1, 'text', [], {}, { gemcaen: 'x' }, { S: [] }, { S: { HoldOffTime: -1, extra: true } }];
  const names = readdirSync(CASES).filter((n) => existsSync(join(CASES, n, 'config.yml')));
  for (const name of names) {
    try {
      const tree: unknown = parse(readFileSync(join(CASES, name, 'config.yml'), 'utf8'), { version: '1.1', merge: true, uniqueKeys: false });
      JSON.stringify(tree);
      trees.push(tree);
    } catch {
      // not YAML, or a recursive alias (cases of their own, refused before the schema): nothing for the schema to judge
    }
  }
  assert.ok(trees.length > 50, `only ${trees.length} trees`);
  let invalid = 0;
  for (const tree of trees) {
    const want = verdict(compiled, tree);
    assert.deepEqual(verdict(built(), tree), want, JSON.stringify(tree));
    if (!want.valid) invalid++;
  }
  assert.ok(invalid > 20, `only ${invalid} trees with errors: the comparison would prove little`);
});
