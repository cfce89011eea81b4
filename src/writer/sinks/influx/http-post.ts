// The database sinks' common part: one line-protocol POST per batch through the official client's transport
// (@influxdata/influxdb-client), with the outcome mapped to a WriteResult. The transport only sends: retries
// are ours (the spool), not the client's. HttpPostSink is that write for the influx-v1 and influx-v2 sinks.
import { HttpError, RequestTimedOutError, type SendOptions, type Transport } from '@influxdata/influxdb-client';
import { outcomeOf, parseRetryAfter, type Outcome, type WriteResult } from '../../outcome.js';
import type { Sink } from '../sink.js';

/** Bodies larger than this are gzipped (as the client's WriteApi does). */
const GZIP_THRESHOLD = 1000;

/** a sink's config (without its kind), plus a request time-out */
export type HttpSinkOptions<C extends { kind: string }> = Omit<C, 'kind'> & {
  /** per request, ms (default 10000) */
  timeoutMs?: number;
};

export interface HttpPostSinkInit {
  id: string;
  /** where it writes, for logs and status: never a secret */
  target: string;
  transport: Transport;
  /** path and query of the write endpoint */
  path: string;
  /** extra request headers (e.g. authorization) */
  headers?: Record<string, string>;
  /** credentials hidden from any error text */
  secrets: readonly string[];
}

/** A database sink: each batch is one POST of its lines through the client's transport, spooled on failure. */
export abstract class HttpPostSink implements Sink {
  abstract readonly kind: string;
  readonly id: string;
  readonly target: string;
  readonly #transport: Transport;
  readonly #path: string;
  readonly #headers: Record<string, string>;
  readonly #secrets: readonly string[];

  protected constructor(init: HttpPostSinkInit) {
    this.id = init.id;
    this.target = init.target;
    this.#transport = init.transport;
    this.#path = init.path;
    this.#headers = init.headers ?? {};
    this.#secrets = init.secrets;
  }

  write(lines: readonly string[], signal: AbortSignal): Promise<WriteResult> {
    return postLines(this.#transport, this.#path, lines, this.#headers, signal, this.#secrets);
  }

  /** A spool batch's bytes as the body, as they are (without the last newline: the same text as write's). */
  writeBody(body: Buffer, signal: AbortSignal): Promise<WriteResult> {
    return postLines(this.#transport, this.#path, body.subarray(0, body.length - 1), this.#headers, signal, this.#secrets);
  }

  /** Telegraf's HTTP table (src/writer/outcome.ts): 413 split, 401/403/404 config, 408/429/5xx and network keep, other 4xx drop */
  outcome(r: WriteResult): Outcome {
    return outcomeOf(r.status);
  }

  abstract configHint(result: WriteResult): string;

  async close(): Promise<void> {}
}

export async function postLines(
  transport: Transport,
  path: string,
  lines: readonly string[] | string | Uint8Array,
  headers: Record<string, string>,
  signal: AbortSignal,
  secrets: readonly string[],
): Promise<WriteResult> {
  const body = typeof lines === 'string' || lines instanceof Uint8Array ? lines : lines.join('\n');
  try {
    const status = await send(transport, path, body, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, gzipThreshold: GZIP_THRESHOLD, signal });
    return { status: status || 204 };
  } catch (err) {
    if (err instanceof HttpError) {
      const text = hide(bodyText(err.body ?? err.message), secrets);
      const result: WriteResult = { status: err.statusCode, message: `HTTP ${err.statusCode}${text ? ': ' + text : ''}` };
      const ra = parseRetryAfter(err.headers?.['retry-after']);
      if (ra !== undefined) result.retryAfterMs = ra;
      const dropped = /dropped=(\d+)/.exec(err.body ?? '');
      if (err.statusCode === 400 && /partial write/.test(err.body ?? '') && dropped) result.rejectedLines = Number(dropped[1]);
      return result;
    }
    if (err instanceof RequestTimedOutError) return { status: 'network', message: 'request timed out' };
    const e = err as NodeJS.ErrnoException;
    return { status: 'network', message: hide(e?.code ? `${e.code}${e.message ? ' ' + e.message : ''}` : String(e?.message ?? err), secrets) };
  }
}

/**
 * One request through the transport; resolves with the status code of a success (a failure rejects with
 * the client's HttpError, RequestTimedOutError, …). Through send(), not request(): request() turns any
 * body but a string into JSON, while the Node transport's send() makes its body with Buffer.from(body),
 * which takes bytes as they are; so a spool batch goes out without being decoded into a string and
 * encoded back (test/writer/outcomes.test.ts checks the bytes that arrive, gzipped and not).
 */
function send(transport: Transport, path: string, body: string | Uint8Array, options: SendOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    let status = 0;
    transport.send(path, body as string, options, {
      responseStarted: (_headers, code) => {
        status = code ?? 0;
      },
      error: reject,
      complete: () => resolve(status),
    });
  });
}

/** The error text of an InfluxDB answer ({"error": "..."} or {"message": "..."} or plain), short. */
function bodyText(body: string): string {
  let text = body.trim();
  try {
    const j: unknown = JSON.parse(text);
    if (j && typeof j === 'object') {
      const o = j as Record<string, unknown>;
      if (typeof o.error === 'string') text = o.error;
      else if (typeof o.message === 'string') text = o.message;
    }
  } catch {
    // not JSON
  }
  text = text.replace(/\s+/g, ' ');
  return text.length > 300 ? text.slice(0, 300) + '…' : text;
}

/** A server could echo a credential: never let one through. */
export function hide(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('***');
  return out;
}
