// Shared by the read-command tests (crate, status, open-setup): config files pointing at a simulated crate,
// and the real CLI run as a child process.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimHandle } from '../helpers/sim.js';

/** dist/test/cli -> the repository root */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const cliPath = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

export interface SetupSpec {
  monitorables: string[];
  slot: number;
  /** plain setups */
  channels?: number[];
  /** GEM setups */
  layer?: 1 | 2;
  address?: string;
  user?: string;
  password?: string;
}

/** A temp dir for configs, removed by `cleanup()`. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'gemcaen-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a config with the given setups on the sim's crate; returns its path. */
export function writeConfig(dir: string, sim: Pick<SimHandle, 'address' | 'libraryPath'>, setups: Record<string, SetupSpec>, file = 'config.yml'): string {
  const blocks = Object.entries(setups).map(([name, s]) => {
    const board = s.layer !== undefined ? `    LAYER: ${s.layer}` : `    CHANNELS: [${(s.channels ?? []).join(', ')}]`;
    return [
      `${name}:`,
      `  Monitorables: [${s.monitorables.join(', ')}]`,
      `  HoldOffTime: 1`,
      `  isGEMDetector: ${s.layer !== undefined}`,
      `  MAINFRAME:`,
      `    CAENHV_BOARD_TYPE: SY4527`,
      `    CAENHV_LINK_TYPE: TCPIP`,
      `    CAENHV_BOARD_ADDRESS: "${s.address ?? sim.address}"`,
      `    CAENHV_USER: ${s.user ?? 'admin'}`,
      `    CAENHV_PASSWORD: "${s.password ?? 'admin'}"`,
      `    CAENHV_LIBRARY: ${sim.libraryPath}`,
      `  BOARD:`,
      `    SLOT: ${s.slot}`,
      board,
      `  FILE:`,
      `    DIRECTORY: ${join(dir, 'data')}`,
    ].join('\n');
  });
  const path = join(dir, file);
  writeFileSync(path, `${blocks.join('\n\n')}\n`);
  return path;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/src/cli/main.js ...args` and waits for its exit (killed after `timeoutMs`). */
export function runCli(args: readonly string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', GEMCAEN_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, stdout, stderr });
    });
  });
}

/** A 127.0.0.1 port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** The stderr lines of a failed command. */
export function errorLines(r: CliResult): string[] {
  return r.stderr.split('\n').filter((l) => l !== '');
}
