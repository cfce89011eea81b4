// Server-Sent Events for the page: every event is serialised once and written to every open stream;
// the last RING events are kept so that a client reconnecting with Last-Event-ID gets exactly what it
// missed. A client that is too far behind (or new, or from before a restart) gets a snapshot first.
// Ids are "EPOCH-SEQ": EPOCH changes with each start of the daemon. A client that does not read what
// it is sent (a laptop asleep with its connection still open) is disconnected once MAX_BUFFERED bytes
// wait for it, so it cannot grow the daemon's memory; its browser reconnects and resumes.
import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

const RING = 4000;
/** unsent bytes of one stream before it is cut: about half a minute of 4 full crates at 1 Hz */
export const MAX_BUFFERED = 8 * 1024 * 1024;

interface Stored {
  seq: number;
  text: string;
}

export interface StreamStats {
  open: number;
  opened: number;
  resumed: number;
  snapshots: number;
  published: number;
  /** streams cut because their client did not read */
  dropped: number;
}

export class StreamHub {
  readonly epoch = randomBytes(4).toString('hex');
  #seq = 0;
  readonly #ring: Stored[] = [];
  readonly #clients = new Set<ServerResponse>();
  readonly #stats: StreamStats = { open: 0, opened: 0, resumed: 0, snapshots: 0, published: 0, dropped: 0 };
  #heartbeat: NodeJS.Timeout | null = null;

  constructor(private readonly snapshot: () => unknown, private readonly maxBuffered = MAX_BUFFERED) {}

  /** Every `heartbeatMs` a ping (no id: not resumable, not kept) tells each page the server's clock and that the stream lives. */
  start(heartbeatMs = 5_000): void {
    this.#heartbeat = setInterval(() => {
      const text = `event: ping\ndata: {"serverTimeMs":${Date.now()}}\n\n`;
      for (const c of this.#clients) c.write(text);
    }, heartbeatMs);
    this.#heartbeat.unref();
  }

  stats(): StreamStats {
    return { ...this.#stats, open: this.#clients.size };
  }

  /** Sends one event to every stream (and keeps it for resuming clients). */
  publish(event: string, data: unknown): void {
    const seq = ++this.#seq;
    const text = `id: ${this.epoch}-${seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    this.#ring.push({ seq, text });
    if (this.#ring.length > RING) this.#ring.shift();
    this.#stats.published++;
    for (const c of this.#clients) {
      if (c.writableLength > this.maxBuffered) {
        this.#clients.delete(c);
        this.#stats.dropped++;
        c.destroy();
      } else c.write(text);
    }
  }

  /** Takes over a response as an event stream: the missed events after `lastEventId`, else a snapshot. */
  attach(res: ServerResponse, lastEventId: string | undefined): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 1000\n\n');
    const missed = this.#missedAfter(lastEventId);
    if (missed) {
      this.#stats.resumed++;
      res.write(`event: resumed\ndata: ${JSON.stringify({ missed: missed.length })}\n\n`);
      for (const m of missed) res.write(m.text);
    } else {
      this.#stats.snapshots++;
      res.write(`id: ${this.epoch}-${this.#seq}\nevent: snapshot\ndata: ${JSON.stringify(this.snapshot())}\n\n`);
    }
    this.#stats.opened++;
    this.#clients.add(res);
    res.on('close', () => this.#clients.delete(res));
  }

  #missedAfter(lastEventId: string | undefined): Stored[] | undefined {
    const m = /^([0-9a-f]+)-(\d+)$/.exec(lastEventId ?? '');
    if (!m || m[1] !== this.epoch) return undefined;
    const after = Number(m[2]);
    if (after > this.#seq) return undefined;
    const oldest = this.#ring[0]?.seq ?? this.#seq + 1;
    if (after < oldest - 1) return undefined; // events were lost: start over from a snapshot
    return this.#ring.filter((e) => e.seq > after);
  }

  /** Ends every stream (clients reconnect and resume). */
  dropAll(): void {
    for (const c of this.#clients) c.destroy();
    this.#clients.clear();
  }

  stop(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    for (const c of this.#clients) c.end();
    this.#clients.clear();
  }
}
