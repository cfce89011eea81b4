// Sink file: line protocol appended to <directory>/gemcaen-YYYY-MM-DD.lp, one file per UTC day of the
// points' timestamps (a file sink IS its directory: setups naming the same DIRECTORY share it),
// fsync'd per batch. For labs without a database, and for the demo: the files can be
// loaded later with `influx -import` / `curl --data-binary @file …/write?precision=ms`.
// Failures map onto the HTTP outcome table: permission problems → 403 (a person must act), others → 500 (retry).
// A batch is all or nothing: each file's size is recorded before appending, and on any failure (a
// partial write on ENOSPC, the 2nd day's file failing) every file of the batch is cut back to it, so
// the retry neither appends after half a line nor writes the 1st file's lines twice.
import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { outcomeOf, type Outcome, type WriteResult } from '../../outcome.js';
import type { SinkBuildOptions } from '../plugin.js';
import type { Sink } from '../sink.js';
import { timestampOf } from '../../line-protocol.js';
import type { FileSinkConfig } from './config.js';

/** every daily file of a file sink is named gemcaen-YYYY-MM-DD.lp */
export const FILE_PREFIX = 'gemcaen';

export interface FileSinkOptions {
  id: string;
  directory: string;
  /** tests: stands in for fs.writeSync (e.g. a partial write, then ENOSPC) */
  writeSync?: (fd: number, buffer: Buffer, offset: number, length: number) => number;
}

/** a file of the batch being written: where it ended before the batch */
interface Appended {
  path: string;
  fd: number;
  size: number;
  /** created by this batch: removed again on failure */
  created: boolean;
}

export class FileSink implements Sink {
  readonly kind = 'file' as const;
  readonly id: string;
  readonly target: string;
  readonly #dir: string;
  readonly #write: (fd: number, buffer: Buffer, offset: number, length: number) => number;

  constructor(opts: FileSinkOptions) {
    this.id = opts.id;
    this.#dir = opts.directory;
    this.#write = opts.writeSync ?? ((fd, buffer, offset, length) => writeSync(fd, buffer, offset, length));
    this.target = `${opts.directory}/${FILE_PREFIX}-YYYY-MM-DD.lp`;
  }

  /** the file a line with this timestamp goes to */
  fileFor(timeMs: number): string {
    return join(this.#dir, `${FILE_PREFIX}-${new Date(timeMs).toISOString().slice(0, 10)}.lp`);
  }

  async write(lines: readonly string[]): Promise<WriteResult> {
    const appended: Appended[] = [];
    try {
      mkdirSync(this.#dir, { recursive: true });
      const byFile = new Map<string, string[]>();
      for (const line of lines) {
        const t = timestampOf(line);
        const file = this.fileFor(Number.isFinite(t) ? t : Date.now());
        let list = byFile.get(file);
        if (!list) byFile.set(file, (list = []));
        list.push(line);
      }
      for (const [path, list] of byFile) {
        const fd = openSync(path, 'a');
        const size = fstatSync(fd).size;
        appended.push({ path, fd, size, created: size === 0 });
        const buf = Buffer.from(list.join('\n') + '\n', 'utf8');
        let done = 0;
        while (done < buf.length) done += this.#write(fd, buf, done, buf.length - done);
        fsyncSync(fd);
      }
      for (const a of appended.splice(0)) closeSync(a.fd);
      return { status: 204 };
    } catch (err) {
      const undo = rollBack(appended);
      const e = err as NodeJS.ErrnoException;
      const status = e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS' || e.code === 'ENOTDIR' ? 403 : 500;
      return { status, message: `${e.code ?? 'error'}: ${e.message}${undo}` };
    }
  }

  /** the statuses it reports (403: a person must act, 500: retry) follow the HTTP table */
  outcome(r: WriteResult): Outcome {
    return outcomeOf(r.status);
  }

  configHint(r: WriteResult): string {
    return `cannot write line-protocol files in ${this.#dir} (${r.message ?? r.status}): fix the directory or its permissions`;
  }

  async close(): Promise<void> {}
}

/** cuts every file of a failed batch back to its size before the batch; '' or what could not be undone */
function rollBack(appended: Appended[]): string {
  const failed: string[] = [];
  for (const a of appended) {
    try {
      ftruncateSync(a.fd, a.size);
      fsyncSync(a.fd);
    } catch {
      failed.push(a.path);
    }
    try {
      closeSync(a.fd);
      if (a.created) unlinkSync(a.path);
    } catch {
      // closed or removed already
    }
  }
  return failed.length > 0 ? ` (could not cut ${failed.join(', ')} back: its last lines may be written twice)` : '';
}

/** the FILE plugin's builder */
export function buildFileSink(c: FileSinkConfig, _options: SinkBuildOptions): Sink {
  return new FileSink({ id: c.id, directory: c.directory });
}
