// A node:test reporter (used by scripts/run-tests.mjs next to the spec reporter): at the end of the run it
// prints each test file's wall time, longest first, and the run's own, so that where the suite's time goes
// is read from every run instead of guessed. Node reports a file as a test named by its path.
import { relative } from 'node:path';

/** files shown: the longest ones (all with GEMCAEN_TEST_TIMES=all) */
const SHOWN = 15;

export default async function* fileTimes(source) {
  const started = Date.now();
  const files = [];
  for await (const event of source) {
    if (event.type !== 'test:complete') continue;
    const { name, file, nesting, details } = event.data;
    if (nesting === 0 && file !== undefined && name === file) files.push({ file: relative(process.cwd(), file), ms: details.duration_ms, failed: details.passed === false });
  }
  if (files.length === 0) return;
  files.sort((a, b) => b.ms - a.ms);
  const shown = process.env.GEMCAEN_TEST_TIMES === 'all' ? files : files.slice(0, SHOWN);
  const sum = files.reduce((s, f) => s + f.ms, 0);
  yield `\nrun-tests: ${files.length} files in ${seconds(Date.now() - started)} (sum of the files' times ${seconds(sum)}); the longest:\n`;
  for (const f of shown) yield `  ${seconds(f.ms).padStart(7)}  ${f.file}${f.failed ? '  (failed)' : ''}\n`;
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}
