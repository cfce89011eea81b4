// The daemon's CAEN calls through koffi from node worker threads, with nothing else around them: the floor of
// this design (one worker thread per crate, koffi over libcaenhvwrapper.so) under the daemon's CPU in bench
// part 5, next to the floor of the calls themselves from C (call-loop.c --paced). The same calls and pace
// as call-loop.c: per crate and round, for each slot 0..15, GetChParam of the six parameters on channels
// 0..23 and GetBdParam of Temp and BdStatus; rounds start to start every PERIOD_MS, a late round at once.
// The functions are the binding's own (CaenLibrary: koffi with the binding's prototypes); the CPU is the
// whole process's (process.cpuUsage: every thread, V8's helpers too), from after the logins to the end of
// the last round's period, as for the daemon.
// The measured rounds follow WARMUP_SECONDS of the same rounds (V8 and the caches settle).
//   node dist/scripts/profile/koffi-loop.js LIBRARY SECONDS PERIOD_MS WARMUP_SECONDS ADDRESS...
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { CAENHV_SYSTEM_TYPE } from '../../src/caen/codes.js';
import { CaenLibrary } from '../../src/caen/library.js';
import { BOARD_PARAMS, CHANNELS, MONITORABLES, SLOTS } from '../bench/fixtures.js';
import { runPacedProgram, type PacedCalls } from './call-loop.js';

const THIS_FILE = fileURLToPath(import.meta.url);
const TCPIP = 0;
const LOGIN = { user: 'admin', password: 'admin' } as const;
/** the calls of one round of one crate: a full scan */
const CALLS_PER_ROUND = SLOTS * (MONITORABLES.length + BOARD_PARAMS.length);

export interface PacedKoffiOptions {
  library: string;
  /** one worker thread per crate address */
  addresses: readonly string[];
  seconds: number;
  /** start to start (default 1000: the daemon's 1 Hz) */
  periodMs?: number;
  /** rounds made before the measured ones, seconds (default 5) */
  warmupSeconds?: number;
}

interface CrateThreadInit {
  koffiLoop: true;
  library: string;
  address: string;
}

type FromCrateThread = { type: 'ready' } | { type: 'done'; late: number; endMs: number } | { type: 'failed'; message: string };
/** `rounds` in all, the first `warmRounds` not measured */
type ToCrateThread = { type: 'go'; startMs: number; warmRounds: number; rounds: number; periodMs: number } | { type: 'end' };

/** Runs the paced calls in a child process of their own (its CPU is theirs only); rejects with CallLoopError on a failed call. */
export function runPacedKoffi(o: PacedKoffiOptions): Promise<PacedCalls> {
  return runPacedProgram(process.execPath, [THIS_FILE, o.library, String(o.seconds), String(o.periodMs ?? 1000), String(o.warmupSeconds ?? 5), ...o.addresses]);
}

/** absolute milliseconds, the same clock in every thread */
const nowMs = (): number => performance.timeOrigin + performance.now();

