// The CLI's side of the local control endpoint: finds the running daemon that serves a mainframe
// (its socket and token file in gemcaen.ControlDirectory) and sends it previews and applies. No
// daemon (no socket, or a socket nobody answers on: one left by a daemon that died) means the
// command opens its own session.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { userInfo } from 'node:os';
import { controlDirectoryOf } from '../config/paths.js';
import type { GemcaenConfig, MainframeConfig } from '../config/types.js';
import { GemcaenError, UsageError } from '../errors.js';
import type { ControlRequest, ControlResult } from '../protocol.js';
import { CONTROL_API, endpointPaths, type EndpointPaths } from '../supervisor/control-paths.js';

/** The person asking: the OS user, and the one who ran sudo when run through it. */
export function osIdentity(env: NodeJS.ProcessEnv = process.env): string {
  const user = userInfo().username;
  const sudo = env.SUDO_USER;
  return sudo && sudo !== user && /^[A-Za-z0-9._@+-]{1,64}$/.test(sudo) ? `${user} (sudo ${sudo})` : user;
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

type Failure = { unreachable: true };

function call(paths: EndpointPaths, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Reply | Failure> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      {
        socketPath: paths.socket,
        method,
        path: `${CONTROL_API}${path}`,
        headers: { authorization: `Bearer ${token}`, ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
          } catch {
            reject(new GemcaenError('CONTROL_BAD_REPLY', `the daemon at ${paths.socket} answered ${res.statusCode} with no JSON`));
          }
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') resolve({ unreachable: true });
      else reject(new GemcaenError('CONTROL_BAD_REPLY', `the daemon at ${paths.socket}: ${err.message}`));
    });
    req.end(data);
  });
}

/** The coded result as a NaN-faithful object (JSON carries NaN as null). */
function revive(result: ControlResult): ControlResult {
  const plan = result.plan;
  if (plan) {
    const n = (v: number | null | undefined): number => (typeof v === 'number' ? v : Number.NaN);
    plan.rows = plan.rows.map((r) => ({ ...r, current: n(r.current), next: n(r.next), ...(r.readBack !== undefined ? { readBack: n(r.readBack) } : {}) }));
    if (plan.electrodes) plan.electrodes = plan.electrodes.map((e) => ({ ...e, vmon: n(e.vmon), ieq: n(e.ieq), pw: n(e.pw) }));
  }
  return result;
}

export class DaemonClient {
  constructor(
    readonly paths: EndpointPaths,
    readonly mainframe: string,
    readonly pid: number,
    readonly who: string,
    readonly from: string,
    readonly token: string,
  ) {}

  async #post(path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const reply = await call(this.paths, this.token, 'POST', path, { ...body, who: this.who, from: this.from });
    if ('unreachable' in reply) throw new GemcaenError('DAEMON_GONE', `the daemon (pid ${this.pid}) stopped answering on ${this.paths.socket}: check whether the set point was applied (gemcaen audit, gemcaen status)`);
    if (reply.status !== 200) {
      const e = (reply.body.error ?? {}) as { code?: string; message?: string };
      const message = `the daemon refused the request: ${e.message ?? `HTTP ${reply.status}`}`;
      // the request or the token was wrong (exit 2), not the crate
      if (reply.status === 400 || reply.status === 401) throw new UsageError(e.code ?? 'REQUEST_INVALID', message);
      throw new GemcaenError(e.code ?? 'CONTROL_BAD_REPLY', message);
    }
    return reply.body;
  }

  async preview(request: ControlRequest): Promise<{ token?: string; result: ControlResult }> {
    const body = await this.#post('/preview', { request });
    return { token: typeof body.token === 'string' ? body.token : undefined, result: revive(body.result as ControlResult) };
  }

  async apply(token: string): Promise<ControlResult> {
    const body = await this.#post('/apply', { token });
    return revive(body.result as ControlResult);
  }
}

/**
 * The running daemon that serves `mf`, or undefined when none does. A daemon whose token file this
 * user cannot read is an error (CONTROL_TOKEN_UNREADABLE): going around it needs --direct.
 */
export async function findDaemon(config: GemcaenConfig, mf: MainframeConfig, from = 'cli'): Promise<DaemonClient | undefined> {
  const paths = endpointPaths(controlDirectoryOf(config.settings), mf.id);
  let token: string;
  try {
    token = readFileSync(paths.token, 'utf8').trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new UsageError(
      'CONTROL_TOKEN_UNREADABLE',
      `a gemcaen daemon may serve ${mf.systemType} at ${mf.address}, but its token file ${paths.token} cannot be read (${code}): run this as the daemon's user (e.g. sudo -u <user> gemcaen …), or add --direct to open a second session on the crate`,
    );
  }
  const reply = await call(paths, token, 'GET', '/status');
  if ('unreachable' in reply) return undefined;
  if (reply.status === 401) {
    throw new UsageError('CONTROL_UNAUTHORIZED', `the daemon at ${paths.socket} refused the token of ${paths.token}; it may be restarting: try again, or add --direct`);
  }
  if (reply.status !== 200) throw new GemcaenError('CONTROL_BAD_REPLY', `the daemon at ${paths.socket} answered HTTP ${reply.status}`);
  return new DaemonClient(paths, mf.id, Number(reply.body.pid), osIdentity(), from, token);
}
