// Whether the spool directory can be used, and if not, why in words a person can act on. Node's
// recursive mkdir reports a read-only file system as ENOENT: the nearest existing parent is asked instead.
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GemcaenError } from '../errors.js';

const REASONS: Readonly<Record<string, string>> = {
  EROFS: 'it is on a read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a file is in the way (a path component is not a directory)',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
};

/** the errno code of a failed file operation */
function codeOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : 'UNKNOWN';
}

/** the real cause of a failed mkdir -p: the nearest existing ancestor's writability */
function mkdirCause(dir: string, err: unknown): string {
  const code = codeOf(err);
  if (code !== 'ENOENT') return code;
  let p = dirname(dir);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  try {
    accessSync(p, constants.W_OK);
  } catch (e) {
    return codeOf(e);
  }
  return code;
}

/**
 * Creates `dir` if needed and checks that a file can be created in it (no data is written: a full
 * disk is a run-time condition the sinks report, not a configuration error).
 * Throws GemcaenError SPOOL_UNUSABLE naming the directory, the cause and the fix.
 */
export function checkSpoolDirectory(dir: string, what = 'gemcaen.SpoolDirectory'): void {
  let code: string | undefined;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    code = mkdirCause(dir, err);
  }
  if (code === undefined) {
    const probe = join(dir, `.gemcaen-probe-${process.pid}`);
    try {
      closeSync(openSync(probe, 'w'));
      unlinkSync(probe);
    } catch (err) {
      code = codeOf(err);
    }
  }
  if (code === undefined) return;
  throw new GemcaenError(
    'SPOOL_UNUSABLE',
    `${what} ${dir} cannot be written (${code}: ${REASONS[code] ?? 'see the code'}): set SpoolDirectory under gemcaen: to a writable directory, or make this one writable; the spool keeps the points while a database is unreachable`,
    { details: { directory: dir, errno: code } },
  );
}
