// Temp directories for tests, under the OS temp dir, removed recursively when the test is done.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp dir; `cleanup()` removes it (for before()/after() pairs). */
export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh temp dir removed when test `t` ends. */
export function testTempDir(t: { after(fn: () => void): void }, prefix: string): string {
  const { dir, cleanup } = makeTempDir(prefix);
  t.after(cleanup);
  return dir;
}
