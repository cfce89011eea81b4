// The CLI test kit (crate, status, open-setup, set, ieq, and the fault and GEM suites): temp configs on a
// simulated crate, the real CLI as a child process (stdin: nothing, or an answer piped in), and the
// simulator-side checks these tests share (SetChParam count, refusals, sessions closed).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import type { SimHandle } from './sim.js';
import { makeTempDir } from './temp-dir.js';

/** dist/test/helpers -> the repository root */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const cliPath = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

type SimAddress = Pick<SimHandle, 'address' | 'libraryPath'>;

export interface SetupSpec {
  slot: number;
  /** plain setups */
  channels?: number[];
  /** GEM setups */
  layer?: 1 | 2;
  /** default: VMon, IMon, V0Set, Pw (+ Status, Ieq on GEM setups) */
  monitorables?: string[];
  /** extra YAML lines of the setup block, e.g. ["  MaxElectrodeVolts: 700"] */
  extra?: string[];
  /** FILE sink directory (default <dir>/data) */
  fileDir?: string;
  holdOffSeconds?: number;
  /** CAENHV_BOARD_ADDRESS (default: the sim's crate) */
  address?: string;
  user?: string;
  password?: string;
}

/** A temp dir for configs, removed by `cleanup()`. */
export function tempDir(prefix = 'gemcaen-cli-'): { dir: string; cleanup: () => void } {
  return makeTempDir(prefix);
}

export function setupYaml(name: string, sim: SimAddress, s: SetupSpec, dir: string): string {
  const gem = s.layer !== undefined;
  return [
    `${name}:`,
    `  Monitorables: [${(s.monitorables ?? (gem ? ['VMon', 'IMon', 'V0Set', 'Pw', 'Status', 'Ieq'] : ['VMon', 'IMon', 'V0Set', 'Pw'])).join(', ')}]`,
    `  HoldOffTime: ${s.holdOffSeconds ?? 1}`,
    `  isGEMDetector: ${gem}`,
    '  MAINFRAME:',
    '    CAENHV_BOARD_TYPE: SY4527',
    '    CAENHV_LINK_TYPE: TCPIP',
    `    CAENHV_BOARD_ADDRESS: "${s.address ?? sim.address}"`,
    `    CAENHV_USER: ${s.user ?? 'admin'}`,
    `    CAENHV_PASSWORD: "${s.password ?? 'admin'}"`,
    `    CAENHV_LIBRARY: "${sim.libraryPath}"`,
    '  BOARD:',
    `    SLOT: ${s.slot}`,
    gem ? `    LAYER: ${s.layer}` : `    CHANNELS: [${(s.channels ?? []).join(', ')}]`,
    ...(s.extra ?? []),
    '  FILE:',
    `    DIRECTORY: "${s.fileDir ?? join(dir, 'data')}"`,
  ].join('\n');
}

export interface WriteConfigOptions {
  /** leading text, e.g. a gemcaen: block; default: logs (and the audit file) and spool (and the control directory) inside dir */
  head?: string;
  /** file name in dir (default config.yml) */
  file?: string;
}

/** Writes a config with these setups on the sim's crate into dir; returns its path. */
export function writeConfig(dir: string, sim: SimAddress, setups: Record<string, SetupSpec>, opts: WriteConfigOptions = {}): string {
  const file = join(dir, opts.file ?? 'config.yml');
  const blocks = Object.entries(setups).map(([name, s]) => setupYaml(name, sim, s, dir));
  const head = opts.head ?? ['gemcaen:', `  LogDirectory: "${join(dir, 'logs')}"`, `  SpoolDirectory: "${join(dir, 'spool')}"`].join('\n');
  writeFileSync(file, `${head ? `${head}\n` : ''}${blocks.join('\n\n')}\n`);
  return file;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node dist/src/cli/main.js ...args` and waits for its exit (killed after `timeoutMs`). `input`
 * undefined: stdin is /dev/null (no terminal, no answer); a string: written to a stdin pipe once the
 * question has been printed, then stdin is closed.
 */
export function runCli(args: readonly string[], input?: string, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', GEMCAEN_CONFIG: '' },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let answered = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (input !== undefined && !answered && /\[y\/N\] $/.test(stdout)) {
        answered = true;
        child.stdin?.end(input);
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (input !== undefined && !answered) child.stdin?.destroy();
      resolveRun({ code, signal, stdout, stderr });
    });
  });
}

/** The `gemcaen: …` lines of stderr. */
export function errorLines(r: CliResult): string[] {
  return r.stderr.split('\n').filter((l) => l.startsWith('gemcaen: '));
}

/** Every non-empty stderr line (for asserting that a failed command printed nothing else). */
export function stderrLines(r: CliResult): string[] {
  return r.stderr.split('\n').filter((l) => l !== '');
}

/** How many CAENHV_SetChParam calls the sim has counted since its counters were last reset. */
export async function setChParamCalls(sim: SimHandle): Promise<number> {
  return (await sim.control.counters()).calls.CAENHV_SetChParam ?? 0;
}

/** A refusal: exit code, one error line matching `re`, and no SetChParam sent. Returns the line. */
export async function assertRefused(sim: SimHandle, r: CliResult, re: RegExp, code = 2): Promise<string> {
  assert.equal(r.code, code, `exit ${r.code}: ${r.stderr}`);
  const lines = errorLines(r);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0] as string, re);
  assert.equal(await setChParamCalls(sim), 0, 'no SetChParam sent');
  return lines[0] as string;
}

/**
 * Every command closes its session, success or failure: none is open, and each was closed by
 * DeinitSystem (logout), not merely by the process exit dropping the socket.
 */
export async function assertSessionsLoggedOut(sim: SimHandle): Promise<void> {
  const c = await sim.control.counters();
  assert.equal(c.openSessions, 0, 'no session left open');
  for (const s of c.sessions) assert.equal(s.closeReason, 'logout', `session ${s.id} closed by ${s.closeReason}`);
}

/** A default-crate copy with edits (for crates files with a wrong board or a misnamed channel). */
export function gemCratesYaml(slot0: { model?: string; names?: Record<number, string> } = {}): string {
  const names: Record<number, string> = {};
  const suffixes = ['G3BOT', 'G3TOP', 'G2BOT', 'G2TOP', 'G1BOT', 'G1TOP', 'G0BOT'];
  for (let c = 0; c < 14; c++) names[c] = `GEM${c < 7 ? 1 : 2}_${suffixes[c % 7]}`;
  Object.assign(names, slot0.names ?? {});
  const model = slot0.model ?? 'A1515TG';
  const v0 = [438, 368, 612, 385, 307, 392, 788];
  const channels = Object.entries(names)
    .map(([c, n]) => `          ${c}: { name: ${n}, V0Set: ${model === 'A1515TG' ? v0[Number(c) % 7] : 500}, Pw: On }`)
    .join('\n');
  return [
    'crates:',
    '  - name: lab',
    '    system: SY4527',
    '    slots:',
    '      0:',
    `        model: ${model}`,
    `        channelDefaults: { I0Set: 5, RUp: 20, RDWn: 50, SVMax: 900, LoadMOhm: 2000 }`,
    '        channels:',
    channels,
    '      2:',
    '        model: A1535',
    '',
  ].join('\n');
}
