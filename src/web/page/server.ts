// The web page's HTTP server (fastify): static files, the JSON API and the event stream, with the
// rules every request passes: a strict Content-Security-Policy on every answer; with users
// configured, every API read needs a session or token; every state-changing request needs a user
// (a read-only page without users), a same-origin Origin header for cookie sessions, and a role
// that allows it. Login failures are rate-limited per client address.
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { GemcaenError, UsageError } from '../../errors.js';
import { parseListen } from '../health-server.js';
import type { PageService } from './page.js';
import { RECENT } from './history.js';
import { LoginLimiter } from './rate-limit.js';
import { readCookie, SESSION_COOKIE } from './sessions.js';
import { loadStaticFiles } from './static-files.js';
import type { Identity } from './users.js';

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const STATUS: Record<string, number> = {
  NOT_SIGNED_IN: 401,
  LOGIN_FAILED: 401,
  FORBIDDEN: 403,
  READ_ONLY: 403,
  ORIGIN_REFUSED: 403,
  NOT_FOUND: 404,
  PREVIEW_UNKNOWN: 409,
  PREVIEW_STALE: 409,
  CONFIRMATION_REQUIRED: 409,
  ALARM_UNKNOWN: 404,
  RATE_LIMITED: 429,
  CONTROL_UNAVAILABLE: 503,
};

export interface PageServerOptions {
  listen: string;
  tls?: { certFile: string; keyFile: string };
  /** failed sign-ins per client address allowed within windowMs (default 5 in 60 s) */
  login?: { failures: number; windowMs: number };
}

export class PageServer {
  #app: FastifyInstance | null = null;
  readonly #limiter: LoginLimiter;
  readonly #tls: boolean;
  constructor(private readonly page: PageService, private readonly options: PageServerOptions) {
    this.#tls = options.tls !== undefined;
    this.#limiter = new LoginLimiter(options.login?.failures, options.login?.windowMs);
  }

  /** Listens; resolves with the page's URL. */
  async start(): Promise<string> {
    const { host, port } = parseListen(this.options.listen);
    const https = this.options.tls ? { cert: readFileSync(this.options.tls.certFile), key: readFileSync(this.options.tls.keyFile) } : null;
    const app = (https ? Fastify({ https, logger: false, bodyLimit: 16_384 }) : Fastify({ logger: false, bodyLimit: 16_384 })) as FastifyInstance;
    this.#app = app;
    this.#routes(app);
    try {
      await app.listen({ host, port });
    } catch (err) {
      throw new GemcaenError('WEB_LISTEN_FAILED', `cannot serve the web page on ${this.options.listen}: ${(err as Error).message} (change gemcaen.Web.Listen)`);
    }
    const a = app.server.address();
    const bound = typeof a === 'object' && a ? (a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`) : this.options.listen;
    return `${https ? 'https' : 'http'}://${bound}/`;
  }

  async stop(): Promise<void> {
    const app = this.#app;
    this.#app = null;
    if (!app) return;
    this.page.hub.stop();
    app.server.closeAllConnections();
    await app.close();
  }

  #identify(req: FastifyRequest): Identity | undefined {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return this.page.users.byToken(auth.slice(7).trim());
    const name = this.page.sessions.touch(readCookie(req.headers.cookie, SESSION_COOKIE));
    return name ? this.page.users.get(name) : undefined;
  }

