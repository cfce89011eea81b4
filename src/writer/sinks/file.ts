// Sink file: line protocol appended to <directory>/gemcaen-YYYY-MM-DD.lp, one file per UTC day of the
// points' timestamps (a file sink IS its directory: setups naming the same DIRECTORY share it),
// fsync'd per batch. For labs without a database, and for the demo: the files can be
// loaded later with `influx -import` / `curl --data-binary @file …/write?precision=ms`.
// Failures map onto the HTTP outcome table: permission problems → 403 (a person must act), others → 500 (retry).
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { WriteResult } from '../outcome.js';
import type { Sink } from './sink.js';
import { timestampOf } from '../line-protocol.js';

/** every daily file of a file sink is named gemcaen-YYYY-MM-DD.lp */
export const FILE_PREFIX = 'gemcaen';

export interface FileSinkOptions {
  id: string;
  directory: string;
}

export class FileSink implements Sink {
  readonly kind = 'file' as const;
  readonly spooled = false;
  readonly id: string;
  readonly target: string;
  readonly #dir: string;

  constructor(opts: FileSinkOptions) {
    this.id = opts.id;
    this.#dir = opts.directory;
    this.target = `${opts.directory}/${FILE_PREFIX}-YYYY-MM-DD.lp`;
  }

  /** the file a line with this timestamp goes to */
  fileFor(timeMs: number): string {
    return join(this.#dir, `${FILE_PREFIX}-${new Date(timeMs).toISOString().slice(0, 10)}.lp`);
  }

  async write(lines: readonly string[]): Promise<WriteResult> {
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
      for (const [file, list] of byFile) {
        const fd = openSync(file, 'a');
        try {
          const buf = Buffer.from(list.join('\n') + '\n', 'utf8');
          let done = 0;
          while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      }
      return { status: 204 };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const status = e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS' || e.code === 'ENOTDIR' ? 403 : 500;
      return { status, message: `${e.code ?? 'error'}: ${e.message}` };
    }
  }

  configHint(r: WriteResult): string {
    return `cannot write line-protocol files in ${this.#dir} (${r.message ?? r.status}): fix the directory or its permissions`;
  }

  async close(): Promise<void> {}
}

/** a sink id as part of a file or directory name */
export function fileSafe(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}
