// The daemon's control door (DaemonControl: preview(request, who) → token, apply(token, who)) as
// the page's SetFlow uses it. The door does every check on the crate (parameter, type, Minval/Maxval,
// SVMax, MaxElectrodeVolts), refuses a stale preview (PREVIEW_STALE, nothing sent) and audits; a
// refusal here becomes a coded error for the page.
import { GemcaenError } from '../../errors.js';
import type { ControlDoor } from '../../extensions/types.js';
import { float32Decimal } from '../../float32.js';
import type { ControlRequest } from '../../protocol.js';
import type { ControlPreview, PageControl, PreviewRow, SetRequestBody } from './set-flow.js';
import type { Identity } from './users.js';

const finite = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : float32Decimal(v));

/** The page's control through the daemon's door. */
export function controlAdapter(door: ControlDoor): PageControl {
  const who = (id: Identity) => ({ who: id.name, from: id.via === 'token' ? 'web api' : 'web' });
  return {
    async preview(req: SetRequestBody, id: Identity): Promise<ControlPreview> {
      let request: ControlRequest;
      if (req.param === 'Ieq') {
        const microAmps = Number(req.value);
        if (req.value.trim() === '' || !Number.isFinite(microAmps)) throw new GemcaenError('VALUE_NOT_NUMBER', `Ieq "${req.value}" is not a number of µA`);
        request = { kind: 'ieq', setup: req.setup, microAmps };
      } else {
        request = { kind: 'set', setup: req.setup, channels: req.channels, param: req.param, value: req.value };
      }
      const { token, result } = await door.preview(request, who(id));
      if (result.code !== 'OK' || !token || !result.plan) throw new GemcaenError(result.code, result.message);
      const { plan } = result;
      const rows: PreviewRow[] = plan.rows.map((r) => ({ channel: r.channel, label: r.label, current: finite(r.current), next: finite(r.next) }));
      const limits: Record<string, number> = {};
      if (plan.format?.type === 'NUMERIC') {
        if (plan.format.min !== undefined) limits.Minval = float32Decimal(plan.format.min);
        if (plan.format.max !== undefined) limits.Maxval = float32Decimal(plan.format.max);
      }
      return { token, param: plan.param, ...(plan.format?.unit ? { unit: plan.format.unit } : {}), rows, ...(Object.keys(limits).length ? { limits } : {}) };
    },
    async apply(token: string, id: Identity) {
      const result = await door.apply(token, who(id));
      // refused before anything was written (stale, expired, unknown): an error for the page
      if (result.code !== 'OK' && !result.sent) throw new GemcaenError(result.code, result.message);
      return {
        code: result.code,
        ...(result.code !== 'OK' ? { message: result.message } : {}),
        rows: (result.plan?.rows ?? []).map((r) => ({ channel: r.channel, label: r.label, readBack: finite(r.readBack), ok: r.ok ?? false })),
      };
    },
  };
}
