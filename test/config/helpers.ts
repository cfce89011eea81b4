// Shared by the config tests: where the repository is, how to run the real CLI, and a JSON view of a config.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GemcaenConfig } from '../../src/config/types.js';

/** Repository root (tests are compiled to dist/test/config/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CASES = join(ROOT, 'test', 'cases');
export const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/src/cli/main.js …args` with only PATH and `env` in its environment. */
export function runCli(args: readonly string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** Runs jobs with at most `limit` at a time. */
export async function pool<T, R>(items: readonly T[], limit: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await job(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The config as plain JSON (Maps as objects, secrets as ***), with `cwd` replaced by "<cwd>". */
export function plain(config: GemcaenConfig, cwd: string): Record<string, unknown> {
  const text = JSON.stringify({
    settings: config.settings,
    mainframes: Object.fromEntries(config.mainframes),
    sinks: Object.fromEntries(config.sinks),
    setups: Object.fromEntries(config.setups),
    groups: Object.fromEntries(config.groups),
  });
  return JSON.parse(text.split(cwd).join('<cwd>')) as Record<string, unknown>;
}

/** Values of secret keys written in a YAML text (for "never printed" assertions). */
export function secretValuesIn(text: string): string[] {
  const out: string[] = [];
  const users = new Set([...text.matchAll(/(?:CAENHV_USER|USER):[ \t]*"?([^"\n#]+?)"?[ \t]*$/gm)].map((m) => m[1].trim()));
  for (const m of text.matchAll(/(?:CAENHV_PASSWORD|TOKEN|PASSWORD):[ \t]*"?([^"\n#]+?)"?[ \t]*$/gm)) {
    const v = m[1].trim();
    if (v.length >= 6 && !v.startsWith('${') && !users.has(v)) out.push(v);
  }
  for (const m of text.matchAll(/\/\/[^@/\s:]*:([^@/\s]+)@/g)) out.push(m[1]);
  return out;
}
