// Where the daemon keeps the files other keys imply: each default derived in one place.
import { dirname, join } from 'node:path';
import type { Settings } from './types.js';

/** gemcaen.AuditFile, default audit.jsonl in LogDirectory. */
export function auditFileOf(s: Pick<Settings, 'logDirectory' | 'auditFile'>): string {
  return s.auditFile || join(s.logDirectory, 'audit.jsonl');
}

/** gemcaen.ControlDirectory, default `control` beside SpoolDirectory (data/control for data/spool). */
export function controlDirectoryOf(s: Pick<Settings, 'spoolDirectory' | 'controlDirectory'>): string {
  return s.controlDirectory || join(dirname(s.spoolDirectory), 'control');
}
