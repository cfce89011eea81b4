// The local health endpoint: GET /health → the daemon's state as JSON (200 when all is well, 503
// when a crate, setup or sink is failing, or a channel is in alarm). Binds 127.0.0.1 unless
// Settings.healthListen says otherwise. Extensions add GET routes to the same listener (/metrics).
// HEAD answers like GET without the body. Requests whose Host header names another host are refused
// (421): a web page the operator opens could otherwise read the endpoint through DNS rebinding (its
// own name resolved to 127.0.0.1). Allowed: IP literals, localhost names, this machine's name and the
// host HealthListen names.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { GemcaenError } from '../errors.js';
import type { HttpRoutes } from '../extensions/routes.js';

export interface HealthSource {
  report(): { ok: boolean };
  /** latest reading per channel (GET /readings), for status pages */
  readings?(): unknown;
}

/**
 * Starts a local HTTP listener the way every gemcaen endpoint does (short keep-alive), resolving with its
 * "host:port" once it listens; the listen error (EADDRINUSE…) is thrown as it came.
 */
export async function listenHttp(server: Server, host: string, port: number): Promise<string> {
  server.keepAliveTimeout = 1000;
  server.listen(port, host);
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e as Error))]);
  const a = server.address();
  return typeof a === 'object' && a ? `${a.address}:${a.port}` : `${host}:${port}`;
}

/** Parses "host:port" (port 0 = any free port). */
export function parseListen(listen: string): { host: string; port: number } {
  const cut = listen.lastIndexOf(':');
  const host = cut > 0 ? listen.slice(0, cut).replace(/^\[|\]$/g, '') : '127.0.0.1';
  const port = Number(cut >= 0 ? listen.slice(cut + 1) : listen);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new GemcaenError('HEALTH_LISTEN_INVALID', `gemcaen.HealthListen "${listen}" is not host:port: write e.g. 127.0.0.1:8765`);
  return { host, port };
}

export class HealthServer {
  #server: Server | null = null;
  constructor(
    private readonly source: HealthSource,
    private readonly routes?: HttpRoutes,
  ) {}

  /** Listens; resolves with the bound address ("127.0.0.1:8765"). */
  async start(listen: string): Promise<string> {
    const { host, port } = parseListen(listen);
    const names = new Set(['localhost', host.toLowerCase(), hostname().toLowerCase()]);
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (!hostAllowed(req, names)) {
        res.writeHead(421, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `Host ${req.headers.host} is not this endpoint: use http://127.0.0.1:PORT/ or http://localhost:PORT/` }));
        return;
      }
      // HEAD: the same status and headers; Node's response leaves the body out
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      if (method === 'GET' && path === '/readings' && this.source.readings) {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(this.source.readings()));
        return;
      }
      const route = method === 'GET' ? this.routes?.get(path) : undefined;
      if (route) {
        Promise.resolve()
          .then(route)
          .then(
            (a) => res.writeHead(a.status, { 'content-type': a.contentType, 'cache-control': 'no-store' }).end(a.body),
            (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err instanceof Error ? err.message : String(err)}\n`),
          );
        return;
      }
      if (method !== 'GET' || (path !== '/health' && path !== '/')) {
        const known = ['/health', '/readings', ...(this.routes?.paths() ?? [])];
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `GET ${known.join(', ')}` }));
        return;
      }
      const report = this.source.report();
      res.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(report, null, 2));
    });
    this.#server = server;
    try {
      return await listenHttp(server, host, port);
    } catch (err) {
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      throw new GemcaenError(
        'HEALTH_LISTEN_FAILED',
        inUse
          ? `cannot listen for health on ${listen}: the address is in use, probably by another gemcaen (the demo?) still running: stop it, or set gemcaen.HealthListen to another port ("" disables it)`
          : `cannot listen for health on ${listen}: ${(err as Error).message} (set gemcaen.HealthListen, or "" to disable it)`,
        { details: { listen, inUse } },
      );
    }
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The Host header names this endpoint: absent (HTTP/1.0), an IP literal, a localhost name, or a known name. */
function hostAllowed(req: IncomingMessage, names: ReadonlySet<string>): boolean {
  const header = req.headers.host;
  if (header === undefined) return true;
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d*)?$/.exec(header.trim());
  if (!m) return false;
  const name = m[1].replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (isIP(name) !== 0) return true; // DNS rebinding needs a name; an address is what it is
  return names.has(name) || name.endsWith('.localhost');
}
