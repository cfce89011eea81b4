// `gemcaen start SETUP... ` (= `npm start -- SETUP...`): the logging daemon.
// A bad config exits 2 before anything starts; SIGTERM/SIGINT/SIGHUP stop gracefully (exit 0); a second
// signal, or a stop that overruns its time-out, forces the exit (1) even when a worker thread is stuck
// inside a CAEN call (hard-exit.ts).
import type { Command } from 'commander';
import { loadConfigForCli, resolveSetups } from '../config/load.js';
import type { LogLevel } from '../protocol.js';
import { GemcaenError, issueLine, UsageError } from '../errors.js';
import { findCaenLibrary } from '../caen/discover.js';
import type { GemcaenConfig, SetupConfig } from '../config/types.js';
import { closeLogger, createLogger, registerSecret } from '../log.js';
import { sinkSecrets, sinkSpools } from '../writer/sinks/registry.js';
import type { Daemon } from '../supervisor/daemon.js';
import { action } from './command.js';
import { checkSpoolDirectory } from '../writer/spool-dir.js';
import { hardExit, libcExit } from './hard-exit.js';

const LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];
/** exit code of a forced (second-signal or stop time-out) exit */
const FORCED_EXIT = 1;
/** the same signal again within this many ms is the same event: npm forwards the terminal's Ctrl-C, and a
 * stop of the whole process group (systemd's control-group kill) reaches npm and the daemon alike */
const SAME_SIGNAL_MS = 300;
/** how often a daemon started through npm checks that npm's shell is still its parent */
const PARENT_CHECK_MS = 500;

interface StartOptions {
  logLevel?: string;
}

export function register(program: Command): void {
  program
    .command('start')
    .description('log the given setups (or groups, e.g. "demo") until SIGTERM/SIGINT/SIGHUP')
    .argument('<setups...>', 'setup or group names from the config file')
    .option('--log-level <level>', 'error, warn, info or debug (default: the config\'s gemcaen.LogLevel, else info)')
    .action(
      action(async (names: string[], opts: StartOptions, cmd: Command) => {
        if (opts.logLevel !== undefined && !LEVELS.includes(opts.logLevel as LogLevel)) {
          throw new UsageError('USAGE', `--log-level ${opts.logLevel}: use one of ${LEVELS.join(', ')}`);
        }
        const globals = cmd.optsWithGlobals<{ config?: string }>();
        const config = loadConfigForCli(globals);
        const setups = resolveSetups(config, names);
        checkLibraries(config, setups);
        checkSpool(config, setups);
        for (const mf of config.mainframes.values()) registerSecret(mf.password.reveal());
        for (const s of config.sinks.values()) for (const secret of sinkSecrets(s)) registerSecret(secret);
        const log = createLogger({ level: (opts.logLevel as LogLevel | undefined) ?? config.settings.logLevel, directory: config.settings.logDirectory });
        const configLog = log.child({ label: 'config' });
        for (const w of config.warnings ?? []) configLog.warn(issueLine(w));
        // loaded here, not at the top: other commands do not need piscina and the supervisor
        const { Daemon } = await import('../supervisor/daemon.js');
        let fatal!: () => void;
        const died = new Promise<void>((resolve) => (fatal = resolve));
        // a part the daemon cannot run without died (the writer thread): it has stopped everything
        // already; exit 1 through the same path as a signal so pm2/systemd restart us and the spool replays
        const daemon = new Daemon({ config, setups, log, onFatal: () => fatal() });
        await runUntilSignal(daemon, log, died);
      }),
    );
}

/**
 * A spool directory that cannot be written (read-only file system, permissions, a file in the way) is
 * a configuration error: pm2/systemd restarting gemcaen would meet it again. Exit 2 with the directory,
 * the cause and the fix, before anything starts. Only sinks that spool need it (not the file sink).
 */
function checkSpool(config: GemcaenConfig, setups: readonly SetupConfig[]): void {
  const spools = (s: SetupConfig): boolean => {
    const sink = config.sinks.get(s.sink);
    return sink !== undefined && sinkSpools(sink);
  };
  if (!setups.some(spools)) return;
  try {
    checkSpoolDirectory(config.settings.spoolDirectory);
  } catch (err) {
    if (err instanceof GemcaenError) throw new UsageError(err.code, err.message, err.details ? { details: err.details } : undefined);
    throw err;
  }
}

/**
 * A CAEN library that cannot be found is a setup mistake, not an outage: refuse to start (exit 2)
 * with the discovery message (where it looked, how to point at the file) before anything runs.
 * Only the file's presence is checked here; loading it is the workers' job (a library that exists
 * but does not load is reported by the worker as an error and retried slowly).
 */
