// `gemcaen validate [setup…]`: checks the config file and shows what gemcaen would run.
import { existsSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import Table from 'cli-table3';
import type { Command } from 'commander';
import type { ConfigIssueCode } from '../config/issues.js';
import { loadConfigForCli, resolveSetups } from '../config/load.js';
import type { GemcaenConfig, MainframeConfig, SetupConfig } from '../config/types.js';
import { describeSink } from '../writer/sinks/registry.js';
import { ConfigError, type ConfigIssue, issueLine } from '../errors.js';
import { action } from './command.js';

interface ValidateOptions {
  config?: string;
  json?: boolean;
  strict?: boolean;
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('check the config file (all problems at once) and show the mainframes and setups it defines')
    .argument('[setups...]', 'setups or groups to show (default: all)')
    .option('--json', 'print the checked configuration as JSON (secrets as ***)')
    .option('--strict', 'treat warnings as errors (exit 2)')
    .action(
      action((names: string[], _opts: ValidateOptions, command: Command) => {
        const opts = command.optsWithGlobals<ValidateOptions>();
        const config = loadConfigForCli(opts);
        const setups = names.length > 0 ? resolveSetups(config, names) : [...config.setups.values()];
        const warnings = [...(config.warnings ?? []), ...missingFiles(config, setups)];
        if (opts.strict && warnings.length > 0) throw new ConfigError(warnings, 'CONFIG_WARNINGS');
        for (const w of warnings) process.stderr.write(`gemcaen: warning: ${issueLine(w)}\n`);
        process.stdout.write(opts.json ? `${JSON.stringify(summary(config, setups), null, 2)}\n` : render(config, setups));
      }),
    );
}

/** Files the chosen setups need that are not there (checked here, not by the loader: a config stays loadable anywhere). */
function missingFiles(config: GemcaenConfig, setups: readonly SetupConfig[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const id of new Set(setups.map((s) => s.mainframe))) {
    const mf = config.mainframes.get(id);
    const owner = setups.find((s) => s.mainframe === id)?.name ?? id;
    if (mf?.library && mf.library.includes('/') && !existsSync(mf.library)) {
      out.push({ code: 'CONFIG_FILE_MISSING' satisfies ConfigIssueCode, where: `setup ${owner}: MAINFRAME.CAENHV_LIBRARY`, message: `${shortPath(mf.library)} does not exist (for the simulator's library run npm run build; for CAEN's, give its path)` });
    }
    if (mf?.simulated?.cratesFile && !existsSync(mf.simulated.cratesFile)) {
      out.push({ code: 'CONFIG_FILE_MISSING' satisfies ConfigIssueCode, where: `setup ${owner}: MAINFRAME.SIMULATOR_CRATES`, message: `${shortPath(mf.simulated.cratesFile)} does not exist` });
    }
  }
  return out;
}

function shortPath(p: string): string {
  if (!isAbsolute(p)) return p;
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}

/** the sink column: the plugin's description, paths under the working directory shortened */
function sinkText(sink: Parameters<typeof describeSink>[0] | undefined): string {
  if (!sink) return '?';
  const cwd = process.cwd();
  return describeSink(sink).split(`${cwd}/`).join('');
}

function describeMainframe(mf: MainframeConfig): string {
  const parts = [`${mf.systemType} over ${mf.linkType}`, `user ${mf.user}`, `keep-alive ${mf.keepaliveSeconds} s`];
  if (mf.library) parts.push(`library ${shortPath(mf.library)}`);
  if (mf.simulated) parts.push(`simulated by gemcaen${mf.simulated.cratesFile ? ` (crates ${shortPath(mf.simulated.cratesFile)})` : ''}`);
  return `mainframe ${mf.address}: ${parts.join(', ')}`;
}

function channelsText(s: SetupConfig): string {
  return s.layer !== undefined ? `GEM layer ${s.layer} (${s.channels[0]}-${s.channels[s.channels.length - 1]})` : s.channels.join(', ');
}

function byMainframe(setups: readonly SetupConfig[]): Map<string, SetupConfig[]> {
  const out = new Map<string, SetupConfig[]>();
  for (const s of setups) out.set(s.mainframe, [...(out.get(s.mainframe) ?? []), s]);
  return out;
}

function render(config: GemcaenConfig, setups: readonly SetupConfig[]): string {
  const groups = byMainframe(setups);
  const lines: string[] = [
    `${config.file}: valid, ${setups.length} setup${setups.length === 1 ? '' : 's'} on ${groups.size} mainframe${groups.size === 1 ? '' : 's'}`,
  ];
  for (const [id, list] of groups) {
    const mf = config.mainframes.get(id);
    lines.push('', mf ? describeMainframe(mf) : `mainframe ${id}`);
    const table = new Table({
      head: ['setup', 'slot', 'channels', 'monitorables', 'hold-off', 'heartbeat', 'sink'],
      style: { head: [], border: [] },
    });
    for (const s of list) {
      table.push([
        s.name,
        String(s.slot),
        channelsText(s),
        s.monitorables.join(' '),
        `${s.holdOffSeconds} s`,
        `${s.heartbeatSeconds} s`,
        sinkText(config.sinks.get(s.sink)),
      ]);
    }
    lines.push(table.toString());
  }
  if (config.groups.size > 0) {
    lines.push('', 'groups:');
    for (const [g, members] of config.groups) lines.push(`  ${g}: ${members.join(', ')}`);
  }
  const st = config.settings;
  lines.push(
    '',
    `log level ${st.logLevel}, logs ${shortPath(st.logDirectory)}, spool ${shortPath(st.spoolDirectory)} (max ${st.spoolMaxMegabytes} MB), ` +
      `health ${st.healthListen === '' ? 'off' : st.healthListen}, batches of ${st.batchMaxLines} lines / ${st.batchMaxMilliseconds} ms`,
  );
  return `${lines.join('\n')}\n`;
}

/** A JSON-safe view without secret values (Secret serialises as ***). */
export function summary(config: GemcaenConfig, setups: readonly SetupConfig[]): Record<string, unknown> {
  const used = new Set(setups.map((s) => s.mainframe));
  const sinks = new Set(setups.map((s) => s.sink));
  return JSON.parse(
    JSON.stringify({
      file: config.file,
      settings: config.settings,
      mainframes: [...config.mainframes.values()].filter((m) => used.has(m.id)),
      sinks: [...config.sinks.values()].filter((s) => sinks.has(s.id)),
      setups,
      groups: Object.fromEntries(config.groups),
      warnings: config.warnings ?? [],
    }),
  ) as Record<string, unknown>;
}
