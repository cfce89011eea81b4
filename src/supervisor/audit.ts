// The audit trail of set points: one JSON line per channel and request, applied or refused, from
// any door (the daemon's control endpoint, a web page, the direct CLI) and changes others made at the
// crate (external). Append-only: each record is one write(2) of one line to a file opened with
// O_APPEND, so the daemon and a direct CLI can append to the same file. Also the database point of
// each record (measurement gemcaen_event, kind setpoint or external_change).
import { EVENT_MEASUREMENT } from '../daemon-points.js';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GemcaenError } from '../errors.js';
import type { ControlResult, Point } from '../protocol.js';

/** One audited set point of one channel. Numbers that are not known (not readable, not applied) are null. */
export interface AuditRecord {
  /** ISO time of the answer */
  time: string;
  /** OS user, or the identity a door gives (a web login) */
  who: string;
  /** the door: cli, cli-direct, web, crate (external change)… */
  from: string;
  mainframe: string;
  setup: string;
  slot: number | null;
  channel: number | null;
  /** the channel's name on the board */
  name: string;
  /** channel parameter, or the mainframe command (ClearAlarm, Kill) */
  param: string;
  /** value before */
  before: number | null;
  /** value after: read back after an apply; for a refusal the value that was asked */
  after: number | null;
  /** OK, or the stable code of the refusal or failure */
  code: string;
  /** true: changed at the crate by someone else (GECO, the lab DCS, the front panel) */
  external: boolean;
  /** what was asked, for refusals before a plan exists: "set V0Set=450 on 0,1" */
  request?: string;
}

const num = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);

/** The records of one answered control request: one per channel (one without channel when none was planned). */
export function recordsOf(
  result: ControlResult,
  who: { who: string; from: string },
  fallback: { mainframe: string; setup: string; request: string },
  timeMs = Date.now(),
): AuditRecord[] {
  const base = { time: new Date(timeMs).toISOString(), who: who.who, from: who.from, code: result.code, external: false };
  const plan = result.plan;
  if (!plan || plan.rows.length === 0) {
    return [{
      ...base,
      mainframe: plan?.mainframe ?? fallback.mainframe,
      setup: plan?.setup ?? fallback.setup,
      slot: plan ? plan.slot : null,
      channel: null,
      name: '',
      param: plan?.param ?? '',
      before: null,
      after: null,
      request: fallback.request,
    }];
  }
  const applied = result.sent;
  return plan.rows.map((r) => ({
    ...base,
    mainframe: plan.mainframe,
    setup: plan.setup,
    slot: plan.slot,
    channel: r.channel,
    name: r.name,
    param: plan.param,
    before: num(r.current),
    after: applied && r.readBack !== undefined && Number.isFinite(r.readBack) ? r.readBack : num(r.next),
    code: result.code,
  }));
}

/** A one-line summary of a record, for logs and the database's `text` field. */
export function recordText(r: AuditRecord): string {
  const where = r.channel === null ? r.setup : `${r.setup} ch ${r.channel}${r.name ? ` ${r.name}` : ''}`;
  const change = r.before === null && r.after === null ? '' : ` ${r.before ?? '?'} → ${r.after ?? '?'}`;
  const who = r.external ? 'changed at the crate' : `by ${r.who} (${r.from})`;
  return `${r.param || r.request || 'request'} ${where}${change} ${who}: ${r.code}`;
}

/** The gemcaen_event point of a record (schema in docs/control-api.md). */
export function auditPoint(r: AuditRecord, timeMs = Date.parse(r.time)): Point {
  const tags: Record<string, string> = { kind: r.external ? 'external_change' : 'setpoint', mainframe: r.mainframe, setup: r.setup };
  if (r.slot !== null) tags.slot = String(r.slot);
  if (r.channel !== null) tags.channel = String(r.channel).padStart(2, '0');
  if (r.name) tags.ChannelName = r.name;
  const fields: Point['fields'] = {
    text: { type: 'string', value: recordText(r) },
    param: { type: 'string', value: r.param },
    user: { type: 'string', value: r.who },
    code: { type: 'string', value: r.code },
    ...(r.before !== null ? { before: { type: 'float', value: r.before } } : {}),
    ...(r.after !== null ? { after: { type: 'float', value: r.after } } : {}),
  };
  return { measurement: EVENT_MEASUREMENT, tags, fields, timeMs };
}

/**
 * The append-only audit file. `check()` opens it for appending (creating it and its directory, mode
 * 0640): a set point is refused (AUDIT_UNAVAILABLE) before anything is sent when it cannot be audited.
 */
export class AuditFile {
  constructor(readonly path: string) {}

  check(): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      closeSync(openSync(this.path, 'a', 0o640));
    } catch (err) {
      throw new GemcaenError('AUDIT_UNAVAILABLE', `cannot append to the audit file ${this.path} (${(err as NodeJS.ErrnoException).code ?? String(err)}): nothing was sent; fix its permissions or gemcaen.AuditFile`);
    }
  }

  /** Appends the records, one line each, in one write. */
  append(records: readonly AuditRecord[]): void {
    if (records.length === 0) return;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      appendFileSync(this.path, records.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o640 });
    } catch (err) {
      throw new GemcaenError('AUDIT_UNAVAILABLE', `cannot append to the audit file ${this.path} (${(err as NodeJS.ErrnoException).code ?? String(err)}); fix its permissions or gemcaen.AuditFile`);
    }
  }

  /** The records at or after `sinceMs` (every record without it); a line that is not a record is skipped. */
  read(sinceMs?: number): AuditRecord[] {
    if (!existsSync(this.path)) return [];
    const out: AuditRecord[] = [];
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let r: AuditRecord;
      try {
        r = JSON.parse(line) as AuditRecord;
      } catch {
        continue;
      }
      if (typeof r.time !== 'string') continue;
      if (sinceMs !== undefined && Date.parse(r.time) < sinceMs) continue;
      out.push(r);
    }
    return out;
  }
}