function checkLibraries(config: GemcaenConfig, setups: readonly SetupConfig[]): void {
  for (const id of new Set(setups.map((s) => s.mainframe))) {
    const mf = config.mainframes.get(id);
    if (!mf) continue;
    try {
      findCaenLibrary(mf.library);
    } catch (err) {
      if (err instanceof GemcaenError) throw new UsageError(err.code, `mainframe ${mf.address}: ${err.message}`);
      throw err;
    }
  }
}

async function runUntilSignal(daemon: Daemon, log: ReturnType<typeof createLogger>, died: Promise<void>): Promise<void> {
  const main = log.child({ label: 'gemcaen' });
  let signals = 0;
  let stopped!: () => void;
  const signalled = new Promise<void>((resolve) => (stopped = resolve));
  let lastSignal: { sig: NodeJS.Signals; atMs: number } | null = null;
  /** set once the stop is over and the logger closing: the process is ending, a late signal changes nothing */
  let finished = false;
  let forcing = false;
  /** logs why, closes the logger (bounded) and ends the process even if a thread is stuck in a native call */
  const force = async (why: string): Promise<never> => {
    if (!forcing) {
      forcing = true;
      main.error(why);
      await closeLogger(log, 1000);
    }
    return hardExit(FORCED_EXIT);
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (finished) return; // nothing to log into the closed logger, and no default action (a kill)
    const now = performance.now();
    // Ctrl-C under `npm start` arrives twice: from the terminal and forwarded by npm. One keypress is one signal.
    if (lastSignal?.sig === sig && now - lastSignal.atMs < SAME_SIGNAL_MS) return;
    lastSignal = { sig, atMs: now };
    signals++;
    if (signals > 1) {
      void force(`${sig} again: forcing the exit now (sessions may stay open on the crates)`);
      return;
    }
    main.info(`${sig} received`);
    stopped();
  };
  // a closed terminal or SSH session (SIGHUP) must not kill the daemon unannounced, nor its console writes
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onSignal);
  const parentWatch = watchNpmParent(() => {
    if (signals > 0) return; // already stopping: npm left after forwarding the signal
    main.warn('npm, which started gemcaen, has gone (a signal to `npx gemcaen` ends the shell between them): stopping');
    onSignal('SIGTERM');
  });
  let exitCode = 0;
  const fatal = died.then(() => 'fatal' as const);
  try {
    await Promise.race([daemon.start(), signalled, fatal]);
  } catch (err) {
    main.error(`start failed: ${err instanceof Error ? err.message : String(err)}`);
    exitCode = FORCED_EXIT;
  }
  if (exitCode === 0 && (await Promise.race([signalled, fatal])) === 'fatal') exitCode = FORCED_EXIT;
  // a watchdog in case a stop step hangs beyond its own time-out
  const watchdog = setTimeout(() => void force('stop did not finish in 12 s: forcing the exit'), 12_000);
  watchdog.unref();
  /** a stop step failed: a worker thread may be stuck in a native call, and then the process cannot exit normally */
  let incomplete = false;
  try {
    await daemon.stop(signals > 0 ? 'signal' : 'failure');
  } catch {
    exitCode = FORCED_EXIT;
    incomplete = true;
  }
  if (forcing) return; // a second signal or the watchdog is ending the process
  clearTimeout(watchdog);
  clearInterval(parentWatch);
  finished = true;
  await closeLogger(log);
  process.exitCode = exitCode;
  if (incomplete) await hardExit(exitCode); // a thread may be stuck in a native call: only _exit (or SIGKILL) ends it
  // Everything is stopped, flushed and logged: end here. The handlers stay until then (a late signal
  // neither logs into the closed logger nor kills the process); node's own teardown would remove them
  // first, and a late duplicate signal (npm forwards Ctrl-C) would then kill the process with that
  // signal instead of exit 0 (test/daemon/signals.test.ts). Under a profiler or coverage, whose files
  // node writes in its teardown, and where _exit cannot be called, the process ends the ordinary way.
  if (!writesFilesAtExit()) await libcExit(exitCode);
}

/** node was started with --cpu-prof, --heap-prof or NODE_V8_COVERAGE: their files are written at exit */
function writesFilesAtExit(): boolean {
  return process.execArgv.some((a) => a.startsWith('--cpu-prof') || a.startsWith('--heap-prof')) || Boolean(process.env.NODE_V8_COVERAGE);
}

/**
 * Started through npm (`npx gemcaen start`, `npm exec`), the daemon runs under a shell that npm spawned: a
 * SIGTERM to npm ends that shell and would leave the daemon running alone, holding the crate sessions and
 * the ports. So under npm (it sets npm_command) a parent that goes away counts as a SIGTERM. Elsewhere
 * (pm2, systemd, nohup) the parent is left alone.
 */
function watchNpmParent(onGone: () => void): NodeJS.Timeout | undefined {
  if (!process.env.npm_command) return undefined;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onGone();
    }
  }, PARENT_CHECK_MS);
  timer.unref();
  return timer;
}
