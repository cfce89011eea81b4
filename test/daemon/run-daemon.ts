// Runs the real CLI (`node dist/src/cli/main.js start …`) as a child process for daemon tests, and
// writes test configs into temp dirs.
import { DAEMON_NODE_FLAGS } from '../../src/cli/node-flags.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { HealthReport } from '../../src/supervisor/state.js';
import { testTempDir } from '../helpers/temp-dir.js';

export const CLI = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');

export interface RunningDaemon {
  child: ChildProcess;
  lines: string[];
  /** resolves with the first line (stdout or stderr) matching, rejects after timeoutMs */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM (or another signal) and the exit code */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
  /** the health URL the daemon announced */
  healthUrl(): Promise<string>;
  /** the daemon's state, as GET /health gives it */
  health(): Promise<HealthReport>;
  /**
   * polls the daemon's state until `holds` (what the test waits on, never a log line or a fixed sleep);
   * the time-out (default 30 s) counts from when the daemon announced its health endpoint
   */
  untilHealth(what: string, holds: (h: HealthReport) => boolean, timeoutMs?: number): Promise<HealthReport>;
}

/** @param cli the daemon's entry point (default: dist/src/cli/main.js under the working directory) */
export function startDaemon(args: string[], env: NodeJS.ProcessEnv = {}, cli = CLI): RunningDaemon {
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, cli, ...args], { env: { ...process.env, ...env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const onLine = (l: string) => {
    lines.push(l);
    if (process.env.GEMCAEN_TEST_VERBOSE) process.stderr.write(`  | ${l}\n`);
    for (const w of [...waiters]) if (w.re.test(l)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(l); }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const healthUrl = async (): Promise<string> => {
    const l = await waitFor(/health: GET http:\/\/\S+\/health/, 30_000);
    return /(http:\/\/\S+\/health)/.exec(l)![1] as string;
  };
  const health = async (): Promise<HealthReport> => (await (await fetch(await healthUrl(), { signal: AbortSignal.timeout(10_000) })).json()) as HealthReport;
  const waitFor = (re: RegExp, timeoutMs = 15_000) => {
    const hit = lines.find((l) => re.test(l));
    if (hit) return Promise.resolve(hit);
    return new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; output:\n${lines.join('\n')}`)), timeoutMs);
      waiters.push({ re, resolve: (l) => { clearTimeout(t); resolve(l); } });
    });
  };
  return {
    child,
    lines,
    waitFor,
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    healthUrl,
    health,
    async untilHealth(what, holds, timeoutMs = 30_000) {
      await healthUrl();
      const deadline = Date.now() + timeoutMs;
      let last: HealthReport | undefined;
      for (;;) {
        last = await health().catch(() => last);
        if (last && holds(last)) return last;
        if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}; health: ${JSON.stringify(last)}\noutput:\n${lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

export function tempDir(t: { after(fn: () => void): void }, prefix = 'gemcaen-daemon-'): string {
  return testTempDir(t, prefix);
}

export interface MainframeBlock {
  address: string;
  library: string;
  user?: string;
  password?: string;
  systemType?: string;
  keepaliveSeconds?: number;
}

export function mainframeYaml(mf: MainframeBlock): string {
  return [
    '  MAINFRAME:',
    `    CAENHV_BOARD_TYPE: ${mf.systemType ?? 'SY4527'}`,
    '    CAENHV_LINK_TYPE: TCPIP',
    `    CAENHV_BOARD_ADDRESS: "${mf.address}"`,
    `    CAENHV_USER: ${mf.user ?? 'admin'}`,
    `    CAENHV_PASSWORD: "${mf.password ?? 'admin'}"`,
    `    CAENHV_LIBRARY: "${mf.library}"`,
    ...(mf.keepaliveSeconds !== undefined ? [`    KEEPALIVE_SECONDS: ${mf.keepaliveSeconds}`] : []),
  ].join('\n');
}

/** gemcaen settings block for a test: logs and spool in `dir`, health on a free port. */
export function settingsYaml(dir: string, extra: string[] = []): string {
  return ['gemcaen:', `  LogDirectory: "${join(dir, 'logs')}"`, `  SpoolDirectory: "${join(dir, 'spool')}"`, '  HealthListen: "127.0.0.1:0"', '  BatchMaxMilliseconds: 200', ...extra].join('\n');
}

export function writeConfig(dir: string, text: string): string {
  const file = join(dir, 'config.yml');
  writeFileSync(file, `${text}\n`);
  return file;
}
