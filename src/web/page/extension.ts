// The web page as a daemon extension: off unless gemcaen.Web is configured. Subscribes to the event
// bus (scans, crate and setup states, alarms, set points) and serves the page; it reads only what
// the daemon already scans, so any number of viewers costs the crates no call. Set points go through
// the daemon's control door, which owns the checks, the worker round trip and the audit.
import { randomBytes } from 'node:crypto';
import type { AlarmEvent, ScanEvent, SetpointEvent } from '../../events/types.js';
import type { Extension, ExtensionContext } from '../../extensions/types.js';
import type { WebUser } from '../../config/types.js';
import type { AlarmView, AuditView } from './model.js';
import { PageService } from './page.js';
import { hashPassword } from './passwords.js';
import { PageServer } from './server.js';
import { controlAdapter } from './control-adapter.js';

export class WebPageExtension implements Extension {
  readonly name = 'web';
  #server: PageServer | null = null;
  #page: PageService | null = null;
  #unsubscribe: (() => void) | null = null;
  /** the page's URL once started */
  url: string | null = null;

  /** The page's state (tests: stream statistics, dropping streams). */
  get page(): PageService | null {
    return this.#page;
  }

  async start(ctx: ExtensionContext): Promise<void> {
    const web = ctx.config.settings.web;
    if (!web) return;
    const extraUsers: WebUser[] = [];
    let demoPassword: string | undefined;
    if (web.demoAccount) {
      demoPassword = randomBytes(9).toString('base64url');
      extraUsers.push({ name: 'demo', role: 'operator', passwordHash: await hashPassword(demoPassword), tokenHashes: [] });
    }
    const control = ctx.control ? controlAdapter(ctx.control) : undefined;
    const page = new PageService({
      config: ctx.config,
      web,
      state: ctx.state,
      log: ctx.log,
      ...(control ? { control } : {}),
      acknowledgeAlarm: (id, who) => ctx.alarms.acknowledge(id, who),
      extraUsers,
    });
    this.#page = page;
    const onScan = (e: ScanEvent) => page.onScan(e.setup, e.board, e.timeMs, e.channels);
    const onCrate = (e: { mainframe: string }) => page.onCrate(e.mainframe);
    const onSetup = (e: { setup: string }) => page.onSetup(e.setup);
    const onAlarm = (e: AlarmEvent) => page.onAlarm(alarmView(e));
    const onSetpoint = (e: SetpointEvent) => page.onSetpoint(auditView(e));
    ctx.events.on('scan', onScan).on('crate-state', onCrate).on('setup-state', onSetup).on('alarm', onAlarm).on('setpoint', onSetpoint);
    this.#unsubscribe = () => {
      ctx.events.off('scan', onScan).off('crate-state', onCrate).off('setup-state', onSetup).off('alarm', onAlarm).off('setpoint', onSetpoint);
    };
    for (const a of ctx.state.alarms.values()) page.onAlarm(alarmView({ ...a, action: a.acknowledged ? 'acknowledged' : 'raised', timeMs: a.sinceMs }));
    page.hub.start();
    this.#server = new PageServer(page, {
      listen: web.listen,
      ...(web.tls ? { tls: web.tls } : {}),
      login: { failures: web.loginFailures, windowMs: web.loginWindowSeconds * 1000 },
    });
    this.url = await this.#server.start();
    const users = page.users.size;
    ctx.log.info(`web page: ${this.url} (${users === 0 ? 'read-only: no users configured' : `${users} user${users > 1 ? 's' : ''}`}${control ? '' : ', no control door: read-only'})`);
    if (demoPassword) {
      // printed once on the console for the person who started the demo, never into the log files
      process.stdout.write(`\n  web page: ${this.url}  sign in as "demo" with password ${demoPassword}\n\n`);
    }
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    const server = this.#server;
    this.#server = null;
    await server?.stop();
  }
}

function alarmView(e: AlarmEvent): AlarmView {
  return {
    id: e.id,
    state: e.action,
    active: e.action !== 'cleared',
    acknowledged: e.acknowledged !== undefined || e.action === 'acknowledged',
    severity: e.severity,
    mainframe: e.mainframe,
    ...(e.setup !== undefined ? { setup: e.setup } : {}),
    ...(e.slot !== undefined ? { slot: e.slot } : {}),
    ...(e.channel !== undefined ? { channel: e.channel } : {}),
    ...(e.name !== undefined ? { name: e.name } : {}),
    bits: e.bits,
    text: e.text,
    timeMs: e.sinceMs ?? e.timeMs,
    ...(e.acknowledged ? { acknowledgedBy: e.acknowledged.who } : {}),
  };
}

function auditView(e: SetpointEvent): AuditView {
  const num = (v: number | string | undefined) => (typeof v === 'number' ? v : v === undefined ? null : Number.isFinite(Number(v)) ? Number(v) : null);
  return {
    timeMs: e.timeMs,
    who: e.who,
    from: e.from,
    mainframe: e.mainframe,
    ...(e.setup !== undefined ? { setup: e.setup } : {}),
    slot: e.slot,
    channel: e.channel,
    param: e.param,
    before: num(e.before),
    after: num(e.after),
    code: e.code,
    external: e.external,
  };
}
