// Set points from the page: preview → confirm → apply, with the page's own guards on top of the
// control requests (which check the board's limits and talk to the owning worker):
//  - the user's role and setups allow the parameter (mayChange);
//  - switching a channel on, or a V0Set step larger than ConfirmStepVolts, needs a second confirmation;
//  - a preview is refused at apply when it is stale: older than PREVIEW_TTL_MS, made by another user,
//    or any of its channels was set since through the daemon (a setpoint event). The control request
//    itself then re-reads the crate and refuses a value changed there (PREVIEW_STALE, nothing sent).
import { randomBytes } from 'node:crypto';
import { GemcaenError } from '../../errors.js';
import { mayChange, type Identity } from './users.js';

export const PREVIEW_TTL_MS = 120_000;

export interface PreviewRow {
  channel: number;
  label: string;
  /** the set point now (null when it cannot be read) */
  current: number | null;
  next: number | null;
}

/** What the daemon's control requests answer to a preview. */
export interface ControlPreview {
  /** the control request's own token, handed back at apply */
  token: string;
  /** the parameter that is written (V0Set for an Ieq request) */
  param: string;
  unit?: string;
  rows: PreviewRow[];
  /** the limits the value was checked against, e.g. {Minval: 0, Maxval: 1000, SVMax: 800} */
  limits?: Record<string, number>;
}

export interface ApplyRow {
  channel: number;
  label: string;
  /** the value read back after the set */
  readBack: number | null;
  ok: boolean;
}

export interface ControlApplied {
  code: string;
  message?: string;
  rows: ApplyRow[];
}

/** The control requests of the daemon as the page uses them (adapted from src/control's requests). */
export interface PageControl {
  preview(req: SetRequestBody, who: Identity): Promise<ControlPreview>;
  apply(token: string, who: Identity): Promise<ControlApplied>;
}

export interface SetRequestBody {
  setup: string;
  channels: number[];
  /** V0Set, I0Set, RUp, RDWn, Pw (or any writable parameter for experts), or Ieq for a GEM layer */
  param: string;
  value: string;
}

interface Pending {
  user: string;
  createdMs: number;
  setup: string;
  param: string;
  preview: ControlPreview;
  confirmations: 1 | 2;
  generation: number[];
}

export interface PreviewAnswer {
  previewId: string;
  setup: string;
  requested: string;
  param: string;
  unit?: string;
  rows: PreviewRow[];
  limits?: Record<string, number>;
  /** how many times the page must confirm (2: switching on, or a step above ConfirmStepVolts) */
  confirmations: 1 | 2;
  reasons: string[];
  expiresMs: number;
}

export class SetFlow {
  readonly #pending = new Map<string, Pending>();
  /** bumped on every set of (setup, channel, parameter), by anyone */
  readonly #generation = new Map<string, number>();

  constructor(
    private readonly control: PageControl | undefined,
    private readonly setupChannels: (setup: string) => readonly number[] | undefined,
    private readonly confirmStepVolts: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A set happened somewhere (the event bus): previews of that channel and parameter become stale. */
  noteSet(setup: string, channel: number, param: string): void {
    const k = `${setup}/${channel}/${param}`;
    this.#generation.set(k, (this.#generation.get(k) ?? 0) + 1);
  }

  async preview(who: Identity, body: unknown): Promise<PreviewAnswer> {
    const req = parseBody(body);
    const channels = this.setupChannels(req.setup);
    if (!channels) throw new GemcaenError('UNKNOWN_SETUP', `no setup ${req.setup} in this daemon`);
    if (!mayChange(who, req.setup, req.param)) {
      throw new GemcaenError('FORBIDDEN', `user ${who.name} (${who.role}) may not change ${req.param} of setup ${req.setup}`);
    }
    if (req.param === 'Ieq' && req.channels.length === 0) req.channels = [...channels];
    const outside = req.channels.filter((c) => !channels.includes(c));
    if (outside.length > 0) throw new GemcaenError('CHANNEL_NOT_IN_SETUP', `channel ${outside.join(', ')} is not in setup ${req.setup} (its channels: ${channels.join(', ')})`);
    if (!this.control) throw new GemcaenError('CONTROL_UNAVAILABLE', 'this daemon has no control requests: set points cannot be changed from the page');
    this.#sweep();
    const preview = await this.control.preview(req, who);
    const reasons: string[] = [];
    if (preview.param === 'Pw' && preview.rows.some((r) => r.next === 1 && r.current !== 1)) reasons.push('switches a channel on');
    if (preview.param === 'V0Set') {
      const step = Math.max(0, ...preview.rows.map((r) => (r.current === null || r.next === null ? Infinity : Math.abs(r.next - r.current))));
      if (step > this.confirmStepVolts) reasons.push(`moves V0Set by ${Number.isFinite(step) ? `${Math.round(step * 10) / 10} V` : 'an unknown step'} (more than ${this.confirmStepVolts} V)`);
    }
    const previewId = randomBytes(16).toString('base64url');
    const createdMs = this.now();
    const confirmations = reasons.length > 0 ? 2 : 1;
    this.#pending.set(previewId, {
      user: who.name,
      createdMs,
      setup: req.setup,
      param: preview.param,
      preview,
      confirmations,
      generation: preview.rows.map((r) => this.#generation.get(`${req.setup}/${r.channel}/${preview.param}`) ?? 0),
    });
    return {
      previewId,
      setup: req.setup,
      requested: req.param,
      param: preview.param,
      ...(preview.unit ? { unit: preview.unit } : {}),
      rows: preview.rows,
      ...(preview.limits ? { limits: preview.limits } : {}),
      confirmations,
      reasons,
      expiresMs: createdMs + PREVIEW_TTL_MS,
    };
  }

