// A real, small tmpfs mounted on a test's directory (a full disk that is really full: ENOSPC from the
// kernel, not a mock). Needs root (CAP_SYS_ADMIN); tests skip with a clear message where mount fails.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  /** fills the file system with a filler file until `leaveBytes` (rounded to blocks) are free */
  fill(leaveBytes?: number): void;
  /** deletes the filler: the space is free again */
  free(): void;
  /** bytes free now */
  available(): number;
}

/**
 * Mounts a tmpfs of `sizeBytes` on a fresh temp dir, unmounted and removed when `t` ends. Returns a
 * reason instead when mount is not possible here (not root, no mount command, a container without the right).
 */
export function mountTmpfs(t: { after(fn: () => void): void }, sizeBytes: number, opts: { readOnly?: boolean } = {}): Tmpfs | string {
  const dir = mkdtempSync(join(tmpdir(), 'gemcaen-tmpfs-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0755${opts.readOnly ? ',ro' : ''}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    remove();
    const e = err as { stderr?: Buffer; message: string };
    return `cannot mount a tmpfs on ${dir} (${e.stderr?.toString().trim() || e.message}): run the test as root to cover a full disk`;
  }
  t.after(() => {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    } catch {
      // already unmounted
    }
    remove();
  });
  const filler = join(dir, '.filler');
  const available = (): number => {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    available,
    fill(leaveBytes = 0) {
      const fd = openSync(filler, 'a');
      try {
        const chunk = Buffer.alloc(4096, 0x78);
        while (available() > leaveBytes) {
          try {
            writeSync(fd, chunk);
          } catch {
            break; // ENOSPC: full
          }
        }
      } finally {
        closeSync(fd);
      }
    },
    free() {
      try {
        unlinkSync(filler);
      } catch {
        // no filler
      }
    },
  };
}
