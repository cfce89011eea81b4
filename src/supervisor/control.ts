// DaemonControl: the one door through which anything in the daemon (the local control endpoint, the
// web page, an extension) changes a crate. preview(request, who) asks the worker that owns the crate's
// handle to check the request and read the current values, and returns them with a token;
// apply(token, who) asks it to check again, to refuse with PREVIEW_STALE (nothing sent) if a current
// value changed since, else to write and read back. Every refusal and every apply is audited (file,
// database point, `setpoint` event) before the answer is returned.
import { randomBytes } from 'node:crypto';
import type { SetupConfig } from '../config/types.js';
import { UsageError, toWireError } from '../errors.js';
import type { ControlJobMessage, ControlPlanView, ControlRequest, ControlResult } from '../protocol.js';
import { recordsOf, type AuditRecord } from './audit.js';

/** Who asks, and through which door ("cli", "web"…). */
export interface ControlIdentity {
  who: string;
  from: string;
}

/** A checked request: what would change, and the token that applies exactly this. */
export interface ControlPreview {
  /** absent when the request was refused (result.code is not OK) */
  token?: string;
  /** ms since the epoch after which the token is refused (PREVIEW_EXPIRED) */
  expiresMs?: number;
  result: ControlResult;
}

export interface DaemonControlOptions {
  /** the setups of the config on the crates this daemon serves (logged or not): a request names one of them */
  setups: readonly SetupConfig[];
  /** runs a job on the worker owning the mainframe */
  run(mainframe: string, job: Omit<ControlJobMessage, 'type' | 'id'>): Promise<ControlResult>;
  /** audits the records of one answer (file, database, event); throws AUDIT_UNAVAILABLE when it cannot */
  audit(records: AuditRecord[]): void;
  /** checks, before anything is sent, that the audit can be written */
  auditReady(): void;
  /** how long a preview may be applied (default 120 s) */
  previewTtlMs?: number;
  now?: () => number;
}

interface Pending {
  request: ControlRequest;
  who: ControlIdentity;
  plan: ControlPlanView;
  expiresMs: number;
}

const text = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;
const channelList = (v: unknown): v is number[] =>
  Array.isArray(v) && v.length > 0 && v.length <= 64 && v.every((c) => Number.isInteger(c) && c >= 0 && c <= 0xffff);

/** A request as it arrives from a door (JSON): REQUEST_INVALID names what is wrong. */
export function parseControlRequest(raw: unknown): ControlRequest {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const bad = (why: string): never => {
    throw new UsageError('REQUEST_INVALID', `control request: ${why}`);
  };
  if (!text(r.setup)) bad('"setup" must name a setup');
  const setup = r.setup as string;
  switch (r.kind) {
    case 'set':
      if (!channelList(r.channels)) bad('"channels" must be a list of channel numbers');
      if (!text(r.param)) bad('"param" must name a channel parameter');
      if (typeof r.value !== 'string' && typeof r.value !== 'number') bad('"value" must be a number or a string such as "on"');
      if (r.allowClamp !== undefined && typeof r.allowClamp !== 'boolean') bad('"allowClamp" must be true or false');
      return {
        kind: 'set', setup, channels: [...new Set(r.channels as number[])], param: r.param as string, value: String(r.value),
        ...(r.allowClamp === true ? { allowClamp: true } : {}),
      };
    case 'ieq':
      if (typeof r.microAmps !== 'number') bad('"microAmps" must be a number');
      return { kind: 'ieq', setup, microAmps: r.microAmps as number };
    case 'power':
      if (!channelList(r.channels)) bad('"channels" must be a list of channel numbers');
      if (typeof r.on !== 'boolean') bad('"on" must be true or false');
      return { kind: 'power', setup, channels: [...new Set(r.channels as number[])], on: r.on as boolean };
    case 'clear-alarm':
    case 'kill':
      return { kind: r.kind, setup };
    default:
      return bad('"kind" must be one of set, ieq, power, clear-alarm, kill');
  }
}