  async apply(who: Identity, body: unknown): Promise<ControlApplied & { setup: string; param: string }> {
    const b = (body ?? {}) as { previewId?: unknown; confirmations?: unknown };
    if (typeof b.previewId !== 'string') throw new GemcaenError('VALUE_INVALID', 'previewId is missing: preview the change first');
    const p = this.#pending.get(b.previewId);
    if (!p || p.user !== who.name) throw new GemcaenError('PREVIEW_UNKNOWN', 'no such preview (expired, used, or made by another user): preview the change again');
    if (!mayChange(who, p.setup, p.param)) throw new GemcaenError('FORBIDDEN', `user ${who.name} (${who.role}) may not change ${p.param} of setup ${p.setup}`);
    const confirmations = typeof b.confirmations === 'number' ? b.confirmations : 0;
    if (confirmations < p.confirmations) {
      throw new GemcaenError('CONFIRMATION_REQUIRED', `this change needs ${p.confirmations} confirmations (it ${p.confirmations === 2 ? 'switches a channel on or takes a large step' : 'changes a set point'})`);
    }
    this.#pending.delete(b.previewId);
    const stale = this.#staleReason(p);
    if (stale) throw new GemcaenError('PREVIEW_STALE', `the preview is stale: ${stale}; preview the change again`);
    if (!this.control) throw new GemcaenError('CONTROL_UNAVAILABLE', 'this daemon has no control requests');
    const result = await this.control.apply(p.preview.token, who);
    return { ...result, setup: p.setup, param: p.param };
  }

  #staleReason(p: Pending): string | undefined {
    if (this.now() - p.createdMs > PREVIEW_TTL_MS) return `older than ${PREVIEW_TTL_MS / 1000} s`;
    for (const [i, row] of p.preview.rows.entries()) {
      if ((this.#generation.get(`${p.setup}/${row.channel}/${p.param}`) ?? 0) !== p.generation[i]) return `${p.param} of ${row.label} was set since (by another client)`;
    }
    return undefined;
  }

  #sweep(): void {
    const t = this.now();
    for (const [k, p] of this.#pending) if (t - p.createdMs > PREVIEW_TTL_MS) this.#pending.delete(k);
  }
}

function parseBody(body: unknown): SetRequestBody {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.setup !== 'string' || b.setup === '') throw new GemcaenError('VALUE_INVALID', 'setup is missing');
  if (typeof b.param !== 'string' || !/^[A-Za-z0-9]{1,16}$/.test(b.param)) throw new GemcaenError('VALUE_INVALID', 'param is missing or not a parameter name');
  const channels = b.channels === undefined ? [] : b.channels;
  if (!Array.isArray(channels) || !channels.every((c) => Number.isInteger(c) && c >= 0 && c < 1000) || channels.length > 1000) {
    throw new GemcaenError('CHANNEL_INVALID', 'channels must be a list of channel numbers');
  }
  if (channels.length === 0 && b.param !== 'Ieq') throw new GemcaenError('CHANNEL_INVALID', 'no channel chosen');
  if (typeof b.value !== 'string' && typeof b.value !== 'number') throw new GemcaenError('VALUE_INVALID', 'value is missing');
  const value = String(b.value);
  if (value.length > 32) throw new GemcaenError('VALUE_INVALID', 'value is too long');
  return { setup: b.setup, channels: [...new Set(channels as number[])], param: b.param, value };
}
