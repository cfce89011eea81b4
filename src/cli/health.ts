// `gemcaen health [--url URL]`: asks the running daemon's health endpoint and prints its state.
// Exit 0 when every crate is connected and every sink writes, 1 when unreachable or failing, or
// while a channel or board is in alarm (the alarm lines name it).
import type { Command } from 'commander';
import { ExitCode } from '../errors.js';
import type { HealthReport } from '../supervisor/state.js';
import { action } from './command.js';

export const DEFAULT_HEALTH_URL = 'http://127.0.0.1:8765/health';

function age(s?: number): string {
  return s === undefined ? 'never' : `${s.toFixed(1)} s ago`;
}

export function formatHealth(r: HealthReport): string {
  const lines: string[] = [`gemcaen pid ${r.pid}, ${r.phase}, up ${r.uptimeSeconds} s, RSS ${r.rssMegabytes} MB: ${r.ok ? 'OK' : 'PROBLEMS'}`];
  for (const c of r.crates) {
    lines.push(`crate ${c.id} (${c.systemType}): ${c.state} since ${c.since}${c.detail ? ` (${c.detail})` : ''}, last scan ${age(c.lastScanAgeSeconds)}${c.restarts ? `, ${c.restarts} worker restarts` : ''}${c.mode ? `, ${c.mode}` : ''}${c.events ? ` (${c.events.detail}; ${c.events.reconciles} reconciles, ${c.events.differences} differences, ${c.events.fallbacks} fallbacks)` : ''}`);
  }
  const crateState = new Map(r.crates.map((c) => [c.id, c.state]));
  for (const s of r.setups) {
    // a setup polls only while its crate is connected; otherwise it waits with the crate
    const state = crateState.get(s.mainframe);
    const doing = s.paused ? `PAUSED (${s.reason ?? ''})` : state === 'connected' ? 'polling' : `waiting (crate ${state ?? 'unknown'})`;
    lines.push(`  setup ${s.name}: ${doing}, every ${s.holdOffSeconds} s, last scan ${age(s.lastScanAgeSeconds)}, ${s.callsPerScan ?? '-'} calls/scan, ${s.scanDurationMs ?? '-'} ms/scan`);
  }
  for (const a of r.alarms ?? []) {
    lines.push(`${a.severity === 'error' ? 'ALARM' : 'warning'} since ${new Date(a.sinceMs).toISOString()}: ${a.text}${a.acknowledged ? ` (acknowledged by ${a.acknowledged.who})` : ''}`);
  }
  for (const k of r.sinks) {
    lines.push(`sink ${k.id}: ${k.state}, ${k.target}${k.spoolBytes !== undefined ? `, spool ${k.spoolBytes} B` : ''}${k.written !== undefined ? `, ${k.written} lines written` : ''}${k.lastError ? `, last error: ${k.lastError}` : ''}`);
    if (k.spoolError) lines.push(`  spool: ${k.spoolError}`);
  }
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('health')
    .description('print the state of the running daemon (exit 1 when unreachable or failing)')
    .option('--url <url>', `health endpoint (default ${DEFAULT_HEALTH_URL})`)
    .option('--json', 'print the raw JSON')
    .action(
      action(async (opts: { url?: string; json?: boolean }) => {
        const url = opts.url ?? DEFAULT_HEALTH_URL;
        let report: HealthReport;
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
          report = (await res.json()) as HealthReport;
        } catch (err) {
          process.stderr.write(`gemcaen: no daemon answers at ${url} (${err instanceof Error ? err.message : String(err)}): is gemcaen start running, with this healthListen?\n`);
          process.exitCode = ExitCode.FAILURE;
          return;
        }
        process.stdout.write(`${opts.json ? JSON.stringify(report, null, 2) : formatHealth(report)}\n`);
        if (!report.ok) {
          process.stderr.write(`gemcaen: ${report.problems.join('; ')}\n`);
          process.exitCode = ExitCode.FAILURE;
        }
      }),
    );
}
