// A database server run as a child process for tests (influxd, victoria-metrics): started, polled until
// its health endpoint answers, stopped with SIGTERM (SIGKILL after 5 s), and started again on the same
// port with the same data; dispose() also deletes its data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** a free TCP port on 127.0.0.1 */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  srv.close();
  await once(srv, 'close');
  return port;
}

export interface ServerProcessOptions {
  /** the executable, also the name in error messages */
  command: string;
  args: string[];
  /** the URL polled every 50 ms, for 10 s at most, until `ready` accepts its answer */
  healthUrl: string;
  ready(r: Response): boolean;
  /** the server's data directory, deleted by dispose() */
  dir: string;
}

export interface ServerProcess {
  /** starts it (again: same port, same data; a no-op while it runs) and waits until it answers its health URL */
  start(): Promise<void>;
  /** stops the server (SIGTERM), keeping port and data */
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** stops it and deletes its data */
  dispose(): Promise<void>;
}

export function serverProcess(opts: ServerProcessOptions): ServerProcess {
  const { command, healthUrl } = opts;
  const path = new URL(healthUrl).pathname;
  let child: ChildProcess | undefined;
  let stderr = '';

  async function start(): Promise<void> {
    if (child) return;
    stderr = '';
    const c = spawn(command, opts.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child = c;
    c.once('exit', () => {
      if (child === c) child = undefined;
    });
    for (let i = 0; i < 200; i++) {
      if (!child) throw new Error(`${command} exited at start: ${stderr}`);
      try {
        if (opts.ready(await fetch(healthUrl))) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    throw new Error(`${command} did not answer ${path} within 10 s: ${stderr}`);
  }

  async function stop(): Promise<void> {
    const c = child;
    if (!c) return;
    const exited = once(c, 'exit');
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
    child = undefined;
  }

  return {
    start,
    stop,
    async restart() {
      await stop();
      await start();
    },
    async dispose() {
      await stop();
      rmSync(opts.dir, { recursive: true, force: true });
    },
  };
}
