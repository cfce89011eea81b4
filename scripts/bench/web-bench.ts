// The web page under load: the real daemon (CLI child process) logging full crates at 1 Hz with
// gemcaen.Web on, measured in alternating windows without and with N event streams open (plain HTTP
// clients in this process, each signed in as the page does: POST /api/login, then GET /api/stream
// with the session cookie). Per window: the daemon's CPU from /proc, and the wrapper calls per setup
// scan from the crates' own counters. In the windows with streams: the delay from a change made at
// the crate (simulator control API) to the scan message carrying it on every stream, and from the
// start of each scan (the reading's time in the message) to its arrival on a stream.
import { DAEMON_NODE_FLAGS } from '../../src/cli/node-flags.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request, type ClientRequest } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../src/web/page/passwords.js';
import type { SimControlClient } from '../../sim/control-client.js';
import { configYaml, crateName, setupName, CHANNELS, SLOTS, type BenchSink } from './fixtures.js';
import { sampleProc, type ProcSample } from './proc-stats.js';
import { mean, median, sleep, waitUntil } from './stats.js';

export interface WebBenchOptions {
  cli: string;
  /** crate index → loopback address of the simulated crate */
  addresses: readonly string[];
  library: string;
  control: SimControlClient;
  sink: BenchSink;
  /** event streams open in the windows "with streams" */
  streams: number;
  /** length of each window, seconds */
  windowSeconds: number;
  /** pairs of windows (without and with, in the order without, with, with, without, ...) */
  pairs: number;
  warmupSeconds: number;
  /** a change at the crate every this many ms, in every window (the same load with and without streams) */
  probeEveryMs?: number;
  /** registers a stop of the daemon for the bench's own end (Ctrl-C, the watchdog) */
  onCleanup?: (fn: () => Promise<void>) => void;
}

export interface WindowFigures {
  streams: number;
  seconds: number;
  cpuSeconds: number;
  /** CPU of each 1 s interval, % of one core */
  cpuPerInterval: number[];
  calls: number;
  scans: number;
  /** (setup scans so far, wrapper calls so far) read side by side about every second */
  counts: { scans: number; calls: number }[];
}

/**
 * Wrapper calls per setup scan: the least-squares slope of calls against scans over the paired readings
 * of each window (pooled within windows). The two counters come from two processes and cannot be read at
 * the same instant; a slope over many readings is not thrown off by the scans that happen between the
 * two reads at the window's ends, as a difference of the end readings would be.
 */
export function callsPerScan(windows: readonly Pick<WindowFigures, 'counts'>[]): number {
  let sxy = 0;
  let sxx = 0;
  for (const w of windows) {
    const mx = mean(w.counts.map((c) => c.scans));
    const my = mean(w.counts.map((c) => c.calls));
    for (const c of w.counts) {
      sxy += (c.scans - mx) * (c.calls - my);
      sxx += (c.scans - mx) ** 2;
    }
  }
  return sxx > 0 ? sxy / sxx : NaN;
}

export interface WebBenchResult {
  crates: number;
  setups: number;
  streams: number;
  windows: WindowFigures[];
  /** CPU % of one core, all windows of a kind together */
  cpuWithout: number;
  cpuWith: number;
  /** wrapper calls per setup scan (crate counters against the health endpoint's scan counts): callsPerScan() */
  callsPerScanWithout: number;
  callsPerScanWith: number;
  /** wrapper calls by function over all windows of each kind (crate counters) */
  byFunction: Record<'without' | 'with', Record<string, number>>;
  /** change at the crate → the scan message with the new value, per stream, ms */
  changeDelaysMs: number[];
  /** changes made in the windows with streams, and (change, stream) pairs that never arrived within 5 s */
  changes: number;
  missed: number;
  /** start of a scan (the reading's time) → the message on a stream, ms, every scan message on every stream */
  scanDelaysMs: number[];
  /** median of the setups' own scan durations (health endpoint), ms: the part of scanDelaysMs spent reading the crate */
  scanDurationMedianMs: number;
  /** bytes received per stream per second, mean */
  bytesPerStreamPerSecond: number;
  rss: { meanMiB: number; maxMiB: number };
  exitCode: number | null;
}

