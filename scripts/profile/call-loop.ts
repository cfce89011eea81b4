// The CAEN calls from C (scripts/profile/call-loop.c): the one place that compiles it and runs its paced
// mode, for scripts/profile/call-cost.ts, bench part 5 (the floor under the daemon's CPU) and its test.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/scripts/profile → the repository root */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const CALL_LOOP_SOURCE = join(repoRoot, 'scripts', 'profile', 'call-loop.c');

/** the compiled program, or why there is none: `noCompiler` when `$CC`/cc does not exist (any other failure throws) */
export type CallLoopBuild = { binary: string } | { noCompiler: string };

/** Compiles call-loop.c into `dir` with `$CC` (default cc); throws when the compiler exists but fails. */
export function compileCallLoop(dir: string): CallLoopBuild {
  const cc = process.env.CC ?? 'cc';
  const binary = join(dir, 'call-loop');
  const r = spawnSync(cc, ['-O2', '-pthread', '-o', binary, CALL_LOOP_SOURCE, '-ldl'], { encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return { noCompiler: `no C compiler (${cc} not found)` };
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cc} ${CALL_LOOP_SOURCE} exited with ${r.status}: ${r.stderr.trim()}`);
  return { binary };
}

/** The JSON line of `call-loop --paced` */
export interface PacedCalls {
  crates: number;
  /** every crate's calls together */
  calls: number;
  roundsPerCrate: number;
  /** rounds that took longer than the period (the next one then started at once) */
  lateRounds: number;
  periodMs: number;
  /** the process's CPU time from after the logins to the end of the last round's period */
  cpuSeconds: number;
  wallSeconds: number;
  callsPerSecond: number;
  cpuUsPerCall: number;
  /** CPU % of one core over the rounds */
  corePercent: number;
}

export interface PacedOptions {
  binary: string;
  library: string;
  /** one thread per crate address */
  addresses: readonly string[];
  seconds: number;
  /** start to start (default 1000: the daemon's 1 Hz) */
  periodMs?: number;
}

/** A failed run: the exit code and what the program said on stderr (it names the function, address, slot, parameter and code). */
export class CallLoopError extends Error {
  constructor(
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`call-loop exited with ${exitCode}: ${stderr.trim()}`);
  }
}

export function pacedArgs(o: PacedOptions): string[] {
  return ['--paced', o.library, String(o.seconds), String(o.periodMs ?? 1000), ...o.addresses];
}

/** Runs the daemon's calls from C at the daemon's pace: 128 calls per round per crate, one round per period. */
export function runPacedCalls(o: PacedOptions): Promise<PacedCalls> {
  return runPacedProgram(o.binary, pacedArgs(o));
}

/** Runs a paced program (call-loop.c, koffi-loop.ts) in a process of its own: its JSON line, or CallLoopError with what it said on stderr. */
export function runPacedProgram(command: string, args: readonly string[]): Promise<PacedCalls> {
  return new Promise((resolveRun, reject) => {
    const p = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    p.once('error', reject);
    p.once('close', (code) => {
      if (code === 0) resolveRun(JSON.parse(out) as PacedCalls);
      else reject(new CallLoopError(code, err));
    });
  });
}
