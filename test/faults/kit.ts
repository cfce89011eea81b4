// Shared by the fault suite (issue 7, "Must show"): the real daemon CLI as a child process against a
// simulated crate and a real database. Every setup here writes every field of every scan (a heartbeat
// of 1 ms), so a scan is exactly one point per channel plus one per board: "produced" is the number of
// scans the daemon reports (its debug line per scan), "stored" is the number of distinct timestamps per
// series in the database (InfluxDB overwrites a repeated series+timestamp, so duplicates cannot hide a loss).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InfluxDBServer } from '../helpers/influxdb.js';
import type { SimHandle } from '../helpers/sim.js';
import { mainframeYaml, startDaemon, type MainframeBlock, type RunningDaemon } from '../daemon/run-daemon.js';

export { mainframeYaml, settingsYaml, startDaemon, tempDir, writeConfig, type RunningDaemon } from '../daemon/run-daemon.js';

/** Prints the figure line of a case (the suite's output the issue asks for). */
export function figure(n: number, text: string): void {
  console.log(`fault ${n}: ${text}`);
}

export type Sink = { influx: { url: string; database: string; user?: string; password?: string } } | { file: string } | { v2: { url: string; token: string } };

export interface SetupOptions {
  name: string;
  mainframe: MainframeBlock;
  slot: number;
  channels: number[];
  holdOffSeconds: number;
  sink: Sink;
}

/** A non-GEM setup whose every scan is written in full (HeartbeatSeconds 0.001). */
export function setupYaml(o: SetupOptions): string {
  const sink =
    'influx' in o.sink
      ? [
          '  influxDB:',
          '    VERSION: 1',
          `    URL: ${o.sink.influx.url}`,
          `    DATABASE: ${o.sink.influx.database}`,
          ...(o.sink.influx.user ? [`    USER: ${o.sink.influx.user}`] : []),
          ...(o.sink.influx.password ? [`    PASSWORD: "${o.sink.influx.password}"`] : []),
        ]
      : 'v2' in o.sink
        ? ['  influxDB:', `    URL: ${o.sink.v2.url}`, `    TOKEN: "${o.sink.v2.token}"`, '    ORG: lab', '    DB_BUCKET: faults']
        : ['  FILE:', `    DIRECTORY: "${o.sink.file}"`];
  return [
    `${o.name}:`,
    '  Monitorables: [VMon, IMon, Status]',
    `  HoldOffTime: ${o.holdOffSeconds}`,
    '  HeartbeatSeconds: 0.001',
    '  isGEMDetector: false',
    mainframeYaml(o.mainframe),
    '  BOARD:',
    `    SLOT: ${o.slot}`,
    `    CHANNELS: [${o.channels.join(', ')}]`,
    ...sink,
  ].join('\n');
}

/** Two simulated crates for the crate cases: a (slot 2) and b (slot 3), two A1535 channels each. */
export const TWO_CRATES_YAML = `
crates:
  - name: a
    system: SY4527
    slots:
      2: { model: A1535, channels: { 0: { name: A_CH0, V0Set: 100, Pw: On }, 1: { name: A_CH1, V0Set: 150, Pw: On } } }
  - name: b
    system: SY4527
    slots:
      3: { model: A1535, channels: { 0: { name: B_CH0, V0Set: 200, Pw: On }, 1: { name: B_CH1, V0Set: 250, Pw: On } } }
`;

/** A setup of channels 0 and 1 of one crate of TWO_CRATES_YAML into a file sink. */
export function crateSetupYaml(sim: Pick<SimHandle, 'crates' | 'libraryPath'>, name: string, crate: 'a' | 'b', slot: number, data: string, holdOffSeconds: number, keepaliveSeconds?: number): string {
  const mainframe = { address: sim.crates[crate] as string, library: sim.libraryPath, ...(keepaliveSeconds !== undefined ? { keepaliveSeconds } : {}) };
  return setupYaml({ name, mainframe, slot, channels: [0, 1], holdOffSeconds, sink: { file: data } });
}

/**
 * Every scan the daemon logged for a setup (its debug line per delivered scan), from line `from` on; also
 * after the daemon exited, when health is gone: for totals at the stop. To wait on scans, use scansNow.
 */
export function scans(d: RunningDaemon, setup: string, from = 0): number {
  const re = new RegExp(`\\b${setup}: scan of \\d+ channels`);
  return d.lines.slice(from).filter((l) => re.test(l)).length;
}

