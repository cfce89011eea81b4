// A control request run inside the mainframe worker that owns the crate's handle, between two calls
// of its poll loop. Preview: every check of `gemcaen set` / `ieq --set` (the same functions), reading
// only. Apply: the same checks again (limits re-read now), then a refusal with PREVIEW_STALE and
// nothing sent when a current value is no longer the one the preview showed (GECO, the lab DCS or the
// front panel changed it meanwhile), else the writes and the read-back. Always answers a coded result.
import type { SetupConfig } from '../config/types.js';
import { GemcaenError, UsageError, toWireError } from '../errors.js';
import type { ControlJobMessage, ControlParamFormat, ControlPlanView, ControlRequest, ControlResult, ControlRow } from '../protocol.js';
import { applyPlan, type ApplyResult } from './apply.js';
import { formatParamValue } from './value.js';
import { checkChannelsInSetup, checkClampIntent, type ChangePlan } from './change.js';
import { planIeq, readStack, type StackReading } from './ieq-plan.js';
import type { ControlSession } from './session.js';
import { planSet } from './set-plan.js';
import { resolveTarget } from './target.js';

/** The session a control request needs: a set point session plus the mainframe commands. */
export interface CrateControlSession extends ControlSession {
  commands(): string[];
  execComm(name: string): void;
}

/** The mainframe commands a request may run (ExecComm). */
const COMMANDS = { 'clear-alarm': 'ClearAlarm', kill: 'Kill' } as const;

interface Checked {
  view: ControlPlanView;
  /** absent for mainframe commands */
  plan?: ChangePlan;
}

function setupOf(setups: readonly SetupConfig[], name: string, mainframe: string): SetupConfig {
  const setup = setups.find((s) => s.name === name);
  if (!setup) {
    throw new UsageError('UNKNOWN_SETUP', `setup ${name} is not logged by this daemon on ${mainframe}; its setups: ${setups.map((s) => s.name).join(', ')}`, {
      details: { unknown: [name] },
    });
  }
  return setup;
}

function formatOf(plan: ChangePlan): ControlParamFormat {
  const m = plan.meta;
  const f: ControlParamFormat = { type: m.type, mode: m.mode };
  if (m.unit !== undefined) f.unit = m.unit;
  if (m.exp !== undefined) f.exp = m.exp;
  if (m.decimal !== undefined) f.decimal = m.decimal;
  if (m.min !== undefined) f.min = m.min;
  if (m.max !== undefined) f.max = m.max;
  if (m.onState !== undefined) f.onState = m.onState;
  if (m.offState !== undefined) f.offState = m.offState;
  return f;
}

/** What a person is shown of a checked plan (and what crosses to the supervisor). */
export function planView(request: ControlRequest, mainframe: string, plan: ChangePlan, stack?: StackReading): ControlPlanView {
  const { target } = plan;
  const view: ControlPlanView = {
    request,
    mainframe,
    setup: target.setup.name,
    isGEM: target.setup.isGEM,
    slot: target.slot,
    board: target.board.model,
    param: plan.param,
    format: formatOf(plan),
    rows: plan.rows.map((r) => ({ channel: r.channel, name: target.names.get(r.channel) ?? '', label: r.label, current: r.current, next: r.next })),
  };
  if (target.setup.layer !== undefined) view.layer = target.setup.layer;
  if (plan.clamps.length > 0) view.clamps = plan.clamps.map((c) => ({ ...c }));
  if (stack) {
    view.electrodes = stack.electrodes.map((e) => ({ channel: e.channel, alias: e.alias, resistorMOhm: e.resistorMOhm, vmon: e.vmon, ieq: e.ieq, pw: e.pw }));
  }
  return view;
}

/** Every check of the request, reading only: the plan and what a person is shown. */
function check(session: CrateControlSession, setups: readonly SetupConfig[], mainframe: string, request: ControlRequest): Checked {
  const setup = setupOf(setups, request.setup, mainframe);
  switch (request.kind) {
    case 'set':
    case 'power': {
      checkChannelsInSetup(setup.name, setup.channels, request.channels);
      const target = resolveTarget(session, setup);
      const req = request.kind === 'set'
        ? { channels: request.channels, param: request.param, value: request.value }
        : { channels: request.channels, param: 'Pw', value: request.on ? 'on' : 'off' };
      const plan = planSet(session, target, req);
      return { view: planView(request, mainframe, plan), plan };
    }
    case 'ieq': {
      if (!setup.isGEM) {
        throw new UsageError('NOT_GEM_SETUP', `setup ${setup.name} is not a GEM setup (isGEMDetector: false): Ieq exists only for triple-GEM layers; name a GEM setup`);
      }
      const target = resolveTarget(session, setup);
      const stack = readStack(session, target);
      const plan = planIeq(session, stack, request.microAmps);
      return { view: planView(request, mainframe, plan, stack), plan };
    }
    case 'clear-alarm':
    case 'kill': {
      const name = COMMANDS[request.kind];
      const available = session.commands();
      if (!available.includes(name)) {
        throw new UsageError('COMMAND_UNKNOWN', `the ${session.systemType} at ${mainframe} has no command ${name}; its commands: ${available.join(', ') || 'none'}`, {
          details: { command: name, commands: available },
        });
      }
      return { view: { request, mainframe, setup: setup.name, isGEM: setup.isGEM, slot: setup.slot, board: '', param: name, rows: [] } };
    }
  }
}

