// What every CLI command file shares: how a failure becomes one line and an exit code.
import { ConfigError, ExitCode, GemcaenError, issueLine, UsageError, toWireError } from '../errors.js';

/** Exit code for an error: bad input (config, arguments, refused values) is 2, run-time failures 1. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof ConfigError || err instanceof UsageError) return ExitCode.USAGE;
  if (err instanceof GemcaenError && err.code === 'DECLINED') return ExitCode.DECLINED;
  // Ctrl-C / SIGTERM while a command held a crate session (src/cli/open-setup.ts): the shell's 128 + SIGINT
  if (err instanceof GemcaenError && err.code === 'INTERRUPTED') return 130;
  return ExitCode.FAILURE;
}

/** The text printed for an error: one line per problem, never a stack for a known error; a config's warnings after its errors. */
export function describeError(err: unknown): string {
  if (err instanceof ConfigError) return [err.message, ...err.warnings.map((w) => `warning: ${issueLine(w)}`)].join('\n');
  if (err instanceof GemcaenError) return err.message;
  if (err instanceof Error) return `internal error: ${err.stack ?? err.message}`;
  return `internal error: ${String(err)}`;
}

/** A command's options asked for JSON output (`--json`): its errors are JSON too. */
function wantsJson(args: readonly unknown[]): boolean {
  return args.some((a) => typeof a === 'object' && a !== null && !Array.isArray(a) && (a as { json?: unknown }).json === true);
}

/**
 * Wraps a command's action: prints a failure as `gemcaen: …` lines on stderr (or, with `--json`, as one
 * `{"error":{code,message,details}}` line, for scripts) and sets the exit code.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (wantsJson(args)) process.stderr.write(`${JSON.stringify({ error: toWireError(err), exitCode: exitCodeOf(err) })}\n`);
      else for (const line of describeError(err).split('\n')) process.stderr.write(`gemcaen: ${line}\n`);
      process.exitCode = exitCodeOf(err);
    }
  };
}
