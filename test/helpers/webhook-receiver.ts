// A local webhook endpoint for alarm-notification tests: records every POST (parsed JSON body) and
// answers with the scripted statuses first (e.g. [503] for one failure), then 200.
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface WebhookReceiver {
  url: string;
  /** every request received, in order */
  requests: { status: number; body: Record<string, unknown> }[];
  /** the bodies of requests answered 2xx */
  delivered(): Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(statuses: number[] = []): Promise<WebhookReceiver> {
  const requests: WebhookReceiver['requests'] = [];
  const script = [...statuses];
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (d: string) => (text += d));
    req.on('end', () => {
      const status = script.shift() ?? 200;
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = { unparsable: text };
      }
      requests.push({ status, body });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'try later');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/secret-key-123`,
    requests,
    delivered: () => requests.filter((r) => r.status < 300).map((r) => r.body),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
