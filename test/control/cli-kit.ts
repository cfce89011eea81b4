// Shared by the set/ieq CLI tests: temp configs on a simulated crate, the real CLI as a child process
// (stdin: nothing, or an answer piped in), and the simulator's SetChParam count.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimHandle } from '../helpers/sim.js';

/** dist/test/control -> the repository root */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const cliPath = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

export interface SetupSpec {
  slot: number;
  channels?: number[];
  layer?: 1 | 2;
  monitorables?: string[];
  /** extra YAML lines of the setup block, e.g. ["  MaxElectrodeVolts: 700"] */
  extra?: string[];
  /** FILE sink directory (default <dir>/data) */
  fileDir?: string;
  holdOffSeconds?: number;
}

export function tempDir(prefix = 'gemcaen-control-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function setupYaml(name: string, sim: Pick<SimHandle, 'address' | 'libraryPath'>, s: SetupSpec, dir: string): string {
  const gem = s.layer !== undefined;
  return [
    `${name}:`,
    `  Monitorables: [${(s.monitorables ?? (gem ? ['VMon', 'IMon', 'V0Set', 'Pw', 'Status', 'Ieq'] : ['VMon', 'IMon', 'V0Set', 'Pw'])).join(', ')}]`,
    `  HoldOffTime: ${s.holdOffSeconds ?? 1}`,
    `  isGEMDetector: ${gem}`,
    '  MAINFRAME:',
    '    CAENHV_BOARD_TYPE: SY4527',
    '    CAENHV_LINK_TYPE: TCPIP',
    `    CAENHV_BOARD_ADDRESS: "${sim.address}"`,
    '    CAENHV_USER: admin',
    '    CAENHV_PASSWORD: admin',
    `    CAENHV_LIBRARY: "${sim.libraryPath}"`,
    '  BOARD:',
    `    SLOT: ${s.slot}`,
    gem ? `    LAYER: ${s.layer}` : `    CHANNELS: [${(s.channels ?? []).join(', ')}]`,
    ...(s.extra ?? []),
    '  FILE:',
    `    DIRECTORY: "${s.fileDir ?? join(dir, 'data')}"`,
  ].join('\n');
}

/** Writes `<dir>/config.yml` with these setups (plus optional leading text, e.g. a gemcaen: block). */
export function writeConfig(dir: string, sim: Pick<SimHandle, 'address' | 'libraryPath'>, setups: Record<string, SetupSpec>, head = ''): string {
  const file = join(dir, 'config.yml');
  const blocks = Object.entries(setups).map(([name, s]) => setupYaml(name, sim, s, dir));
  writeFileSync(file, `${head ? `${head}\n` : ''}${blocks.join('\n\n')}\n`);
  return file;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI. `input` undefined: stdin is /dev/null (no terminal, no answer); a string: written to a
 * stdin pipe once the question has been printed, then stdin is closed.
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
    child.once('close', (code) => {
      clearTimeout(timer);
      if (input !== undefined && !answered) child.stdin?.destroy();
      resolveRun({ code, stdout, stderr });
    });
  });
}

/** The `gemcaen: …` lines of stderr. */
export function errorLines(r: CliResult): string[] {
  return r.stderr.split('\n').filter((l) => l.startsWith('gemcaen: '));
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
