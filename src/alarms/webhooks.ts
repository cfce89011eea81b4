// Alarm notifications to webhooks (gemcaen.Alarms.Webhooks): the transitions (raised, cleared) that
// happen within GroupSeconds of the first are one notification, so a board that trips at once is one
// message. Each webhook gets each notification once, in order, retried on a network error, 429 or
// 5xx (honouring Retry-After) with back-off; other answers (400, 404…) are a configuration problem:
// one error line, the notification is dropped. The URL is a secret: lines name the webhook by its
// number and host only. At most 100 notifications wait per webhook (the oldest are dropped, counted).
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WebhookConfig } from '../config/types.js';
import { alarmSettingsOf } from '../config/build.js';
import type { AlarmEvent } from '../events/types.js';
import type { Logger } from '../log.js';
import type { Extension, ExtensionContext } from '../extensions/types.js';
import { payload } from './notification.js';

const MAX_WAITING = 100;

export interface WebhookOptions {
  /** attempts per notification (default 6) */
  attempts?: number;
  /** first retry delay, doubled each time up to 60 s (default 1000 ms) */
  retryMs?: number;
  /** per request (default 10 s) */
  timeoutMs?: number;
}

class Hook {
  readonly #queue: string[] = [];
  #busy: Promise<void> | null = null;
  #dropped = 0;
  readonly #abort = new AbortController();

  constructor(
    readonly cfg: WebhookConfig,
    readonly label: string,
    private readonly log: Logger,
    private readonly o: Required<WebhookOptions>,
  ) {}

  send(body: string): void {
    this.#queue.push(body);
    if (this.#queue.length > MAX_WAITING) {
      this.#queue.shift();
      this.#dropped++;
      if (this.#dropped === 1 || this.#dropped % 100 === 0) this.log.warn(`${this.label}: ${this.#dropped} notifications dropped (more than ${MAX_WAITING} waiting)`);
    }
    this.#busy ??= this.#drain().finally(() => (this.#busy = null));
  }

  async #drain(): Promise<void> {
    for (let body = this.#queue.shift(); body !== undefined; body = this.#queue.shift()) {
      if (this.#abort.signal.aborted) return;
      await this.#deliver(body);
    }
  }

  async #deliver(body: string): Promise<void> {
    let wait = this.o.retryMs;
    for (let attempt = 1; attempt <= this.o.attempts; attempt++) {
      let why: string;
      let retryAfterMs: number | undefined;
      try {
        const res = await fetch(this.cfg.url.reveal(), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.o.timeoutMs)]),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          if (attempt > 1) this.log.info(`${this.label}: notification delivered after ${attempt} attempts`);
          return;
        }
        why = `HTTP ${res.status}`;
        if (res.status !== 429 && res.status < 500) {
          this.log.error(`${this.label}: notification refused (${why}): check the webhook's URL; not sent again`);
          return;
        }
        const ra = Number(res.headers.get('retry-after'));
        if (Number.isFinite(ra) && ra > 0) retryAfterMs = Math.min(ra * 1000, 300_000);
      } catch (err) {
        if (this.#abort.signal.aborted) return;
        // the message of a fetch error can hold the URL: say only what kind of failure it was
        why = err instanceof Error && err.name === 'TimeoutError' ? 'timed out' : 'network error';
      }
      if (attempt === this.o.attempts) {
        this.log.error(`${this.label}: notification not delivered after ${attempt} attempts (${why}); dropped`);
        return;
      }
      if (attempt === 1) this.log.warn(`${this.label}: notification failed (${why}); retrying`);
      await sleep(retryAfterMs ?? wait, undefined, { signal: this.#abort.signal }).catch(() => undefined);
      wait = Math.min(wait * 2, 60_000);
    }
  }

  /** waits for what is queued until `deadline`, then abandons it */
  async close(deadline: number): Promise<void> {
    const busy = this.#busy;
    if (busy) await Promise.race([busy, sleep(Math.max(0, deadline - Date.now()), undefined, { ref: false })]);
    if (this.#queue.length > 0 || this.#busy) this.log.warn(`${this.label}: stopping with ${this.#queue.length + (this.#busy ? 1 : 0)} notifications not delivered`);
    this.#abort.abort();
    this.#queue.length = 0;
  }
}

export class WebhooksExtension implements Extension {
  readonly name = 'webhooks';
  readonly #o: Required<WebhookOptions>;
  #ctx: ExtensionContext | null = null;
  #hooks: Hook[] = [];
  #group: AlarmEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #groupMs = 2000;
  readonly #host = hostname();
  readonly #onAlarm = (e: AlarmEvent): void => this.#collect(e);

  constructor(options: WebhookOptions = {}) {
    this.#o = { attempts: options.attempts ?? 6, retryMs: options.retryMs ?? 1000, timeoutMs: options.timeoutMs ?? 10_000 };
  }

  async start(ctx: ExtensionContext): Promise<void> {
    const settings = alarmSettingsOf(ctx.config.settings);
    if (settings.webhooks.length === 0) return;
    this.#ctx = ctx;
    this.#groupMs = settings.groupSeconds * 1000;
    this.#hooks = settings.webhooks.map((w, i) => new Hook(w, `webhook ${i + 1} (${new URL(w.url.reveal()).host})`, ctx.log, this.#o));
    ctx.events.on('alarm', this.#onAlarm);
    ctx.log.info(`alarm notifications to ${this.#hooks.map((h) => h.label).join(', ')}`);
  }

  #collect(e: AlarmEvent): void {
    if (e.action === 'acknowledged') return;
    this.#group.push(e);
    if (this.#group.length === 1) {
      this.#timer = setTimeout(() => this.#flush(), this.#groupMs);
      this.#timer.unref();
    }
  }

  #flush(): void {
    clearTimeout(this.#timer);
    const events = this.#group;
    this.#group = [];
    if (events.length === 0) return;
    for (const h of this.#hooks) h.send(payload(h.cfg.format, events, this.#host));
  }

  /** sends what is grouped now, and gives the deliveries up to 750 ms (within the extensions' share of the stop) */
  async stop(): Promise<void> {
    const ctx = this.#ctx;
    if (!ctx) return;
    ctx.events.off('alarm', this.#onAlarm);
    this.#flush();
    const deadline = Date.now() + 750;
    await Promise.all(this.#hooks.map((h) => h.close(deadline)));
    this.#ctx = null;
  }
}