export async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 20_000, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** GET /health of the running daemon (undefined while it does not answer). */
/** Scans of a setup as health counts them now (what a test waits on); 0 while health does not answer. */
export async function scansNow(d: RunningDaemon, setup: string): Promise<number> {
  return (await health(d))?.setups.find((s) => s.name === setup)?.scans ?? 0;
}

export async function health(d: RunningDaemon): Promise<HealthJson | undefined> {
  try {
    const r = await fetch(await d.healthUrl(), { signal: AbortSignal.timeout(2000) });
    return (await r.json()) as HealthJson;
  } catch {
    return undefined;
  }
}

export interface HealthJson {
  ok: boolean;
  crates: { id: string; state: string; restarts: number }[];
  setups: { name: string; scans: number; paused: boolean }[];
  sinks: { id: string; state: string; written?: number; spoolBytes?: number; extra?: { spooledLines?: number; unspooledLines?: number; droppedLines?: number } }[];
}

/**
 * Nothing of a sink waits in the spool or in memory. Not spooledLines === 0: that also counts the lines
 * of the scan being batched (up to BatchMaxMilliseconds), and health is refreshed every 5 s, a multiple
 * of the tests' HoldOffTimes, so it can show the same phase of the scan, and those lines, every time.
 */
export function drained(s: { spoolBytes?: number; extra?: { unspooledLines?: number } } | undefined): boolean {
  return s !== undefined && s.spoolBytes === 0 && (s.extra?.unspooledLines ?? 0) === 0;
}

/** Stored timestamps (ms) per channel of a setup in InfluxDB, plus its board series under "board". */
export async function storedTimes(influx: InfluxDBServer, database: string, setup: string): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const r of await influx.query(`SELECT "VMon", "channel" FROM "CAEN_Board_Monitor" WHERE "setup" = '${setup}'`, database)) {
    const ch = String(r.channel);
    (out.get(ch) ?? out.set(ch, []).get(ch)!).push(r.time as number);
  }
  const board = (await influx.query(`SELECT "BdStatus" FROM "CAEN_Board" WHERE "setup" = '${setup}'`, database)).map((r) => r.time as number);
  if (board.length > 0) out.set('board', board);
  for (const v of out.values()) v.sort((a, b) => a - b);
  return out;
}

/** The smallest number of stored points over the setup's channel series and its board series. */
export function fewest(stored: Map<string, number[]>, expectedSeries: number): number {
  if (stored.size < expectedSeries) return 0;
  return Math.min(...[...stored.values()].map((v) => v.length));
}

export function most(stored: Map<string, number[]>): number {
  return Math.max(0, ...[...stored.values()].map((v) => v.length));
}

/** Timestamps (ms) of one setup's channel lines in the file sink's files (one per channel and scan). */
export function fileTimes(dataDir: string, setup: string, channel?: number): number[] {
  if (!existsSync(dataDir)) return [];
  const out: number[] = [];
  const chTag = channel === undefined ? undefined : `channel=${String(channel).padStart(2, '0')}`;
  for (const f of readdirSync(dataDir)) {
    for (const line of readFileSync(join(dataDir, f), 'utf8').split('\n')) {
      if (!line.startsWith('CAEN_Board_Monitor,') || !line.includes(`setup=${setup}`)) continue;
      if (chTag && !line.includes(`${chTag},`) && !line.includes(`${chTag} `)) continue;
      out.push(Number(line.slice(line.lastIndexOf(' ') + 1)));
    }
  }
  return out.sort((a, b) => a - b);
}

export function largestGap(times: readonly number[]): number {
  let g = 0;
  for (let i = 1; i < times.length; i++) g = Math.max(g, times[i] - times[i - 1]);
  return g;
}

/** Total size of the files under a directory (the spool). */
export function bytesUnder(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    n += s.isDirectory() ? bytesUnder(p) : s.size;
  }
  return n;
}

/** Every file under a directory, with its text. */
export function textsUnder(dir: string): { file: string; text: string }[] {
  if (!existsSync(dir)) return [];
  const out: { file: string; text: string }[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...textsUnder(p));
    else out.push({ file: p, text: readFileSync(p, 'utf8') });
  }
  return out;
}

/** Starts the daemon at debug level (so every scan is reported) and stops it (SIGKILL) after the test. */
export function daemon(t: { after(fn: () => unknown): void }, configFile: string, setups: string[], env: NodeJS.ProcessEnv = {}): RunningDaemon {
  const d = startDaemon(['-c', configFile, 'start', ...setups, '--log-level', 'debug'], env);
  t.after(() => d.stop('SIGKILL'));
  return d;
}
