// GET /metrics in the Prometheus text format (prom-client), built at each scrape from the daemon's
// state: every channel's latest monitorables (gemcaen_channel_<Param>, e.g. gemcaen_channel_VMon)
// and its Status bits (gemcaen_channel_status_bit{bit="INTTRIP"}), the board values of the last scan
// (gemcaen_board_<Param>), crate, setup, sink and spool health, active alarms. Channel labels:
// mainframe, setup, slot, channel ("03", as the database tag), name. Served on the health
// endpoint's listener, or on a listener of its own when gemcaen.MetricsListen is set.
import { createServer, type Server } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import { GemcaenError } from '../errors.js';
import type { ScanEvent } from '../events/types.js';
import { CHSTATUS_BITS } from '../status-bits.js';
import { listenHttp, parseListen } from '../web/health-server.js';
import { pad2 } from '../alarms/rules.js';
import type { RouteAnswer } from './routes.js';
import type { Extension, ExtensionContext } from './types.js';

const CHANNEL_LABELS = ['mainframe', 'setup', 'slot', 'channel', 'name'] as const;
const BOARD_LABELS = ['mainframe', 'setup', 'slot'] as const;

/** a parameter name as a metric-name part (CAEN names are letters and digits already) */
function metricPart(param: string): string {
  return param.replace(/[^A-Za-z0-9_]/g, '_');
}

