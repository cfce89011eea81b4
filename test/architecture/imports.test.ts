// The dependency rules of the README ("How it is built"), checked on the imports of the TypeScript
// sources: cli → supervisor → {protocol, config, log, errors}; workers/mainframe → poll → caen;
// workers/writer → writer; protocol and errors import nothing of the project; src never imports sim.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { repoRoot } from '../helpers/cli.js';

interface Import {
  from: string;
  /** repository-relative path of the imported module (.ts), or the package name */
  to: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every static and dynamic import of the project's TypeScript files under these folders. */
function importsOf(...folders: string[]): Import[] {
  const out: Import[] = [];
  for (const file of folders.flatMap((f) => walk(join(repoRoot, f)))) {
    const text = readFileSync(file, 'utf8');
    const from = relative(repoRoot, file);
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
      const spec = (m[1] ?? m[2]) as string;
      const to = spec.startsWith('.') ? normalize(join(dirname(from), spec)).replace(/\.js$/, '.ts') : spec;
      out.push({ from, to });
    }
  }
  return out;
}

const all = importsOf('src', 'workers');
const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);

function violations(rule: (i: Import) => boolean): string[] {
  return all.filter(rule).map((i) => `${i.from} → ${i.to}`);
}

test('the import scan sees the project (a rule over nothing proves nothing)', () => {
  assert.ok(all.length > 200, `${all.length} imports read`);
  assert.ok(all.some((i) => i.from === 'src/cli/main.ts' && i.to === 'src/cli/start.ts'));
});

test('src never imports the simulator', () => {
  assert.deepEqual(violations((i) => under(i.to, 'sim')), []);
});

test('errors.ts imports nothing of the project; protocol.ts only types (erased: any thread can load them)', () => {
  assert.deepEqual(violations((i) => i.from === 'src/errors.ts' && i.to.startsWith('src/')), []);
  const protocol = readFileSync(join(repoRoot, 'src', 'protocol.ts'), 'utf8');
  const valueImports = [...protocol.matchAll(/^\s*(import|export)\s(?!type\s)[^;]*?from\s+'(\.[^']+)'/gm)].map((m) => m[2]);
  assert.deepEqual(valueImports, [], 'protocol.ts imports values of the project');
});

test('the shapes handed to a thread are declared in protocol.ts: no interface or type is declared in workers/', () => {
  const declared = walk(join(repoRoot, 'workers')).flatMap((f) =>
    [...readFileSync(f, 'utf8').matchAll(/^\s*(?:export\s+)?(?:interface|type)\s+(\w+)/gm)].map((m) => `${relative(repoRoot, f)}: ${m[1]}`),
  );
  assert.deepEqual(declared, []);
  const worker = readFileSync(join(repoRoot, 'workers', 'mainframe.worker.ts'), 'utf8');
  assert.match(worker, /export default async function run\(task: MainframeTask\)/, 'the mainframe task is typed with protocol.ts\'s MainframeTask');
  const supervisor = readFileSync(join(repoRoot, 'src', 'supervisor', 'mainframe-workers.ts'), 'utf8');
  assert.match(supervisor, /const task: MainframeTask = /, 'the supervisor builds the task as a MainframeTask');
});

test('koffi and the binding that calls CAEN functions load only through the poller (mainframe worker), control and the CLI, never in the supervisor or the writer', () => {
  const callsCaen = (to: string) => to === 'koffi' || to === 'src/caen/library.ts' || to === 'src/caen/mainframe.ts';
  const mayCall = (from: string) => ['src/caen', 'src/poll', 'src/control', 'src/cli'].some((f) => under(from, f));
  assert.deepEqual(violations((i) => callsCaen(i.to) && !mayCall(i.from)), []);
  assert.deepEqual(violations((i) => (under(i.from, 'src/supervisor') || under(i.from, 'src/writer') || under(i.from, 'src/extensions')) && under(i.to, 'src/caen') && i.to !== 'src/caen/discover.ts'), []);
});

test('the writer never sees CAEN or the poller', () => {
  assert.deepEqual(violations((i) => (under(i.from, 'src/writer') || i.from === 'workers/writer.worker.ts') && (under(i.to, 'src/caen') || under(i.to, 'src/poll'))), []);
});

test('the supervisor and control take no helpers from the poller (the poller runs in the mainframe worker)', () => {
  assert.deepEqual(violations((i) => (under(i.from, 'src/supervisor') || under(i.from, 'src/control')) && under(i.to, 'src/poll')), []);
});

test('the binding imports nothing of gemcaen but errors and the header\'s status bits (it is a binding, nothing else)', () => {
  const allowed = ['src/errors.ts', 'src/status-bits.ts'];
  assert.deepEqual(violations((i) => under(i.from, 'src/caen') && i.to.startsWith('src/') && !under(i.to, 'src/caen') && !allowed.includes(i.to)), []);
});

test('nothing below the CLI imports the CLI', () => {
  assert.deepEqual(violations((i) => !under(i.from, 'src/cli') && under(i.to, 'src/cli')), []);
});
