// The local control endpoint: HTTP over a Unix socket per mainframe (mode 0600, in a directory of
// mode 0700), each request carrying the token of the token file beside it (mode 0600, new at every
// start). Only the daemon's user (or root) can connect or read the token; every request must show it.
//   GET  /v1/status                          → { pid, mainframe, setups }
//   POST /v1/preview { request, who, from }  → { token?, expiresMs?, result }
//   POST /v1/apply   { token, who, from }    → { result }
// A refusal or a failure on the crate is an answer (200, result.code); 400 REQUEST_INVALID, 401
// CONTROL_UNAUTHORIZED, 404, 413 are about the HTTP request itself.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { GemcaenError, toWireError } from '../errors.js';
import type { ControlDoor } from '../extensions/types.js';
import type { ControlRequest } from '../protocol.js';
import { CONTROL_API, endpointPaths, type EndpointPaths } from '../supervisor/control-paths.js';

export interface ControlEndpointOptions {
  directory: string;
  /** mainframe id → the setups the daemon logs on it */
  mainframes: ReadonlyMap<string, readonly string[]>;
  door: ControlDoor;
  parseRequest(raw: unknown): ControlRequest;
  /** one line per endpoint that could not be opened (another daemon serves the crate) */
  warn(message: string): void;
}

const MAX_BODY = 64 * 1024;
/** who and from: an OS user name or a door's name, nothing that could forge a log line */
const NAME = /^[A-Za-z0-9._@+-]{1,64}( \(sudo [A-Za-z0-9._@+-]{1,64}\))?$/;

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const chunk = c as Buffer;
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, 'REQUEST_INVALID', `request body above ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'REQUEST_INVALID', 'the body must be a JSON object');
  }
}

function identity(body: Record<string, unknown>): { who: string; from: string } {
  const who = body.who;
  const from = body.from ?? 'cli';
  if (typeof who !== 'string' || !NAME.test(who)) throw new HttpError(400, 'REQUEST_INVALID', '"who" must be the user name of the person asking');
  if (typeof from !== 'string' || !/^[a-z][a-z0-9-]{0,31}$/.test(from)) throw new HttpError(400, 'REQUEST_INVALID', '"from" must be a short lower-case word (cli, web…)');
  return { who, from };
}

/** Is something listening on this socket? (a daemon that still runs, or a file left by one that died) */
function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(socket);
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

/** Writes the token file (mode 0600) atomically: a reader never sees a half-written or wider file. */
function writeToken(path: string, token: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, `${token}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

interface Listening {
  server: Server;
  paths: EndpointPaths;
}

export class ControlEndpoint {
  readonly #o: ControlEndpointOptions;
  readonly #listening: Listening[] = [];

  constructor(options: ControlEndpointOptions) {
    this.#o = options;
  }

  /** The sockets served, by mainframe. */
  get sockets(): string[] {
    return this.#listening.map((l) => l.paths.socket);
  }

  async start(): Promise<void> {
    const dir = this.#o.directory;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    } catch (err) {
      throw new GemcaenError('CONTROL_ENDPOINT_FAILED', `cannot create the control directory ${dir}: ${(err as Error).message}; fix gemcaen.ControlDirectory`);
    }
    for (const [mainframe, setups] of this.#o.mainframes) {
      const paths = endpointPaths(dir, mainframe);
      if (await answers(paths.socket)) {
        this.#o.warn(`control endpoint for ${mainframe} not opened: another gemcaen daemon already serves ${paths.socket}; set points for it go to that daemon`);
        continue;
      }
      rmSync(paths.socket, { force: true });
      const token = randomBytes(32).toString('hex');
      writeToken(paths.token, token);
      const server = createServer((req, res) => void this.#handle(req, res, token, mainframe, setups));
      server.keepAliveTimeout = 1000;
      server.listen(paths.socket);
      try {
        await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e as Error))]);
      } catch (err) {
        rmSync(paths.token, { force: true });
        throw new GemcaenError('CONTROL_ENDPOINT_FAILED', `cannot listen on ${paths.socket}: ${(err as Error).message}; fix gemcaen.ControlDirectory`);
      }
      chmodSync(paths.socket, 0o600);
      this.#listening.push({ server, paths });
    }
  }

  async stop(): Promise<void> {
    for (const { server, paths } of this.#listening.splice(0)) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(paths.token, { force: true });
      rmSync(paths.socket, { force: true });
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse, token: string, mainframe: string, setups: readonly string[]): Promise<void> {
    try {
      const given = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const a = Buffer.from(given);
      const b = Buffer.from(token);
      if (a.length !== b.length || !timingSafeEqual(a, b)) {
        throw new HttpError(401, 'CONTROL_UNAUTHORIZED', 'missing or wrong token: send "Authorization: Bearer <the token file\'s content>"');
      }
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === `${CONTROL_API}/status`) {
        send(res, 200, { pid: process.pid, mainframe, setups });
        return;
      }
      if (req.method === 'POST' && path === `${CONTROL_API}/preview`) {
        const body = await readJson(req);
        const who = identity(body);
        let request: ControlRequest;
        try {
          request = this.#o.parseRequest(body.request);
        } catch (err) {
          throw new HttpError(400, 'REQUEST_INVALID', (err as Error).message);
        }
        send(res, 200, await this.#o.door.preview(request, who));
        return;
      }
      if (req.method === 'POST' && path === `${CONTROL_API}/apply`) {
        const body = await readJson(req);
        const who = identity(body);
        if (typeof body.token !== 'string') throw new HttpError(400, 'REQUEST_INVALID', '"token" must be the token of a preview');
        send(res, 200, { result: await this.#o.door.apply(body.token, who) });
        return;
      }
      throw new HttpError(404, 'NOT_FOUND', `GET ${CONTROL_API}/status, POST ${CONTROL_API}/preview or POST ${CONTROL_API}/apply`);
    } catch (err) {
      if (err instanceof HttpError) send(res, err.status, { error: { code: err.code, message: err.message } });
      else send(res, 500, { error: toWireError(err) });
    }
  }
}
