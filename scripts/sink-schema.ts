// config/gemcaen.schema.json holds each sink plugin's schema fragment (src/writer/sinks/<plugin>/): its
// definition, and a $ref to it under the setup's properties. This script writes them into the file from the
// registry, leaving every other byte as it is (the rest of the file is written by hand):
//   node dist/scripts/sink-schema.js          checks, exit 1 when the file differs from the registry
//   node dist/scripts/sink-schema.js --write  rewrites the sink parts of the file
// test/architecture/sinks.test.ts runs the check.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMap, parseDocument, type Node } from 'yaml';
import { schemaPath } from '../src/config/schema.js';
import { SINK_PLUGINS } from '../src/writer/sinks/registry.js';

/** JSON as the schema file writes it: two spaces, lists of plain values and a lone $ref on one line. */
export function formatJson(value: unknown, depth: number): string {
  const pad = '  '.repeat(depth + 1);
  const end = '  '.repeat(depth);
  if (Array.isArray(value)) {
    if (value.every((x) => x === null || typeof x !== 'object')) return `[${value.map((x) => JSON.stringify(x)).join(', ')}]`;
    return `[\n${value.map((x) => pad + formatJson(x, depth + 1)).join(',\n')}\n${end}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    if (entries.length === 1 && entries[0][0] === '$ref') return `{ "$ref": ${JSON.stringify(entries[0][1])} }`;
    return `{\n${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${formatJson(v, depth + 1)}`).join(',\n')}\n${end}}`;
  }
  return JSON.stringify(value);
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Puts `key: value` into the JSON object at `path` of the text: replaces the value when the key is there, else appends the pair. */
function put(text: string, path: readonly string[], key: string, value: unknown, edits: Edit[]): void {
  const doc = parseDocument(text);
  const parent = doc.getIn(path, true) as Node | undefined;
  if (!isMap(parent)) throw new Error(`${path.join('.')} is not an object in the schema file`);
  const depth = path.length;
  const existing = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
  const formatted = formatJson(value, depth + 1);
  if (existing) {
    const node = existing.value as Node;
    const [start, end] = node.range ?? [0, 0];
    if (text.slice(start, end) !== formatted) edits.push({ start, end, text: formatted });
    return;
  }
  const last = parent.items[parent.items.length - 1];
  const at = (last?.value as Node | undefined)?.range?.[1];
  if (at === undefined) throw new Error(`${path.join('.')} is empty in the schema file: add the first key by hand`);
  edits.push({ start: at, end: at, text: `,\n${'  '.repeat(depth + 1)}${JSON.stringify(key)}: ${formatted}` });
}

/** The schema file's text with every plugin's fragment as the registry has it. */
export function schemaWithSinks(text: string): string {
  let out = text;
  for (const p of SINK_PLUGINS) {
    // one edit at a time: each changes the offsets of what follows
    for (const [path, key, value] of [
      [['definitions'], p.schema.definition, p.schema.node],
      [['definitions', 'setup', 'properties'], p.block, { $ref: `#/definitions/${p.schema.definition}` }],
    ] as const) {
      const edits: Edit[] = [];
      put(out, path, key, value, edits);
      for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = schemaPath();
  const text = readFileSync(file, 'utf8');
  const wanted = schemaWithSinks(text);
  if (process.argv.includes('--write')) {
    if (wanted !== text) writeFileSync(file, wanted);
    process.stdout.write(`${file}: ${wanted === text ? 'already up to date' : 'sink fragments written'}\n`);
  } else if (wanted !== text) {
    process.stderr.write(`${file} differs from the sink plugins' schema fragments: run node dist/scripts/sink-schema.js --write\n`);
    process.exit(1);
  } else process.stdout.write(`${file}: the sink fragments match the registry\n`);
}
