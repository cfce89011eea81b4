// A simulated crate named by the config (MAINFRAME.SIMULATED): started as a child process before
// the workers and stopped last. Reached through a path string, never a static import: src does
// not depend on sim, and the daemon otherwise treats the crate as real.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MainframeConfig } from '../config/types.js';
import { GemcaenError } from '../errors.js';
import type { Logger } from '../log.js';

export const SIM_MAIN = fileURLToPath(new URL('../../sim/mainframe/main.js', import.meta.url));

/** The simulator prints a line like `gemcaen-sim ready {...}` once it accepts connections. */
const READY = /\b(listening|ready)\b/i;

export class SimulatedCrate {
  #child: ChildProcess | null = null;
  constructor(private readonly mf: MainframeConfig, private readonly log: Logger) {}

  /** the simulator's control API ("127.0.0.1:7990"), from its ready line */
  controlAddress: string | undefined;

  /**
   * Starts the simulator and waits for its ready line. `defaultControl`: keep the simulator's own
   * control port (7990); otherwise a free one, so several simulated crates do not collide.
   * stdin stays a pipe with --exit-with-stdin: if gemcaen dies, the simulator goes with it.
   */
  async start(timeoutMs = 10_000, defaultControl = true): Promise<void> {
    const args = [SIM_MAIN, '--address', this.mf.address, '--exit-with-stdin'];
    if (!defaultControl) args.push('--control', '127.0.0.1:0');
    if (this.mf.simulated?.cratesFile) args.push('--crates', this.mf.simulated.cratesFile);
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    const log = this.log;
    const lines = createInterface({ input: child.stdout! });
    const errLines = createInterface({ input: child.stderr! });
    errLines.on('line', (l) => log.warn(l));
    const ready = new Promise<'ready'>((resolve, reject) => {
      lines.on('line', (l) => {
        log.debug(l);
        if (!READY.test(l)) return;
        const json = /\{.*\}/.exec(l);
        try {
          const info = json ? (JSON.parse(json[0]) as { control?: string }) : {};
          this.controlAddress = info.control;
        } catch {
          /* a ready line without details */
        }
        resolve('ready');
      });
      child.once('exit', (code, signal) => reject(new GemcaenError('SIM_EXITED', `simulated crate ${this.mf.address} exited (${signal ?? code}) before it was ready`)));
      child.once('error', (err) => reject(new GemcaenError('SIM_FAILED', `cannot start the simulated crate: ${err.message}`)));
    });
    const first = await Promise.race([ready, sleep(timeoutMs, 'timeout' as const, { ref: false })]);
    if (first === 'timeout') {
      child.kill('SIGKILL');
      throw new GemcaenError('SIM_TIMEOUT', `simulated crate ${this.mf.address} not ready after ${timeoutMs} ms`);
    }
  }

  /** SIGTERM, then SIGKILL after `timeoutMs`. Idempotent. */
  async stop(timeoutMs = 3000): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const first = await Promise.race([exited.then(() => 'exited' as const), sleep(timeoutMs, 'timeout' as const, { ref: false })]);
    if (first === 'timeout') {
      child.kill('SIGKILL');
      await exited;
    }
  }
}
