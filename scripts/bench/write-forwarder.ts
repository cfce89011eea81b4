// A bench-only HTTP forwarder in front of VictoriaMetrics: the daemon's influx-v2 sink writes to it, it
// forwards every request unchanged (path, query, headers, gzip body) and answers what VictoriaMetrics
// answered. For each write it notes when the request body had fully arrived and when VictoriaMetrics
// acknowledged it, and looks in its lines for the values a caller is waiting for (`watch`). "A point
// reached the database" = VictoriaMetrics acknowledged (2xx) the write that carried it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One line of line protocol, split (escapes kept out of names and tag values). */
export interface ParsedLine {
  measurement: string;
  tags: Record<string, string>;
  /** field → its value as written (`12.5`, `1i`, `"text"`) */
  fields: Record<string, string>;
  /** the timestamp as written (in the request's precision), if any */
  time?: number;
}

/** Splits `text` at `sep` where it is not escaped by a backslash nor inside a double-quoted string. */
function splitUnescaped(text: string, sep: string, quotes: boolean): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      cur += c + text[i + 1];
      i++;
    } else if (quotes && c === '"') {
      inQuote = !inQuote;
      cur += c;
    } else if (c === sep && !inQuote) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

/** Parses one line of line protocol; null for an empty or malformed line. */
export function parseLine(line: string): ParsedLine | null {
  const parts = splitUnescaped(line.trim(), ' ', true);
  if (parts.length < 2 || parts[0] === '') return null;
  const [key, fieldText, timeText] = parts;
  const [measurement, ...tagParts] = splitUnescaped(key, ',', false);
  const tags: Record<string, string> = {};
  for (const t of tagParts) {
    const [k, ...v] = splitUnescaped(t, '=', false);
    if (v.length === 0) return null;
    tags[unescape(k)] = unescape(v.join('='));
  }
  const fields: Record<string, string> = {};
  for (const f of splitUnescaped(fieldText, ',', true)) {
    const eq = splitUnescaped(f, '=', true);
    if (eq.length < 2) return null;
    fields[unescape(eq[0])] = eq.slice(1).join('=');
  }
  const time = timeText === undefined || timeText === '' ? undefined : Number(timeText);
  return { measurement: unescape(measurement), tags, fields, ...(time !== undefined && Number.isFinite(time) ? { time } : {}) };
}

/** A numeric field value as written (`12.5`, `1i`), or NaN. */
export function numericField(text: string | undefined): number {
  if (text === undefined) return NaN;
  return Number(text.endsWith('i') ? text.slice(0, -1) : text);
}

/** What a caller waits for: the first acknowledged write of `bucket` with a line that `matches`. */
export interface Watch {
  bucket: string;
  matches(line: ParsedLine): boolean;
}

export interface Arrival {
  /** performance.now() when the request body carrying the line had fully arrived */
  arrivedMs: number;
  /** performance.now() when VictoriaMetrics had answered 2xx to that request */
  ackedMs: number;
  /** the point's own timestamp (ms since the epoch): when the daemon took the reading */
  pointTimeMs: number;
}

interface Pending extends Watch {
  resolve(a: Arrival): void;
}

/** ms per unit of the `precision` query parameter of a write */
const PRECISION_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000 };

export interface ForwarderStats {
  requests: number;
  lines: number;
  /** requests VictoriaMetrics did not acknowledge (not 2xx, or unreachable) */
  failed: number;
}

export class WriteForwarder {
  readonly #server: Server;
  readonly #upstream: string;
  #pending: Pending[] = [];
  readonly stats = new Map<string, ForwarderStats>();
  readonly url: string;

  private constructor(server: Server, upstream: string) {
    this.#server = server;
    this.#upstream = upstream.replace(/\/$/, '');
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Listens on 127.0.0.1, a free port, and forwards to `upstream` (e.g. VictoriaMetrics' URL). */
  static async start(upstream: string): Promise<WriteForwarder> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const f = new WriteForwarder(server, upstream);
    server.on('request', (req, res) => void f.#handle(req, res));
    return f;
  }

  /** Resolves with the timestamps of the first acknowledged write (from now on) that carries a matching line. */
  watch(w: Watch): Promise<Arrival> {
    return new Promise((resolve) => this.#pending.push({ ...w, resolve }));
  }

  /** Forgets every watch still waiting (their promises never resolve). */
  forgetWatches(): void {
    this.#pending = [];
  }

  get waiting(): number {
    return this.#pending.length;
  }

  #stats(bucket: string): ForwarderStats {
    let s = this.stats.get(bucket);
    if (!s) this.stats.set(bucket, (s = { requests: 0, lines: 0, failed: 0 }));
    return s;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const arrivedMs = performance.now();
    const body = Buffer.concat(chunks);
    const path = req.url ?? '/';
    const bucket = new URL(path, 'http://x').searchParams.get('bucket') ?? '';
    const headers: Record<string, string> = {};
    for (const h of ['content-type', 'content-encoding', 'authorization']) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    let status = 502;
    let answer = '';
    try {
      const r = await fetch(`${this.#upstream}${path}`, { method: req.method ?? 'POST', headers, ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }) });
      status = r.status;
      answer = await r.text();
    } catch (err) {
      answer = `forwarder: ${err instanceof Error ? err.message : String(err)}`;
    }
    const ackedMs = performance.now();
    res.writeHead(status, { 'content-type': 'text/plain' }).end(answer);
    if (!path.startsWith('/api/v2/write') && !path.startsWith('/write')) return;
    const st = this.#stats(bucket);
    st.requests++;
    if (status < 200 || status > 299) {
      st.failed++;
      return;
    }
    const text = (headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
    const lines = text.split('\n');
    st.lines += lines.filter((l) => l.trim() !== '').length;
    const mine = this.#pending.filter((p) => p.bucket === bucket);
    if (mine.length === 0) return;
    const unit = PRECISION_MS[new URL(path, 'http://x').searchParams.get('precision') ?? 'ns'] ?? 1e-6;
    const done = new Map<Pending, number>();
    for (const l of lines) {
      const parsed = parseLine(l);
      if (!parsed) continue;
      for (const p of mine) if (!done.has(p) && p.matches(parsed)) done.set(p, (parsed.time ?? NaN) * unit);
      if (done.size === mine.length) break;
    }
    if (done.size === 0) return;
    this.#pending = this.#pending.filter((p) => !done.has(p));
    for (const [p, pointTimeMs] of done) p.resolve({ arrivedMs, ackedMs, pointTimeMs });
  }

  async close(): Promise<void> {
    this.#pending = [];
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
