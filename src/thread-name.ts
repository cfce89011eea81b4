// Names the calling thread where Linux shows it (/proc/<pid>/task/<tid>/comm, at most 15 bytes), so that
// `top -H -p <pid>` and the benchmark can tell the writer and each mainframe's worker apart.
import { writeFileSync } from 'node:fs';

const COMM_MAX = 15;

export function nameThisThread(name: string): void {
  try {
    writeFileSync('/proc/thread-self/comm', name.slice(0, COMM_MAX));
  } catch {
    // not Linux (or /proc not mounted): the name is a convenience, nothing depends on it
  }
}

/** what every mainframe worker's thread name starts with */
export const MAINFRAME_THREAD_PREFIX = 'gc-mf-';

/** the name of a mainframe's worker thread */
export function mainframeThreadName(mainframeId: string): string {
  return `${MAINFRAME_THREAD_PREFIX}${mainframeId}`;
}

export const WRITER_THREAD_NAME = 'gc-writer';
