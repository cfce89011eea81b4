// The crates and configs the benchmark runs on: N simulated SY4527 crates, each full (16 × A1535,
// 24 channels, all on), and one gemcaen setup per slot reading six parameters of all 24 channels.
import { join } from 'node:path';

export const SLOTS = 16;
export const CHANNELS = 24;
export const BOARD_MODEL = 'A1535';
/** the six monitorables of every benchmark setup (all read with GetChParam) */
export const MONITORABLES = ['VMon', 'IMon', 'V0Set', 'I0Set', 'Pw', 'Status'] as const;
/** board parameters the daemon reads for every board besides the monitorables (src/poll/plan.ts BOARD_PARAMS) */
export const BOARD_PARAMS = ['Temp', 'BdStatus'] as const;

export function crateName(i: number): string {
  return `bench${i}`;
}

export function setupName(crate: number, slot: number): string {
  return `B${crate}_S${slot < 10 ? '0' : ''}${slot}`;
}

/** A crates file for the simulator: `n` full SY4527 crates (each on TCP 2527 of a random loopback address: --random-addresses). */
export function cratesYaml(n: number): string {
  const out = ['crates:'];
  for (let c = 0; c < n; c++) {
    out.push(`  - name: ${crateName(c)}`, '    system: SY4527', '    slots:');
    for (let s = 0; s < SLOTS; s++) {
      out.push(
        `      ${s}:`,
        `        model: ${BOARD_MODEL}`,
        `        serial: ${1000 + s}`,
        `        temperatureC: ${(28 + s * 0.25).toFixed(2)}`,
        '        channelDefaults: { V0Set: 1500, I0Set: 20, RUp: 50, RDWn: 50, Trip: 1000, SVMax: 3500, Pw: On, LoadMOhm: 1000 }',
      );
    }
  }
  return `${out.join('\n')}\n`;
}

export type BenchSink = { kind: 'file'; directory: string } | { kind: 'influx-v2'; url: string };

export interface ConfigOptions {
  /** crate index → its loopback address "127.x.y.z" (the simulator's ready line) */
  addresses: readonly string[];
  library: string;
  /** temp directory of logs and spool */
  dir: string;
  sink: BenchSink;
  holdOffSeconds?: number;
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** the influx-v2 sink's bucket (default "bench") */
  bucket?: string;
  /** Settings.BatchMaxMilliseconds (default: the daemon's) */
  batchMaxMilliseconds?: number;
  /** MAINFRAME.EVENTS: true with these settings (default: polled) */
  events?: { reconcileSeconds: number; keepaliveLimitSeconds?: number };
}

/** A gemcaen config with one setup per (crate, slot), all 24 channels, the six monitorables. */
export function configYaml(o: ConfigOptions): string {
  const sink =
    o.sink.kind === 'file'
      ? ['  FILE:', `    DIRECTORY: "${o.sink.directory}"`]
      : ['  influxDB:', `    URL: ${o.sink.url}`, '    TOKEN: "bench-token"', '    ORG: bench', `    DB_BUCKET: ${o.bucket ?? 'bench'}`];
  const events = o.events
    ? ['    EVENTS: true', '    EVENTS_LISTEN: "127.0.0.1"', `    EVENTS_RECONCILE_SECONDS: ${o.events.reconcileSeconds}`, ...(o.events.keepaliveLimitSeconds === undefined ? [] : [`    EVENTS_KEEPALIVE_LIMIT_SECONDS: ${o.events.keepaliveLimitSeconds}`])]
    : [];
  const channels = Array.from({ length: CHANNELS }, (_, i) => i).join(', ');
  const out = [
    'gemcaen:',
    `  LogLevel: ${o.logLevel ?? 'info'}`,
    `  LogDirectory: "${join(o.dir, 'logs')}"`,
    `  SpoolDirectory: "${join(o.dir, 'spool')}"`,
    '  HealthListen: "127.0.0.1:0"',
    ...(o.batchMaxMilliseconds === undefined ? [] : [`  BatchMaxMilliseconds: ${o.batchMaxMilliseconds}`]),
  ];
  o.addresses.forEach((address, c) => {
    for (let s = 0; s < SLOTS; s++) {
      out.push(
        `${setupName(c, s)}:`,
        `  Monitorables: [${MONITORABLES.join(', ')}]`,
        `  HoldOffTime: ${o.holdOffSeconds ?? 1}`,
        '  isGEMDetector: false',
        '  MAINFRAME:',
        '    CAENHV_BOARD_TYPE: SY4527',
        '    CAENHV_LINK_TYPE: TCPIP',
        `    CAENHV_BOARD_ADDRESS: "${address}"`,
        '    CAENHV_USER: admin',
        '    CAENHV_PASSWORD: admin',
        `    CAENHV_LIBRARY: "${o.library}"`,
        ...events,
        '  BOARD:',
        `    SLOT: ${s}`,
        `    CHANNELS: [${channels}]`,
        ...sink,
      );
    }
  });
  return `${out.join('\n')}\n`;
}
