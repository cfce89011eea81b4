// Keeps each mainframe's CAEN library loaded in the process for the daemon's lifetime.
//
// Every worker thread koffi.load()s the library itself; when the last thread holding it ends,
// the library is unloaded, and with it the wrapper's process-wide handle table, while the
// sessions' sockets stay open: a worker that died while logged in would leave a session on the
// crate that nobody can log out ("zombie" sessions). Loading the library once here, with no
// call ever made from this thread, keeps the table alive so that the next worker can release
// the dead one's handle (see workers/mainframe.worker.ts, staleHandles).
import { createRequire } from 'node:module';
import { findCaenLibrary } from '../caen/discover.js';

interface KoffiLike {
  load(path: string): unknown;
}

const pinned = new Map<string, unknown>();

/** Loads the library for `explicitPath` (or the one discovery finds) once; a failure is left to the worker to report. */
export function pinCaenLibrary(explicitPath: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  let path: string;
  try {
    path = findCaenLibrary(explicitPath, env);
  } catch {
    return undefined; // the worker reports LIBRARY_NOT_FOUND with its full message
  }
  if (!pinned.has(path)) {
    try {
      const koffi = createRequire(import.meta.url)('koffi') as KoffiLike;
      pinned.set(path, koffi.load(path));
    } catch {
      return undefined; // the worker reports LIBRARY_LOAD_FAILED
    }
  }
  return path;
}