/** The channels whose current value differs from what the preview showed (NaN equals NaN: write-only). */
export function staleRows(rows: readonly ControlRow[], expect: readonly { channel: number; current: number }[]): { channel: number; previewed: number; now: number }[] {
  const out: { channel: number; previewed: number; now: number }[] = [];
  const now = new Map(rows.map((r) => [r.channel, r.current]));
  for (const e of expect) {
    const value = now.get(e.channel);
    const same = value !== undefined && (Object.is(value, e.current) || (Number.isNaN(value) && Number.isNaN(e.current)));
    if (!same) out.push({ channel: e.channel, previewed: e.current, now: value ?? Number.NaN });
  }
  if (rows.length !== expect.length) for (const r of rows) if (!expect.some((e) => e.channel === r.channel)) out.push({ channel: r.channel, previewed: Number.NaN, now: r.current });
  return out;
}

function refused(err: unknown, view: ControlPlanView | undefined, writes: number, sent: boolean): ControlResult {
  const wire = toWireError(err);
  const result: ControlResult = { code: wire.code, message: wire.message, writes, sent };
  if (err instanceof UsageError) result.refused = true;
  if (wire.details) result.details = wire.details;
  if (view) result.plan = view;
  return result;
}

/**
 * Runs one control job on the worker's open session. Never throws: every outcome is a coded result.
 * A wrapper error that means the connection is gone is returned too (its CAEN_ code); the next scan
 * of the poll loop notices the loss and reconnects.
 */
export function runControlJob(session: CrateControlSession, setups: readonly SetupConfig[], mainframe: string, job: ControlJobMessage): ControlResult {
  let checked: Checked;
  try {
    checked = check(session, setups, mainframe, job.request);
  } catch (err) {
    return refused(err, undefined, 0, false);
  }
  const { view, plan } = checked;
  const intent = { allowClamp: job.request.kind === 'set' && job.request.allowClamp === true };
  if (plan) {
    try {
      checkClampIntent(plan, plan.clamps, intent);
    } catch (err) {
      return refused(err, view, 0, false);
    }
  }
  if (job.op === 'preview') return { code: 'OK', message: 'checked; nothing sent', plan: view, writes: 0, sent: false };
  const stale = staleRows(view.rows, job.expect ?? []);
  if (stale.length > 0) {
    const list = stale.map((s) => `channel ${s.channel} ${s.previewed} → ${s.now}`).join(', ');
    return refused(
      new GemcaenError('PREVIEW_STALE', `${view.param} changed on the crate since the preview (${list}): nothing was sent; look again and repeat`, { details: { stale } }),
      view,
      0,
      false,
    );
  }
  if (!plan) {
    // a mainframe command (ClearAlarm, Kill)
    try {
      session.execComm(view.param);
    } catch (err) {
      return refused(err, view, 1, true);
    }
    return { code: 'OK', message: `${view.param} executed`, plan: view, writes: 1, sent: true };
  }
  try {
    // applyPlan reads and checks the limits once more just before SetChParam
    return appliedResult(plan, view, applyPlan(session, plan, intent));
  } catch (err) {
    const written = err instanceof GemcaenError && err.code === 'SET_PARTIAL' && Array.isArray(err.details?.written) ? (err.details.written as number[]) : [];
    return refused(err, view, written.length > 0 ? 2 : 1, true);
  }
}

/** The coded result of a written plan: OK, or READBACK_MISMATCH naming the channels that differ. */
export function appliedResult(change: ChangePlan, view: ControlPlanView, result: ApplyResult): ControlResult {
  const rows = view.rows.map((r, i) => ({ ...r, readBack: result.rows[i]?.readBack ?? Number.NaN, ok: result.rows[i]?.ok ?? false }));
  const plan = { ...view, rows };
  if (result.mismatches.length > 0) {
    const list = result.mismatches.map((r) => `${r.label} ${formatParamValue(r.readBack, change.meta)} instead of ${formatParamValue(r.next, change.meta)}`).join('; ');
    return {
      code: 'READBACK_MISMATCH',
      message: `${view.param} read back differs on ${list}: the board clamped or refused the value (check SVMax, interlocks, another client)`,
      details: { channels: result.mismatches.map((r) => r.channel) },
      plan,
      writes: result.writes,
      sent: true,
    };
  }
  return { code: 'OK', message: `${view.param} applied and read back`, plan, writes: result.writes, sent: true };
}
