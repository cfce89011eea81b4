// The control API of the simulator: a small HTTP/JSON server (127.0.0.1 by default) that tests,
// benchmarks and people use to inject faults, read counters and act as an operator at the crate.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SimError } from './codes.js';
import type { CountersSnapshot } from './counters.js';
import type { ListenAddress } from './crate-spec.js';
import { SimInputError } from './crates-file.js';
import { canonicalFn, type CrateServer, type FaultState } from './session-server.js';

export interface CrateState {
  name: string;
  address: string;
  system: string;
  faults: FaultState;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  if (!body.trim()) return {};
  try {
    const v: unknown = JSON.parse(body);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw new HttpError(400, 'body must be a JSON object');
}

function num(body: Record<string, unknown>, key: string, opts: { integer?: boolean; min?: number } = {}): number {
  const v = body[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || (opts.integer && !Number.isInteger(v)) || (opts.min !== undefined && v < opts.min))
    throw new HttpError(400, `"${key}" must be ${opts.integer ? 'an integer' : 'a number'}${opts.min !== undefined ? ` >= ${opts.min}` : ''}`);
  return v;
}

export class ControlServer {
  private server: Server | null = null;
  address = '';

  constructor(private readonly crates: CrateServer[]) {}

  private crate(name: string): CrateServer {
    const c = name === '_' ? this.crates[0] : this.crates.find((x) => x.crate.name === name);
    if (!c) throw new HttpError(404, `no crate named "${name}" (crates: ${this.crates.map((x) => x.crate.name).join(', ')})`);
    return c;
  }

