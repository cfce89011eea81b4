// Writes ajv's compiled validator of config/gemcaen.schema.json next to dist/src/config/schema.js, with the
// schema's fingerprint: every gemcaen command then loads it instead of compiling the schema (about 0.3 s of
// CPU each). src/config/schema.ts uses it only for the schema it was built from (run after tsc).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schemaModule = join(root, 'dist', 'src', 'config', 'schema.js');
const { AJV_OPTIONS, COMPILED_VALIDATOR_FILE, readSchema, schemaFingerprint } = await import(schemaModule);
const require = createRequire(import.meta.url);
const Ajv = require('ajv').default;
const standaloneCode = require('ajv/dist/standalone').default;

const schema = readSchema();
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
const code = standaloneCode(ajv, ajv.compile(schema));
const file = join(dirname(schemaModule), COMPILED_VALIDATOR_FILE);
writeFileSync(file, `${code}\nmodule.exports.fingerprint = ${JSON.stringify(schemaFingerprint(schema))};\n`);