async function main(argv: readonly string[]): Promise<void> {
  const [library, secondsText, periodText, warmupText, ...addresses] = argv;
  const seconds = Number(secondsText);
  const periodMs = Number(periodText);
  const warmupSeconds = Number(warmupText);
  if (!library || !(seconds > 0) || !(periodMs > 0) || !(warmupSeconds >= 0) || addresses.length === 0) {
    process.stderr.write('usage: koffi-loop LIBRARY SECONDS PERIOD_MS WARMUP_SECONDS ADDRESS...\n');
    process.exit(2);
  }
  const threads = addresses.map((address) => new Worker(THIS_FILE, { workerData: { koffiLoop: true, library, address } satisfies CrateThreadInit }));
  const next = (w: Worker): Promise<FromCrateThread> =>
    new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
  const expect = async (type: FromCrateThread['type']): Promise<FromCrateThread[]> => {
    const msgs = await Promise.all(threads.map(next));
    const failed = msgs.find((m) => m.type === 'failed');
    if (failed?.type === 'failed') {
      process.stderr.write(`${failed.message}\n`);
      process.exit(1);
    }
    if (msgs.some((m) => m.type !== type)) throw new Error(`expected ${type} from every thread`);
    return msgs;
  };
  await expect('ready');
  const rounds = Math.max(1, Math.round((seconds * 1000) / periodMs));
  const warmRounds = Math.round((warmupSeconds * 1000) / periodMs);
  const startMs = nowMs() + 50;
  for (const w of threads) w.postMessage({ type: 'go', startMs, warmRounds, rounds: warmRounds + rounds, periodMs } satisfies ToCrateThread);
  const done = expect('done');
  // the window opens just before the first measured round
  const openMs = startMs + warmRounds * periodMs - Math.min(10, periodMs / 4);
  if (openMs > nowMs()) await new Promise((r) => setTimeout(r, openMs - nowMs()));
  const cpu0 = process.cpuUsage();
  const wall0 = nowMs();
  const doneMsgs = await done;
  // the last round's period, as the daemon sleeps it too
  const endMs = Math.max(...doneMsgs.map((m) => (m.type === 'done' ? m.endMs : 0)));
  if (endMs > nowMs()) await new Promise((r) => setTimeout(r, endMs - nowMs()));
  const cpu = process.cpuUsage(cpu0);
  const wallSeconds = (nowMs() - wall0) / 1000;
  for (const w of threads) w.postMessage({ type: 'end' } satisfies ToCrateThread);
  await Promise.all(threads.map((w) => new Promise((r) => w.once('exit', r))));
  const calls = addresses.length * rounds * CALLS_PER_ROUND;
  const late = doneMsgs.reduce((n, m) => n + (m.type === 'done' ? m.late : 0), 0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const result: PacedCalls = {
    crates: addresses.length,
    calls,
    roundsPerCrate: rounds,
    lateRounds: late,
    periodMs,
    cpuSeconds,
    wallSeconds,
    callsPerSecond: calls / wallSeconds,
    cpuUsPerCall: (cpuSeconds * 1e6) / calls,
    corePercent: (100 * cpuSeconds) / wallSeconds,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** One crate: log in, then the rounds when told; every call's code checked. */
function crateThread(init: CrateThreadInit): void {
  const port = parentPort!;
  const lib = CaenLibrary.open(init.library);
  const fail = (message: string): void => {
    port.postMessage({ type: 'failed', message } satisfies FromCrateThread);
  };
  const handle: [number] = [-1];
  const rc = lib.fn('CAENHV_InitSystem')(CAENHV_SYSTEM_TYPE.SY4527, TCPIP, init.address, LOGIN.user, LOGIN.password, handle);
  if (rc !== 0) return fail(`CAENHV_InitSystem ${init.address}: code ${rc}`);
  const h = handle[0];
  const getCh = lib.fn('CAENHV_GetChParam');
  const getBd = lib.fn('CAENHV_GetBdParam');
  const channels = Uint16Array.from({ length: CHANNELS }, (_, i) => i);
  const values = Buffer.alloc(CHANNELS * 4);
  const slotLists = Array.from({ length: SLOTS }, (_, s) => Uint16Array.of(s));
  /** one round: the calls of a full scan; the failed call's text, or null */
  const round = (): string | null => {
    for (let slot = 0; slot < SLOTS; slot++) {
      for (const param of MONITORABLES) {
        const r = getCh(h, slot, param, CHANNELS, channels, values);
        if (r !== 0) return `CAENHV_GetChParam ${init.address} slot ${slot} ${param}: code ${r}`;
      }
      for (const param of BOARD_PARAMS) {
        const r = getBd(h, 1, slotLists[slot]!, param, values);
        if (r !== 0) return `CAENHV_GetBdParam ${init.address} slot ${slot} ${param}: code ${r}`;
      }
    }
    return null;
  };
  port.on('message', (m: ToCrateThread) => {
    if (m.type === 'end') {
      lib.fn('CAENHV_DeinitSystem')(h);
      port.close();
      return;
    }
    void (async () => {
      let late = 0;
      let due = m.startMs;
      for (let r = 0; r < m.rounds; r++) {
        const wait = due - nowMs();
        // the daemon's worker sleeps on a timer between its rounds too
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const failed = round();
        if (failed) return fail(failed);
        // start to start; a late round starts at once, no catch-up burst (counted when measured)
        due += m.periodMs;
        if (due < nowMs()) {
          if (r + 1 >= m.warmRounds && r + 1 < m.rounds) late++;
          due = nowMs();
        }
      }
      port.postMessage({ type: 'done', late, endMs: due } satisfies FromCrateThread);
    })();
  });
  port.postMessage({ type: 'ready' } satisfies FromCrateThread);
}

if (!isMainThread && (workerData as Partial<CrateThreadInit> | null)?.koffiLoop) crateThread(workerData as CrateThreadInit);
else if (isMainThread && process.argv[1] === THIS_FILE) await main(process.argv.slice(2));
