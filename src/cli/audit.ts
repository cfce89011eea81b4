// `gemcaen audit [--since DURATION|TIME] [--json]`: the audit trail of set points, applied or
// refused, from every door (daemon endpoint, web, direct CLI) and changes made by others at the crate.
import type { Command } from 'commander';
import { auditFileOf } from '../config/paths.js';
import { loadConfigForCli } from '../config/load.js';
import { UsageError } from '../errors.js';
import { AuditFile, type AuditRecord } from '../supervisor/audit.js';
import { action } from './command.js';
import type { GlobalOptions } from './open-setup.js';
import { table } from './render/format.js';

interface AuditOptions extends GlobalOptions {
  since?: string;
  json?: boolean;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90m", "2h", "7d", "30s" → that long before `now`; an ISO date or time → that time. BAD_SINCE otherwise. */
export function parseSince(text: string, now = Date.now()): number {
  const d = /^(\d+(?:\.\d+)?)\s*([smhd])$/.exec(text.trim());
  if (d) return now - Number(d[1]) * (UNITS[d[2] as string] as number);
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const t = Date.parse(text.trim());
    if (Number.isFinite(t)) return t;
  }
  throw new UsageError('BAD_SINCE', `--since "${text}": give a duration (30m, 2h, 7d) or a date/time (2026-03-01, 2026-03-01T14:00)`);
}

const v = (x: number | null): string => (x === null ? '?' : String(x));

export function describeAudit(records: readonly AuditRecord[]): string {
  if (records.length === 0) return 'no set points audited in this period';
  const rows = records.map((r) => [
    r.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    r.external ? '(crate)' : r.who,
    r.from,
    r.setup,
    r.channel === null ? '' : String(r.channel),
    r.name,
    r.param || r.request || '',
    r.channel === null && r.before === null && r.after === null ? '' : `${v(r.before)} → ${v(r.after)}`,
    r.code,
  ]);
  return table(['time', 'who', 'from', 'setup', 'ch', 'name', 'param', 'before → after', 'result'], rows);
}

export function register(program: Command): void {
  program
    .command('audit')
    .description('the audit trail of set points: who changed what, when, from where, and what happened (applied, refused, external)')
    .option('--since <when>', 'only records since a duration ago (30m, 2h, 7d) or a date/time (2026-03-01T14:00)')
    .option('--json', 'print the records as JSON (one array)')
    .action(
      action(async (_opts: AuditOptions, command: Command) => {
        const opts = command.optsWithGlobals<AuditOptions>();
        const sinceMs = opts.since === undefined ? undefined : parseSince(opts.since);
        const config = loadConfigForCli(opts);
        const records = new AuditFile(auditFileOf(config.settings)).read(sinceMs);
        process.stdout.write(opts.json ? `${JSON.stringify(records, null, 2)}\n` : `${describeAudit(records)}\n`);
      }),
    );
}
