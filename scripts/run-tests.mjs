// Node 20's test runner does not expand globs: list the compiled test files and run them.
// Usage: node scripts/run-tests.mjs [name-filter ...]
// Test files are independent (own ports, loopback addresses, temp dirs) and run concurrently, most of
// their time being spent waiting on servers and crates: GEMCAEN_TEST_CONCURRENCY files at once
// (default 4 on this project's 2-core machines), the longest files first (LONGEST_FIRST), so that the
// run does not end on a long file started late. `node --test a b` sorts its files by name, so the files
// are handed to node:test's run() in that order instead. At the end each file's time is printed, longest
// first (scripts/test-file-times.mjs; GEMCAEN_TEST_TIMES=all lists every file): keep LONGEST_FIRST in that order.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import fileTimes from './test-file-times.mjs';

/**
 * The files that take longest, longest first (paths under test/, without .test.ts); the others follow in
 * name order. From the reporter's per-file times of whole runs on a 2-core machine.
 */
const LONGEST_FIRST = [
  'faults/database-outage', // case 1: the 60 s outage, then the sink's back-off
  'faults/inputs', // cases 7 and 8: a CLI process per malformed config and per bad set input
  'cli/set',
  'daemon/signals',
  'faults/database',
  'web/browser',
  'web/user-cli',
  'faults/crate',
  'web/tls',
  'daemon/faults',
  'daemon/events',
  'daemon/login-failures',
  'sim/cli',
  'web/demo',
  'faults/spool-full',
  'cli/ieq',
  'faults/crate-keepalive',
  'faults/database-outage-v2',
  'control/daemon-control',
  'caen/memory',
  'gem/daemon',
  'faults/secrets',
  'daemon/npm-signals',
];

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

/** position of a file in the run: its place in LONGEST_FIRST, or after all of them */
function rank(file) {
  const i = LONGEST_FIRST.findIndex((name) => file === join('dist', 'test', `${name}.test.js`));
  return i < 0 ? LONGEST_FIRST.length : i;
}

const filters = process.argv.slice(2);
const files = walk(join('dist', 'test')).sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) { console.error('run-tests: no compiled tests found under dist/test (run npm run build)'); process.exit(1); }
const concurrency = Number(process.env.GEMCAEN_TEST_CONCURRENCY ?? 4);
if (!Number.isInteger(concurrency) || concurrency < 1) { console.error(`run-tests: GEMCAEN_TEST_CONCURRENCY=${process.env.GEMCAEN_TEST_CONCURRENCY}: use a whole number of at least 1`); process.exit(2); }
const ordered = files.map((f, i) => ({ f, key: rank(f) * files.length + i })).sort((a, b) => a.key - b.key).map((x) => x.f);

/**
 * A file still running after this long fails (testTimeoutFailure) and its process is ended, so that a
 * test that hangs (one did under a load average of 10, for 20 minutes) fails the run instead of holding it
 * past CI's budget. The longest file takes ~95 s on a loaded 2-core machine.
 */
const FILE_TIMEOUT_MS = 240_000;

// one run, two reporters: the spec reporter's lines, then the files' times
const events = run({ files: ordered.map((f) => resolve(f)), concurrency, timeout: FILE_TIMEOUT_MS });
const toSpec = new PassThrough({ objectMode: true });
const toTimes = new PassThrough({ objectMode: true });
let failed = false;
events.on('data', (event) => {
  if (event.type === 'test:fail') failed = true;
  toSpec.write(event);
  toTimes.write(event);
});
events.on('end', () => {
  toSpec.end();
  toTimes.end();
});
toSpec.compose(new spec()).pipe(process.stdout);
toTimes.compose(fileTimes).pipe(process.stdout);
process.on('exit', () => {
  if (failed) process.exitCode = 1;
});