export class MetricsExtension implements Extension {
  readonly name = 'metrics';
  #ctx: ExtensionContext | null = null;
  #registry: Registry | null = null;
  #server: Server | null = null;
  /** the board values of each setup's last scan */
  readonly #boards = new Map<string, ScanEvent>();
  readonly #onScan = (e: ScanEvent): void => {
    if (e.layout.board.length > 0) this.#boards.set(e.setup, e);
  };
  /** "host:port" of its own listener, when it has one */
  address: string | null = null;

  async start(ctx: ExtensionContext): Promise<void> {
    this.#ctx = ctx;
    this.#registry = new Registry();
    ctx.events.on('scan', this.#onScan);
    const listen = ctx.config.settings.metricsListen ?? '';
    if (listen === '') {
      ctx.routes.add('/metrics', () => this.#answer());
      return;
    }
    const { host, port } = parseListen(listen);
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /metrics\n');
        return;
      }
      this.#answer().then(
        (a) => res.writeHead(a.status, { 'content-type': a.contentType }).end(a.body),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err instanceof Error ? err.message : String(err)}\n`),
      );
    });
    this.#server = server;
    try {
      this.address = await listenHttp(server, host, port);
    } catch (err) {
      throw new GemcaenError('METRICS_LISTEN_FAILED', `cannot listen for /metrics on ${listen}: ${(err as Error).message} (set gemcaen.MetricsListen, or "" for the health endpoint)`);
    }
    ctx.log.info(`metrics: GET http://${this.address}/metrics`);
  }

  async stop(): Promise<void> {
    const ctx = this.#ctx;
    if (!ctx) return;
    ctx.events.off('scan', this.#onScan);
    ctx.routes.remove('/metrics');
    const server = this.#server;
    this.#server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.#ctx = null;
  }

  async #answer(): Promise<RouteAnswer> {
    const registry = this.#registry;
    if (!registry) return { status: 503, contentType: 'text/plain', body: 'stopping\n' };
    this.#fill(registry);
    return { status: 200, contentType: registry.contentType, body: await registry.metrics() };
  }

  #gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    const known = registry.getSingleMetric(name) as Gauge<L> | undefined;
    if (known) return known;
    return new Gauge<L>({ name, help, labelNames: [...labelNames], registers: [registry] });
  }

  /** Sets every gauge from the state as it is now (series of channels gone since are dropped). */
  #fill(registry: Registry): void {
    const state = this.#ctx!.state;
    registry.resetMetrics();
    const now = Date.now();
    for (const r of state.latest.values()) {
      const setup = state.setups.get(r.setup);
      const labels = { mainframe: setup?.mainframe ?? '', setup: r.setup, slot: String(r.slot), channel: pad2(r.channel), name: r.name };
      for (const [param, value] of Object.entries(r.values)) {
        if (!Number.isFinite(value)) continue;
        this.#gauge(registry, `gemcaen_channel_${metricPart(param)}`, `channel parameter ${param} at the last scan`, CHANNEL_LABELS).set(labels, value);
        if (param === 'Status') {
          const bits = this.#gauge(registry, 'gemcaen_channel_status_bit', 'channel Status bit at the last scan (1 set, 0 clear)', [...CHANNEL_LABELS, 'bit']);
          for (const b of CHSTATUS_BITS) bits.set({ ...labels, bit: b.name }, (value >>> b.bit) & 1);
        }
      }
      this.#gauge(registry, 'gemcaen_channel_reading_age_seconds', 'seconds since the channel was last read', CHANNEL_LABELS).set(labels, (now - r.timeMs) / 1000);
    }
    for (const e of this.#boards.values()) {
      for (const [param, value] of Object.entries(e.board)) {
        if (!Number.isFinite(value)) continue;
        this.#gauge(registry, `gemcaen_board_${metricPart(param)}`, `board parameter ${param} at the last scan`, BOARD_LABELS).set({ mainframe: e.mainframe, setup: e.setup, slot: String(e.slot) }, value);
      }
    }
    for (const c of state.crates.values()) {
      this.#gauge(registry, 'gemcaen_crate_connected', '1 while the crate is connected', ['mainframe', 'state']).set({ mainframe: c.id, state: c.state }, c.state === 'connected' ? 1 : 0);
      this.#gauge(registry, 'gemcaen_crate_worker_restarts', 'worker restarts after a fault since the start', ['mainframe']).set({ mainframe: c.id }, c.restarts);
    }
    for (const s of state.setups.values()) {
      this.#gauge(registry, 'gemcaen_setup_paused', '1 while the setup is paused (board absent, …)', ['mainframe', 'setup']).set({ mainframe: s.mainframe, setup: s.name }, s.paused ? 1 : 0);
      this.#gauge(registry, 'gemcaen_setup_scans', 'scans since the start', ['mainframe', 'setup']).set({ mainframe: s.mainframe, setup: s.name }, s.scans);
      if (s.lastScanMs !== undefined)
        this.#gauge(registry, 'gemcaen_setup_last_scan_age_seconds', 'seconds since the last scan', ['mainframe', 'setup']).set({ mainframe: s.mainframe, setup: s.name }, (now - s.lastScanMs) / 1000);
    }
    for (const k of state.sinks.values()) {
      const l = { sink: k.id };
      this.#gauge(registry, 'gemcaen_sink_failing', '1 while the sink cannot write', ['sink']).set(l, k.state === 'failing' ? 1 : 0);
      this.#gauge(registry, 'gemcaen_sink_spool_bytes', 'bytes waiting in the sink spool', ['sink']).set(l, k.spoolBytes ?? 0);
      this.#gauge(registry, 'gemcaen_sink_backlog_lines', 'lines accepted but not yet acknowledged', ['sink']).set(l, Number(k.extra?.spooledLines ?? 0));
      this.#gauge(registry, 'gemcaen_sink_written_lines', 'lines the database acknowledged since the start', ['sink']).set(l, k.written ?? 0);
      this.#gauge(registry, 'gemcaen_sink_dropped_lines', 'lines dropped (refused as bad data, or over the spool bound)', ['sink']).set(l, Number(k.extra?.droppedLines ?? 0));
    }
    const active = this.#gauge(registry, 'gemcaen_alarms_active', 'alarms raised and not yet cleared', ['severity']);
    active.set({ severity: 'error' }, 0);
    active.set({ severity: 'warning' }, 0);
    for (const a of state.alarms.values()) active.inc({ severity: a.severity });
  }
}