/** "set V0Set=450 on 0,1": what was asked, in the audit of a refusal without a plan. */
export function requestText(r: ControlRequest): string {
  switch (r.kind) {
    case 'set': return `set ${r.param}=${r.value} on ${r.channels.join(',')}`;
    case 'power': return `power ${r.on ? 'on' : 'off'} ${r.channels.join(',')}`;
    case 'ieq': return `ieq ${r.microAmps} uA`;
    case 'clear-alarm': return 'ClearAlarm';
    case 'kill': return 'Kill';
  }
}

export class DaemonControl {
  readonly #o: DaemonControlOptions;
  readonly #pending = new Map<string, Pending>();
  readonly #now: () => number;

  constructor(options: DaemonControlOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Checks `request` on the crate (reading only) and returns current → next with a token to apply it. */
  async preview(request: ControlRequest, who: ControlIdentity): Promise<ControlPreview> {
    this.#expire();
    const mainframe = this.#mainframeOf(request.setup);
    let result: ControlResult;
    if (mainframe === undefined) {
      const names = this.#o.setups.map((s) => s.name).join(', ');
      result = { code: 'UNKNOWN_SETUP', message: `setup ${request.setup} is not on a crate this daemon serves; its setups: ${names}`, writes: 0, sent: false, refused: true };
    } else {
      result = await this.#o.run(mainframe, { op: 'preview', request });
    }
    if (result.code !== 'OK' || !result.plan) {
      this.#audit(result, who, request, mainframe ?? '');
      return { result };
    }
    const token = randomBytes(18).toString('base64url');
    const expiresMs = this.#now() + (this.#o.previewTtlMs ?? 120_000);
    this.#pending.set(token, { request, who, plan: result.plan, expiresMs });
    return { token, expiresMs, result };
  }

  /**
   * Applies a preview: refused (nothing sent) when the token is unknown, used, expired or another
   * identity's, when the audit cannot be written, or when a current value changed since the preview.
   */
  async apply(token: string, who: ControlIdentity): Promise<ControlResult> {
    this.#expire();
    const p = this.#pending.get(token);
    if (!p || p.who.who !== who.who || p.who.from !== who.from) {
      const result: ControlResult = {
        code: 'PREVIEW_UNKNOWN',
        message: 'no preview with this token for this user (already applied, expired after restart, or another user\'s): nothing was sent; preview again',
        writes: 0,
        sent: false,
      };
      return result;
    }
    this.#pending.delete(token);
    const mainframe = p.plan.mainframe;
    if (this.#now() > p.expiresMs) {
      const result: ControlResult = { code: 'PREVIEW_EXPIRED', message: 'the preview is older than its time limit: nothing was sent; preview again', plan: p.plan, writes: 0, sent: false };
      this.#audit(result, who, p.request, mainframe);
      return result;
    }
    try {
      this.#o.auditReady();
    } catch (err) {
      return { ...toWireError(err), plan: p.plan, writes: 0, sent: false };
    }
    const result = await this.#o.run(mainframe, {
      op: 'apply',
      request: p.request,
      expect: p.plan.rows.map((r) => ({ channel: r.channel, current: r.current })),
    });
    this.#audit(result, who, p.request, mainframe);
    return result;
  }

  /** Number of previews waiting to be applied. */
  get pendingCount(): number {
    this.#expire();
    return this.#pending.size;
  }

  #mainframeOf(setup: string): string | undefined {
    return this.#o.setups.find((s) => s.name === setup)?.mainframe;
  }

  #audit(result: ControlResult, who: ControlIdentity, request: ControlRequest, mainframe: string): void {
    this.#o.audit(recordsOf(result, who, { mainframe, setup: request.setup, request: requestText(request) }, this.#now()));
  }

  /** Forgets previews that expired long ago (a minute past their limit: apply still names them). */
  #expire(): void {
    const now = this.#now();
    for (const [t, p] of this.#pending) if (now > p.expiresMs + 60_000) this.#pending.delete(t);
  }
}
