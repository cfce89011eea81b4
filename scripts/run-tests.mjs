// Node 20's test runner does not expand globs: list the compiled test files and run them.
// Usage: node scripts/run-tests.mjs [name-filter ...]
// Test files are independent (own ports, loopback addresses, temp dirs) and run concurrently, most of
// their time being spent waiting on servers and crates: GEMCAEN_TEST_CONCURRENCY files at once
// (default 3 on this project's 2-core machines), the long fault suite started first.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
const filters = process.argv.slice(2);
const files = walk(join('dist', 'test')).sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) { console.error('run-tests: no compiled tests found under dist/test (run npm run build)'); process.exit(1); }
const concurrency = Number(process.env.GEMCAEN_TEST_CONCURRENCY ?? 3);
if (!Number.isInteger(concurrency) || concurrency < 1) { console.error(`run-tests: GEMCAEN_TEST_CONCURRENCY=${process.env.GEMCAEN_TEST_CONCURRENCY}: use a whole number of at least 1`); process.exit(2); }
const slowFirst = [...files.filter((f) => f.includes(join('test', 'faults'))), ...files.filter((f) => !f.includes(join('test', 'faults')))];
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...slowFirst], { stdio: 'inherit' });
process.exit(r.status ?? 1);