  /** A read: with users configured, a session or token is needed. */
  #reader(req: FastifyRequest): Identity | undefined {
    const id = this.#identify(req);
    if (!id && this.page.users.size > 0) throw new GemcaenError('NOT_SIGNED_IN', 'sign in first');
    return id;
  }

  /** The rules of a state-changing request; returns who makes it. */
  #writer(req: FastifyRequest): Identity {
    if (this.page.users.size === 0) throw new GemcaenError('READ_ONLY', 'this page is read-only: no users are configured (gemcaen user add)');
    this.#checkOrigin(req);
    const id = this.#identify(req);
    if (!id) throw new GemcaenError('NOT_SIGNED_IN', 'sign in first (or send an API token)');
    if (id.role === 'viewer') throw new GemcaenError('FORBIDDEN', `user ${id.name} is a viewer: viewers change nothing`);
    return id;
  }

  /** Cookie sessions must send Origin equal to this page; token requests may omit it. */
  #checkOrigin(req: FastifyRequest): void {
    const origin = req.headers.origin;
    const bearer = req.headers.authorization?.startsWith('Bearer ') ?? false;
    if (origin === undefined && bearer) return;
    const own = `${this.#tls ? 'https' : 'http'}://${req.headers.host ?? ''}`;
    if (origin !== own) throw new GemcaenError('ORIGIN_REFUSED', 'the request does not come from this page (Origin header missing or foreign)');
  }

  #fail(reply: FastifyReply, err: unknown): void {
    if (err instanceof GemcaenError) {
      const status = STATUS[err.code] ?? (err instanceof UsageError || /^(VALUE|PARAM|CHANNEL|IEQ|UNKNOWN|NOT_GEM|EMPTY|GEM_)/.test(err.code) ? 400 : 500);
      if (err.code === 'RATE_LIMITED' && err.details?.retryAfterSeconds) reply.header('retry-after', String(err.details.retryAfterSeconds));
      void reply.code(status).send({ code: err.code, message: err.message });
      return;
    }
    this.page.log.error(`web: ${err instanceof Error ? err.message : String(err)}`);
    void reply.code(500).send({ code: 'INTERNAL', message: 'internal error (see the daemon log)' });
  }

  #routes(app: FastifyInstance): void {
    const files = loadStaticFiles();
    app.addHook('onSend', async (_req, reply, payload) => {
      reply.header('content-security-policy', CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('x-frame-options', 'DENY');
      reply.header('cross-origin-opener-policy', 'same-origin');
      if (!reply.getHeader('cache-control')) reply.header('cache-control', 'no-store');
      return payload;
    });
    app.setErrorHandler((err, _req, reply) => {
      const e = err as { statusCode?: number; message: string };
      if (e.statusCode && e.statusCode < 500) void reply.code(e.statusCode).send({ code: 'BAD_REQUEST', message: e.message });
      else this.#fail(reply, err);
    });
    app.setNotFoundHandler((_req, reply) => void reply.code(404).send({ code: 'NOT_FOUND', message: 'no such page' }));

    const sendFile = (path: string, reply: FastifyReply) => {
      const f = files.get(path);
      if (!f) return void reply.code(404).send({ code: 'NOT_FOUND', message: 'no such file' });
      void reply.header('cache-control', 'no-cache').type(f.type).send(f.body);
    };
    app.get('/', (_req, reply) => sendFile('/index.html', reply));
    app.get('/*', (req, reply) => sendFile(req.url.split('?')[0], reply));

    const api = <T>(fn: (req: FastifyRequest, reply: FastifyReply) => Promise<T> | T) => async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        return await fn(req, reply);
      } catch (err) {
        this.#fail(reply, err);
        return reply;
      }
    };

    app.get('/api/me', api((req) => {
      const id = this.#identify(req);
      return { user: id ? { name: id.name, role: id.role, setups: id.setups ?? null } : null, usersConfigured: this.page.users.size > 0 };
    }));

    app.post('/api/login', api(async (req, reply) => {
      if (this.page.users.size === 0) throw new GemcaenError('READ_ONLY', 'this page is read-only: no users are configured (gemcaen user add)');
      this.#checkOrigin(req);
      const key = req.ip;
      const wait = this.#limiter.retryAfterMs(key);
      if (wait > 0) throw new GemcaenError('RATE_LIMITED', `too many failed sign-ins from this address: wait ${Math.ceil(wait / 1000)} s`, { details: { retryAfterSeconds: Math.ceil(wait / 1000) } });
      const b = (req.body ?? {}) as { name?: unknown; password?: unknown };
      if (typeof b.name !== 'string' || typeof b.password !== 'string' || b.name.length > 64 || b.password.length > 1024) {
        throw new GemcaenError('VALUE_INVALID', 'name and password are required');
      }
      const id = await this.page.users.login(b.name, b.password);
      if (!id) {
        this.#limiter.failed(key);
        this.page.log.warn(`web: failed sign-in as "${b.name.replace(/[^\w.@-]/g, '?')}" from ${req.ip}`);
        throw new GemcaenError('LOGIN_FAILED', 'wrong name or password');
      }
      this.#limiter.succeeded(key);
      const value = this.page.sessions.create(id);
      this.page.log.info(`web: ${id.name} (${id.role}) signed in from ${req.ip}`);
      reply.header('set-cookie', `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict${this.#tls ? '; Secure' : ''}`);
      return { user: { name: id.name, role: id.role, setups: id.setups ?? null } };
    }));
    app.post('/api/logout', api((req, reply) => {
      this.#checkOrigin(req);
      this.page.sessions.end(readCookie(req.headers.cookie, SESSION_COOKIE));
      reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
      return { ok: true };
    }));

    app.get('/api/snapshot', api((req) => {
      this.#reader(req);
      return this.page.snapshot();
    }));
    app.get('/api/stream', async (req, reply) => {
      try {
        this.#reader(req);
      } catch (err) {
        this.#fail(reply, err);
        return reply;
      }
      const q = req.query as { lastEventId?: string };
      const last = (req.headers['last-event-id'] as string | undefined) ?? q.lastEventId;
      reply.hijack();
      for (const [k, v] of Object.entries({ 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' })) reply.raw.setHeader(k, v);
      this.page.hub.attach(reply.raw, last);
    });
    app.get('/api/history', api((req) => {
      this.#reader(req);
      const q = req.query as Record<string, string | undefined>;
      const channel = Number(q.channel);
      if (!q.setup || !Number.isInteger(channel) || !q.quantity) throw new GemcaenError('VALUE_INVALID', 'history needs setup, channel and quantity');
      const minutes = q.minutes === undefined ? undefined : Number(q.minutes);
      return { setup: q.setup, channel, quantity: q.quantity, stepMs: this.page.history.stepMs, recentPoints: RECENT, ...this.page.history.series(q.setup, channel, q.quantity, minutes) };
    }));
    app.get('/api/alarms', api((req) => {
      this.#reader(req);
      return { alarms: this.page.alarmList() };
    }));
    app.get('/api/audit', api((req) => {
      this.#reader(req);
      return { audit: this.page.auditList() };
    }));
    app.get('/api/stats', api((req) => {
      this.#reader(req);
      return { streams: this.page.hub.stats() };
    }));

    app.post('/api/alarms/:id/ack', api(async (req) => {
      const who = this.#writer(req);
      return this.page.acknowledge(who, (req.params as { id: string }).id);
    }));
    app.post('/api/preview', api(async (req) => {
      const who = this.#writer(req);
      return this.page.setFlow.preview(who, req.body);
    }));
    app.post('/api/apply', api(async (req) => {
      const who = this.#writer(req);
      return this.page.apply(who, req.body);
    }));
  }
}
