// Starts the simulated CAEN mainframe (`node dist/sim/mainframe/main.js`) as a separate process, each
// crate on TCP 2527 of a random free loopback address (127.100-254.x.y), for any test that needs a
// crate. The drop-in library is at `libraryPath`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimControlClient } from '../../sim/control-client.js';

export { SimControlClient } from '../../sim/control-client.js';
export { listenOnLoopback, randomLoopback, sameCrateArg, scriptedCrate, CRATE_PORT, type LoopbackListener } from './loopback.js';

/** dist/test/helpers -> the repository root */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Absolute path of the simulator's drop-in libcaenhvwrapper.so (built by `npm install` / `npm run build`). */
export function simLibraryPath(): string {
  return join(repoRoot, 'build', 'sim', 'libcaenhvwrapper.so');
}

export interface SimHandle {
  /** the first crate's address ("127.x.y.z", it listens on TCP 2527): the InitSystem Arg, CAENHV_BOARD_ADDRESS */
  address: string;
  /** crate name -> "127.x.y.z" */
  crates: Record<string, string>;
  control: SimControlClient;
  /** control API "127.0.0.1:PORT" */
  controlAddress: string;
  libraryPath: string;
  process: ChildProcess;
  /** SIGTERM, wait for the exit (SIGKILL after 5 s); removes the temporary crates file */
  stop(): Promise<void>;
}

export interface StartSimOptions {
  /** the text of a crates file (YAML); default: the built-in demo crate */
  cratesYaml?: string;
  seed?: number;
  extraArgs?: string[];
  /** ms to wait for the ready line (default 15000) */
  timeoutMs?: number;
}

export async function startSim(opts: StartSimOptions = {}): Promise<SimHandle> {
  let tmp: string | undefined;
  const args = [join(repoRoot, 'dist', 'sim', 'mainframe', 'main.js'), '--random-addresses', '--exit-with-stdin', '--control', '127.0.0.1:0', '--seed', String(opts.seed ?? 1)];
  if (opts.cratesYaml !== undefined) {
    tmp = mkdtempSync(join(tmpdir(), 'gemcaen-sim-'));
    const file = join(tmp, 'crates.yml');
    writeFileSync(file, opts.cratesYaml);
    args.push('--crates', file);
  }
  args.push(...(opts.extraArgs ?? []));
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const cleanup = () => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  };
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const ready = await new Promise<{ crates: Record<string, string>; control: string }>((resolveReady, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`simulator not ready within ${opts.timeoutMs ?? 15000} ms: ${stderr.trim()}`));
    }, opts.timeoutMs ?? 15000);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /gemcaen-sim ready (\{.*\})\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveReady(JSON.parse(m[1]) as { crates: Record<string, string>; control: string });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited with ${code} before it was ready: ${stderr.trim()}`));
    });
  }).catch((err: unknown) => {
    cleanup();
    throw err;
  });
  child.stdout?.resume();
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    cleanup();
  };
  const first = Object.values(ready.crates)[0];
  return {
    address: first,
    crates: ready.crates,
    control: new SimControlClient(ready.control),
    controlAddress: ready.control,
    libraryPath: simLibraryPath(),
    process: child,
    stop,
  };
}
