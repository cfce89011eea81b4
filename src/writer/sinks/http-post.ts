// One line-protocol POST through the official client's transport (@influxdata/influxdb-client), with the
// outcome mapped to a WriteResult. The transport only sends: retries are ours (the spool), not the client's.
import { HttpError, RequestTimedOutError, type Transport } from '@influxdata/influxdb-client';
import type { WriteResult } from '../outcome.js';
import { parseRetryAfter } from '../outcome.js';

/** Bodies larger than this are gzipped (as the client's WriteApi does). */
const GZIP_THRESHOLD = 1000;

export async function postLines(
  transport: Transport,
  path: string,
  lines: readonly string[],
  headers: Record<string, string>,
  signal: AbortSignal,
  secrets: readonly string[],
): Promise<WriteResult> {
  const body = lines.join('\n');
  let status = 0;
  try {
    await transport.request(
      path,
      body,
      { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, gzipThreshold: GZIP_THRESHOLD, signal },
      (_h, code) => {
        status = code ?? 0;
      },
    );
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