  listen(at: ListenAddress): Promise<string> {
    return new Promise((resolve, reject) => {
      const server = createServer((req, res) => void this.serve(req, res));
      server.once('error', (err: NodeJS.ErrnoException) => {
        const where = `${at.host}:${at.port}`;
        reject(new SimInputError(err.code === 'EADDRINUSE' ? `control address ${where} is already in use; choose another with --control HOST:PORT (port 0 picks a free one)` : `cannot listen on control address ${where}: ${err.code ?? err.message}`));
      });
      server.listen(at.port, at.host, () => {
        const a = server.address();
        this.address = typeof a === 'object' && a ? `${a.address}:${a.port}` : String(a);
        this.server = server;
        resolve(this.address);
      });
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }

  private state(c: CrateServer): CrateState {
    return { name: c.crate.name, address: c.address, system: c.crate.systemName, faults: { ...c.faults, failNext: c.faults.failNext ? { ...c.faults.failNext } : null } };
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let status = 200;
    let payload: unknown;
    try {
      payload = await this.route(req.method ?? 'GET', new URL(req.url ?? '/', 'http://x').pathname, req);
    } catch (err) {
      if (err instanceof HttpError) {
        status = err.status;
        payload = { error: err.message, code: err.code };
      } else if (err instanceof SimError) {
        status = 400;
        payload = { error: err.message, code: err.code };
      } else {
        status = 500;
        payload = { error: err instanceof Error ? err.message : String(err) };
      }
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload ?? { ok: true }));
  }

  private async route(method: string, path: string, req: IncomingMessage): Promise<unknown> {
    const p = path.split('/').filter(Boolean);
    if (method === 'GET' && p.length === 0) return { crates: this.crates.map((c) => this.state(c)) };
    if (p[0] !== 'crates' || p.length < 2) throw new HttpError(404, `unknown route ${method} ${path}`);
    const c = this.crate(decodeURIComponent(p[1]));
    const rest = p.slice(2);
    const body = method === 'POST' ? await readJson(req) : {};
    // an operator action may change subscribed values: push them now
    if (method === 'POST') c.changed();
    const route = `${method} ${rest.map((x) => (/^\d+$/.test(x) ? 'N' : x)).join('/')}`;
    const slot = Number(rest[1]);
    const ch = Number(rest[3]);
    switch (route) {
      case 'GET ':
        return this.state(c);
      case 'GET counters':
        return c.counters.snapshot() satisfies CountersSnapshot;
      case 'POST counters/reset':
        c.counters.reset();
        return { ok: true };
      case 'POST off':
        await c.power(false);
        return this.state(c);
      case 'POST on':
        await c.power(true);
        return this.state(c);
      case 'POST down':
        c.setDown(true);
        return this.state(c);
      case 'POST up':
        c.setDown(false);
        return this.state(c);
      case 'POST faults': {
        if ('latencyMs' in body) c.faults.latencyMs = num(body, 'latencyMs', { min: 0 });
        if ('idleDropSeconds' in body) c.setIdleDrop(body.idleDropSeconds === null ? null : num(body, 'idleDropSeconds', { min: 0 }));
        if ('refuseLogins' in body) {
          if (typeof body.refuseLogins !== 'boolean') throw new HttpError(400, '"refuseLogins" must be true or false');
          c.faults.refuseLogins = body.refuseLogins;
        }
        if ('eventKeepaliveMs' in body) c.faults.eventKeepaliveMs = num(body, 'eventKeepaliveMs', { min: 1 });
        if ('eventKeepalives' in body) {
          if (typeof body.eventKeepalives !== 'boolean') throw new HttpError(400, '"eventKeepalives" must be true or false');
          c.faults.eventKeepalives = body.eventKeepalives;
        }
        if ('eventDelayMs' in body) c.faults.eventDelayMs = num(body, 'eventDelayMs', { min: 0 });
        if ('loseEvents' in body) c.faults.loseEvents = num(body, 'loseEvents', { integer: true, min: 0 });
        if ('silentLogins' in body) {
          if (typeof body.silentLogins !== 'boolean') throw new HttpError(400, '"silentLogins" must be true or false');
          c.faults.silentLogins = body.silentLogins;
        }
        return this.state(c);
      }
      case 'POST odd-reply': {
        const fn = body.fn;
        if (typeof fn !== 'string' || fn === '') throw new HttpError(400, '"fn" must be a wrapper function name');
        if (typeof body.text === 'string') c.faults.oddReplies.push({ fn, text: body.text });
        else if (body.stream === 'endless' || body.stream === 'stale') c.faults.oddReplies.push({ fn, stream: body.stream });
        else throw new HttpError(400, 'give "text" (the reply after its sequence number) or "stream": "endless" | "stale"');
        return { queued: c.faults.oddReplies.length };
      }
      case 'POST fail-next': {
        const count = num(body, 'count', { integer: true, min: 0 });
        const code = num(body, 'code', { integer: true });
        const fn = body.fn === undefined || body.fn === null ? null : canonicalFn(String(body.fn));
        c.faults.failNext = count > 0 ? { count, code, fn } : null;
        return this.state(c);
      }
      case 'POST sessions/drop':
        return { dropped: c.dropSessions() };
      case 'POST events/drop':
        return { dropped: c.dropEventConnections() };
      case 'POST slots/N/remove':
        c.crate.removeBoard(slot);
        return { ok: true };
      case 'POST slots/N/insert':
        c.crate.insertBoard(slot);
        return { ok: true };
      case 'POST slots/N/status':
        c.crate.injectBoardStatus(slot, num(body, 'bits', { integer: true, min: 0 }));
        return { ok: true };
      case 'POST slots/N/channels/N/status':
        c.crate.injectChannelStatus(slot, ch, num(body, 'bits', { integer: true, min: 0 }));
        return c.crate.channelState(slot, ch);
      case 'POST slots/N/temperature':
        c.crate.setTemperature(slot, num(body, 'celsius'));
        return { ok: true };
      case 'POST slots/N/channels/N/trip':
        c.crate.trip(slot, ch);
        return c.crate.channelState(slot, ch);
      case 'GET slots/N/channels/N':
        return c.crate.channelState(slot, ch);
      case 'POST slots/N/channels/N': {
        const param = body.param;
        const value = body.value;
        if (typeof param !== 'string') throw new HttpError(400, '"param" must be a parameter name, LoadMOhm or name');
        if (typeof value !== 'number' && typeof value !== 'string') throw new HttpError(400, '"value" must be a number or a string');
        c.crate.setChannel(slot, ch, param, value);
        return c.crate.channelState(slot, ch);
      }
      default:
        throw new HttpError(404, `unknown route ${method} ${path}`);
    }
  }
}
