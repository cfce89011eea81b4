// A scripted HTTP responder, only for answers a real server cannot be made to give (429, 503, 413).
// Each request takes the next scripted answer; when the script is used up it answers `fallback` (204).
// Every request is recorded with its decoded (gunzipped) body.
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** ms since the epoch when the request arrived */
  at: number;
}

export interface Responder {
  url: string;
  requests: RecordedRequest[];
  /** answers to give next, in order */
  script: ScriptedAnswer[];
  /** the answer once the script is used up; a function can decide per request (e.g. 413 above N lines) */
  fallback: ScriptedAnswer | ((req: RecordedRequest) => ScriptedAnswer);
  close(): Promise<void>;
}

export async function startResponder(script: ScriptedAnswer[] = [], fallback: Responder['fallback'] = { status: 204 }): Promise<Responder> {
  const state: Omit<Responder, 'url' | 'close'> = { requests: [], script: [...script], fallback };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      const rec: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw.toString('utf8'), at: Date.now() };
      state.requests.push(rec);
      const next = state.script.shift();
      const answer = next ?? (typeof state.fallback === 'function' ? state.fallback(rec) : state.fallback);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body ?? (answer.status >= 300 ? JSON.stringify({ code: 'scripted', message: `scripted ${answer.status}` }) : ''));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  }) as Responder;
}
