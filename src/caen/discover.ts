// Finding libcaenhvwrapper.so without editing anything: explicit path, CAENHV_LIB, then the usual places.
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, join, resolve } from 'node:path';
import { GemcaenError } from '../errors.js';

export const LIBRARY_BASENAME = 'libcaenhvwrapper.so';

/** Directories searched after LD_LIBRARY_PATH, in this order. */
export const STANDARD_LIBRARY_DIRS: readonly string[] = Object.freeze([
  '/usr/lib',
  '/usr/local/lib',
  '/usr/lib64',
  '/usr/local/lib64',
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/opt/caen/lib',
  '/opt/caen/lib64',
  '/opt/CAEN/lib',
]);

const NAME_RE = /^libcaenhvwrapper\.so((?:\.\d+)*)$/;

/** Version numbers in a file name: `libcaenhvwrapper.so.6.1` → [6, 1]; the bare `.so` → []. */
export function libraryVersion(fileName: string): number[] | undefined {
  const m = NAME_RE.exec(fileName);
  if (!m) return undefined;
  return (m[1] ?? '').split('.').filter((s) => s !== '').map((s) => Number(s));
}

/** Compares two version arrays numerically, segment by segment (5.82 < 6.1). */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

interface Candidate {
  path: string;
  version: number[];
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The candidates in one directory; an unversioned symlink takes the version of the file it points to. */
function candidatesIn(dir: string): Candidate[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: Candidate[] = [];
  for (const name of names) {
    let version = libraryVersion(name);
    if (!version) continue;
    const path = join(dir, name);
    if (!isFile(path)) continue;
    try {
      const real = libraryVersion(basename(realpathSync(path)));
      if (real && compareVersions(real, version) > 0) version = real;
    } catch {
      /* unreadable link: keep the name's version */
    }
    out.push({ path, version });
  }
  return out;
}

function newest(cands: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of cands) if (!best || compareVersions(c.version, best.version) > 0) best = c;
  return best;
}

/** The directories searched, in order, for the given environment. */
export function librarySearchDirs(env: NodeJS.ProcessEnv = process.env): { ldDirs: string[]; standardDirs: string[] } {
  const ldDirs = (env.LD_LIBRARY_PATH ?? '')
    .split(delimiter)
    .filter((d) => d !== '')
    .map((d) => resolve(d));
  return { ldDirs, standardDirs: STANDARD_LIBRARY_DIRS.filter((d) => !ldDirs.includes(d)) };
}

const HOW_TO_POINT =
  'set CAENHV_LIBRARY: /path/to/libcaenhvwrapper.so in the MAINFRAME block of the config, or export CAENHV_LIB=/path/to/libcaenhvwrapper.so';

/**
 * The path of libcaenhvwrapper.so to load:
 * 1. `explicit` (MainframeConfig.library, i.e. CAENHV_LIBRARY): a file, or a directory to search;
 * 2. `env.CAENHV_LIB`: same;
 * 3. the directories of LD_LIBRARY_PATH: if any holds the library, the newest version there wins;
 * 4. the standard directories: the newest version found in any of them (ties: earlier directory).
 * Versioned names (`.so.6.1`, `.so.5.82`) and the bare `.so` are all accepted.
 * Throws GemcaenError LIBRARY_NOT_FOUND listing every place looked at and how to point at the file.
 */
export function findCaenLibrary(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  for (const [given, what] of [
    [explicit, 'CAENHV_LIBRARY'],
    [env.CAENHV_LIB, 'CAENHV_LIB'],
  ] as const) {
    if (given === undefined || given === '') continue;
    const path = resolve(given);
    let st;
    try {
      st = statSync(path);
    } catch {
      throw new GemcaenError('LIBRARY_NOT_FOUND', `CAEN HV wrapper library not found: ${what} points at ${path}, which does not exist; ${HOW_TO_POINT}`, {
        details: { looked: [path] },
      });
    }
    if (st.isFile()) return path;
    const found = newest(candidatesIn(path));
    if (found) return found.path;
    throw new GemcaenError(
      'LIBRARY_NOT_FOUND',
      `CAEN HV wrapper library not found: ${what} points at the directory ${path}, which holds no ${LIBRARY_BASENAME}*; ${HOW_TO_POINT}`,
      { details: { looked: [path] } },
    );
  }
  const { ldDirs, standardDirs } = librarySearchDirs(env);
  const fromLd = newest(ldDirs.flatMap(candidatesIn));
  if (fromLd) return fromLd.path;
  const fromStd = newest(standardDirs.flatMap(candidatesIn));
  if (fromStd) return fromStd.path;
  const looked = [...ldDirs, ...standardDirs];
  throw new GemcaenError(
    'LIBRARY_NOT_FOUND',
    `CAEN HV wrapper library not found: no ${LIBRARY_BASENAME}* in ${looked.join(', ')} (CAENHV_LIBRARY and CAENHV_LIB not set); ${HOW_TO_POINT}`,
    { details: { looked } },
  );
}