interface Health {
  ok: boolean;
  setups: { name: string; scans: number; scanDurationMs?: number }[];
}

/** p-quantile (0..1) by the nearest-rank method. */
export function quantile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}

interface Probe {
  setup: string;
  channel: number;
  value: number;
  t0: number;
  seen: Set<number>;
}

const SCAN_HEAD = /^\{"setup":"([^"]+)","lastScanMs":(\d+)/;
const PROBE_TIMEOUT_MS = 5_000;

/** One event stream of the page, read as the browser's EventSource would. */
class StreamReader {
  #req: ClientRequest | null = null;
  #buf = '';
  bytes = 0;
  gotSnapshot = false;
  constructor(
    private readonly index: number,
    private readonly onScan: (index: number, setup: string, scanMs: number, data: string, atMs: number) => void,
  ) {}

  open(url: string, cookie: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request(`${url}api/stream`, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`bench: /api/stream answered ${res.statusCode}`));
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.#data(chunk));
        res.on('error', () => undefined);
        resolve();
      });
      req.on('error', (err) => (this.#req ? undefined : reject(err)));
      req.end();
      this.#req = req;
    });
  }

  close(): void {
    this.#req?.destroy();
    this.#req = null;
    this.#buf = '';
    this.gotSnapshot = false;
  }

  #data(chunk: string): void {
    const atMs = Date.now();
    this.bytes += Buffer.byteLength(chunk);
    this.#buf += chunk;
    for (;;) {
      const end = this.#buf.indexOf('\n\n');
      if (end < 0) return;
      const block = this.#buf.slice(0, end);
      this.#buf = this.#buf.slice(end + 2);
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data = line.slice(6);
      }
      if (event === 'snapshot') this.gotSnapshot = true;
      else if (event === 'scan') {
        const m = SCAN_HEAD.exec(data);
        if (m) this.onScan(this.index, m[1], Number(m[2]), data, atMs);
      }
    }
  }
}

