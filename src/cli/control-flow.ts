// What `gemcaen set` and `gemcaen ieq --set` share: through the running daemon (preview → show →
// confirm → apply) or, without one (or with --direct), on their own session, audited either way.
import type { ParamMeta } from '../caen/types.js';
import { auditFileOf } from '../config/paths.js';
import type { GemcaenConfig } from '../config/types.js';
import { appliedResult, applyPlan, confirmChange, type ChangeIntent, type ChangePlan, type ControlSession } from '../control/index.js';
import { GemcaenError, UsageError } from '../errors.js';
import type { ControlPlanView, ControlRequest, ControlResult } from '../protocol.js';
import { AuditFile, recordsOf } from '../supervisor/audit.js';
import { requestText } from '../supervisor/control.js';
import type { DaemonClient } from './daemon-client.js';
import { findDaemon, osIdentity } from './daemon-client.js';
import { withCrate, type CrateContext, type loadSetup } from './open-setup.js';

/** How a command shows its plan and its result, and asks. */
export interface ControlPresentation {
  describePlan(view: ControlPlanView): string;
  describeResult(view: ControlPlanView, writes: number): string;
  question(view: ControlPlanView): string;
  /** the command line to repeat with --yes */
  command: string;
  yes: boolean;
  signal?: AbortSignal;
}

/** The ParamMeta a plan view's format stands for (what formatParamValue takes). */
export function metaOf(view: ControlPlanView): ParamMeta {
  const f = view.format ?? { type: 'NUMERIC', mode: 'RDWR' };
  return { ...f, name: view.param, typeCode: -1, type: f.type as ParamMeta['type'], mode: f.mode as ParamMeta['mode'] };
}

/** A coded result that is not OK, as the error the CLI prints (exit 2 for a refused request, else 1). */
export function resultError(result: ControlResult): GemcaenError {
  const options = result.details ? { details: result.details } : undefined;
  return result.refused ? new UsageError(result.code, result.message, options) : new GemcaenError(result.code, result.message, options);
}

/** preview → plan printed → confirmation → apply → read-back printed, all through the daemon's worker. */
export async function throughDaemon(client: DaemonClient, request: ControlRequest, p: ControlPresentation): Promise<void> {
  const preview = await client.preview(request);
  const plan = preview.result.plan;
  if (preview.result.code !== 'OK' || !plan || !preview.token) {
    // a refusal of a plan (an SVMax that would clamp set points) shows what it would have done
    if (plan) process.stdout.write(`${p.describePlan(plan)}\n`);
    throw resultError(preview.result);
  }
  process.stdout.write(`${p.describePlan(plan)}\n(through the gemcaen daemon, pid ${client.pid}: its session on the crate; no second login)\n`);
  await confirmChange(p.question(plan), { yes: p.yes, input: process.stdin, output: process.stdout, command: p.command, signal: p.signal });
  const result = await client.apply(preview.token);
  if (result.plan && (result.code === 'OK' || result.code === 'READBACK_MISMATCH')) process.stdout.write(`${p.describeResult(result.plan, result.writes)}\n`);
  if (result.code !== 'OK') throw resultError(result);
}

/** The audit of the direct path (no daemon): the same file and records, from "cli-direct". */
export class DirectAudit {
  readonly #file: AuditFile;
  readonly #who = { who: osIdentity(), from: 'cli-direct' };
  #done = false;

  constructor(config: GemcaenConfig, readonly mainframe: string, readonly request: ControlRequest) {
    this.#file = new AuditFile(auditFileOf(config.settings));
    // refused before the crate is opened when the change could not be audited
    this.#file.check();
  }

  /** Audits the result of the request (a refusal by a check, or an apply). */
  record(result: ControlResult): void {
    if (this.#done) return;
    this.#done = true;
    this.#file.append(recordsOf(result, this.#who, { mainframe: this.mainframe, setup: this.request.setup, request: requestText(this.request) }));
  }

  /** Audits an error thrown by a check of the request (not a declined prompt, not Ctrl-C: nothing was asked of the crate). */
  refused(err: unknown, view?: ControlPlanView): void {
    if (!(err instanceof GemcaenError) || ['DECLINED', 'CONFIRMATION_REQUIRED', 'INTERRUPTED'].includes(err.code)) return;
    const result: ControlResult = { code: err.code, message: err.message, writes: 0, sent: err.code === 'SET_PARTIAL' };
    if (view) result.plan = view;
    this.record(result);
  }
}

/**
 * The direct path's apply: writes the plan on the CLI's own session, reads it back, audits, prints.
 * Throws READBACK_MISMATCH (after printing) when the read-back differs.
 */
export function applyDirect(
  session: ControlSession,
  plan: ChangePlan,
  view: ControlPlanView,
  audit: DirectAudit,
  p: Pick<ControlPresentation, 'describeResult'>,
  intent: ChangeIntent = {},
): void {
  let result: ControlResult;
  try {
    result = appliedResult(plan, view, applyPlan(session, plan, intent));
  } catch (err) {
    audit.refused(err, view);
    throw err;
  }
  audit.record(result);
  if (result.plan) process.stdout.write(`${p.describeResult(result.plan, result.writes)}\n`);
  if (result.code !== 'OK') throw resultError(result);
}

/** What the direct path plans on its own session: the plan, how it is shown, and a check after showing it. */
export interface DirectPlan {
  plan: ChangePlan;
  view: ControlPlanView;
  /** runs once the plan is printed (e.g. the clamp intent of an SVMax plan, whose refusal shows the plan first) */
  afterShown?: () => void;
}

/**
 * One set-point command from the CLI: through the running daemon that serves the crate (unless --direct),
 * else on an own session: plan, print, confirm, apply, read back; every refusal audited.
 */
export async function runChange(
  base: ReturnType<typeof loadSetup>,
  direct: boolean,
  request: ControlRequest,
  p: ControlPresentation,
  makePlan: (ctx: CrateContext) => DirectPlan,
  intent: ChangeIntent = {},
): Promise<void> {
  const daemon = direct ? undefined : await findDaemon(base.config, base.mainframe);
  if (daemon) return throughDaemon(daemon, request, p);
  const audit = new DirectAudit(base.config, base.mainframe.id, request);
  await withCrate(base, async (ctx) => {
    let view: ControlPlanView | undefined;
    try {
      const made = makePlan(ctx);
      view = made.view;
      process.stdout.write(`${p.describePlan(view)}\n`);
      made.afterShown?.();
      await confirmChange(p.question(view), {
        yes: p.yes,
        input: process.stdin,
        output: process.stdout,
        command: p.command,
        keepalive: () => ctx.crate.keepalive(),
        signal: ctx.signal,
      });
      applyDirect(ctx.crate, made.plan, view, audit, p, intent);
    } catch (err) {
      audit.refused(err, view);
      throw err;
    }
  });
}