async function login(url: string, name: string, password: string): Promise<string> {
  const origin = url.replace(/\/$/, '');
  const res = await fetch(`${origin}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ name, password }) });
  if (res.status !== 200) throw new Error(`bench: sign-in to the page answered ${res.status}: ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  if (!cookie.startsWith('gemcaen_session=')) throw new Error('bench: the page set no session cookie');
  return cookie;
}

/** The benchmark config (fixtures.ts) with a Web block: an inline viewer account, a free port on 127.0.0.1. */
function webConfig(base: string, passwordHash: string): string {
  const anchor = '  HealthListen: "127.0.0.1:0"\n';
  if (!base.includes(anchor)) throw new Error('bench: the fixture config has no HealthListen line to put the Web block after');
  const web = ['  Web:', '    Listen: "127.0.0.1:0"', '    Users:', `      bench: { Role: viewer, PasswordHash: "${passwordHash}" }`, ''].join('\n');
  return base.replace(anchor, anchor + web);
}

export async function measureWebStreams(o: WebBenchOptions): Promise<WebBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gemcaen-bench-web-'));
  const password = randomBytes(12).toString('base64url');
  const file = join(dir, 'config.yml');
  writeFileSync(file, webConfig(configYaml({ addresses: o.addresses, library: o.library, dir, sink: o.sink }), await hashPassword(password)), { mode: 0o600 });
  const names: string[] = [];
  o.addresses.forEach((_, c) => {
    for (let s = 0; s < SLOTS; s++) names.push(setupName(c, s));
  });
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, o.cli, '-c', file, 'start', ...names], { env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  o.onCleanup?.(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const output: string[] = [];
  let healthUrl: string | undefined;
  let pageUrl: string | undefined;
  const onLine = (l: string): void => {
    output.push(l);
    if (output.length > 200) output.shift();
    healthUrl ??= /health: GET (http:\/\/\S+\/health)/.exec(l)?.[1];
    pageUrl ??= /web page: (http:\/\/\S+\/)/.exec(l)?.[1];
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  const health = async (): Promise<Health> => (await (await fetch(healthUrl!)).json()) as Health;
  const crates = o.addresses.map((_, c) => crateName(c));
  const byFunction: Record<'without' | 'with', Record<string, number>> = { without: {}, with: {} };
  const counters = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const s of await Promise.all(crates.map((c) => o.control.counters(c)))) for (const [f, k] of Object.entries(s.calls)) out[f] = (out[f] ?? 0) + k;
    return out;
  };
  const totalCalls = async (): Promise<number> => (await Promise.all(crates.map((c) => o.control.counters(c)))).reduce((a, s) => a + s.totalCalls, 0);
  const totalScans = async (): Promise<number> => (await health()).setups.reduce((a, s) => a + s.scans, 0);

  // ---- what the streams deliver ----
  const probes: Probe[] = [];
  const changeDelaysMs: number[] = [];
  const scanDelaysMs: number[] = [];
  let changes = 0;
  let missed = 0;
  let measuring = false;
  const onScan = (index: number, setup: string, scanMs: number, data: string, atMs: number): void => {
    if (!measuring) return;
    scanDelaysMs.push(atMs - scanMs);
    for (const p of probes) {
      if (p.setup !== setup || p.seen.has(index)) continue;
      const msg = JSON.parse(data) as { channels: { channel: number; values: Record<string, number> }[] };
      const ch = msg.channels.find((c) => c.channel === p.channel);
      if (ch && ch.values.I0Set === p.value) {
        p.seen.add(index);
        changeDelaysMs.push(atMs - p.t0);
      }
    }
  };
  const readers = Array.from({ length: o.streams }, (_, i) => new StreamReader(i, onScan));
  const current = new Map<string, number>();
  let probeIndex = 0;
  /** One change at the crate: I0Set of a channel of a setup chosen in turn, toggled between 20 and 19 µA. */
  const probe = async (): Promise<void> => {
    const i = probeIndex++;
    const c = i % o.addresses.length;
    const slot = Math.floor(i / o.addresses.length) % SLOTS;
    const channel = (i * 7) % CHANNELS;
    const key = `${c}/${slot}/${channel}`;
    const value = (current.get(key) ?? 20) === 20 ? 19 : 20;
    current.set(key, value);
    const p: Probe = { setup: setupName(c, slot), channel, value, t0: Date.now(), seen: new Set() };
    if (measuring) {
      probes.push(p);
      changes++;
    }
    await o.control.setChannel(slot, channel, 'I0Set', value, crateName(c));
  };
  const expireProbes = (all: boolean): void => {
    const now = Date.now();
    for (let k = probes.length - 1; k >= 0; k--) {
      const p = probes[k];
      if (p.seen.size === o.streams || all || now - p.t0 > PROBE_TIMEOUT_MS) {
        missed += o.streams - p.seen.size;
        probes.splice(k, 1);
      }
    }
  };

  const windows: WindowFigures[] = [];
  const rss: ProcSample[] = [];
  let streamSeconds = 0;
  let streamBytes = 0;
  try {
    await waitUntil(() => (healthUrl !== undefined && pageUrl !== undefined) || child.exitCode !== null, 30_000, 'the daemon announcing its health endpoint and web page');
    if (child.exitCode !== null) throw new Error(`bench: the daemon exited with ${child.exitCode}:\n${output.join('\n')}`);
    await waitUntil(async () => (await health()).setups.every((s) => s.scans > 0), 60_000, 'a first scan of every setup');
    const cookies: string[] = [];
    for (let i = 0; i < o.streams; i++) cookies.push(await login(pageUrl!, 'bench', password));
    await sleep(o.warmupSeconds * 1000);
    const stats = async (): Promise<number> => {
      const r = await fetch(`${pageUrl}api/stats`, { headers: { cookie: cookies[0] } });
      return ((await r.json()) as { streams: { open: number } }).streams.open;
    };

    const pid = child.pid!;
    const every = o.probeEveryMs ?? 1_250;
    for (let pair = 0; pair < o.pairs; pair++) {
      // without, with, with, without, ...: a drift of the daemon's CPU over the run (start-up, JIT, the
      // history rings filling) weighs on both kinds alike
      for (const withStreams of pair % 2 === 0 ? [false, true] : [true, false]) {
        if (withStreams) {
          await Promise.all(readers.map((r, i) => r.open(pageUrl!, cookies[i])));
          await waitUntil(() => readers.every((r) => r.gotSnapshot), 30_000, `a snapshot on all ${o.streams} streams`);
          await waitUntil(async () => (await stats()) === o.streams, 10_000, `${o.streams} streams open at the daemon`);
          await sleep(1_000); // the snapshots are sent: what follows is the steady state
        }
        const bytes0 = readers.reduce((a, r) => a + r.bytes, 0);
        const counts: WindowFigures['counts'] = [];
        const count = async (): Promise<void> => {
          const [calls, scans] = await Promise.all([totalCalls(), totalScans()]);
          counts.push({ calls, scans });
        };
        const fns0 = await counters();
        await count();
        measuring = withStreams;
        const samples: ProcSample[] = [sampleProc(pid)];
        const end = performance.now() + o.windowSeconds * 1000;
        let nextProbe = performance.now();
        let nextSample = performance.now() + 1000;
        while (performance.now() < end) {
          const now = performance.now();
          if (now >= nextProbe) {
            await probe();
            nextProbe += every;
          }
          if (now >= nextSample) {
            samples.push(sampleProc(pid));
            await count();
            nextSample += 1000;
          }
          expireProbes(false);
          await sleep(Math.max(1, Math.min(nextProbe, nextSample, end) - performance.now()));
        }
        samples.push(sampleProc(pid));
        await count();
        const fns1 = await counters();
        const tally = byFunction[withStreams ? 'with' : 'without'];
        for (const [f, k] of Object.entries(fns1)) tally[f] = (tally[f] ?? 0) + k - (fns0[f] ?? 0);
        if (withStreams) {
          // the last changes of the window still arrive; then the streams close
          await waitUntil(() => {
            expireProbes(false);
            return probes.length === 0;
          }, PROBE_TIMEOUT_MS + 1_000, 'the last changes on the streams', 50);
          measuring = false;
          expireProbes(true);
          const seconds = o.windowSeconds;
          streamSeconds += seconds * o.streams;
          streamBytes += readers.reduce((a, r) => a + r.bytes, 0) - bytes0;
          for (const r of readers) r.close();
          await waitUntil(async () => (await stats()) === 0, 10_000, 'the streams closed at the daemon');
        }
        measuring = false;
        rss.push(...samples);
        const perInterval: number[] = [];
        for (let k = 1; k < samples.length; k++) {
          const dt = (samples[k].atMs - samples[k - 1].atMs) / 1000;
          if (dt > 0.2) perInterval.push((100 * (samples[k].cpuSeconds - samples[k - 1].cpuSeconds)) / dt);
        }
        windows.push({ streams: withStreams ? o.streams : 0, seconds: (samples[samples.length - 1].atMs - samples[0].atMs) / 1000, cpuSeconds: samples[samples.length - 1].cpuSeconds - samples[0].cpuSeconds, cpuPerInterval: perInterval, calls: counts[counts.length - 1].calls - counts[0].calls, scans: counts[counts.length - 1].scans - counts[0].scans, counts });
      }
    }
    const h = await health();
    const durations = h.setups.map((s) => s.scanDurationMs).filter((d): d is number => d !== undefined);
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const exitCode = await exited;
    clearTimeout(killer);
    const kind = (w: boolean) => windows.filter((x) => (x.streams > 0) === w);
    const cpu = (ws: WindowFigures[]) => (100 * ws.reduce((a, x) => a + x.cpuSeconds, 0)) / ws.reduce((a, x) => a + x.seconds, 0);
    const rssMiB = rss.map((x) => x.rssKiB / 1024);
    return {
      crates: o.addresses.length,
      setups: names.length,
      streams: o.streams,
      windows,
      cpuWithout: cpu(kind(false)),
      cpuWith: cpu(kind(true)),
      callsPerScanWithout: callsPerScan(kind(false)),
      callsPerScanWith: callsPerScan(kind(true)),
      byFunction,
      changeDelaysMs,
      changes,
      missed,
      scanDelaysMs,
      scanDurationMedianMs: median(durations),
      bytesPerStreamPerSecond: streamSeconds > 0 ? streamBytes / streamSeconds : NaN,
      rss: { meanMiB: mean(rssMiB), maxMiB: Math.max(...rssMiB) },
      exitCode,
    };
  } finally {
    for (const r of readers) r.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
