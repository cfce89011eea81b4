// What every CLI command file shares: how a failure becomes one line and an exit code.
import { ConfigError, ExitCode, GemcaenError, UsageError } from '../errors.js';

/** Exit code for an error: bad input (config, arguments, refused values) is 2, run-time failures 1. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof ConfigError || err instanceof UsageError) return ExitCode.USAGE;
  if (err instanceof GemcaenError && err.code === 'DECLINED') return ExitCode.DECLINED;
  // Ctrl-C / SIGTERM while a command held a crate session (src/cli/open-setup.ts): the shell's 128 + SIGINT
  if (err instanceof GemcaenError && err.code === 'INTERRUPTED') return 130;
  return ExitCode.FAILURE;
}

/** The text printed for an error: one line per problem, never a stack for a known error. */
export function describeError(err: unknown): string {
  if (err instanceof GemcaenError) return err.message;
  if (err instanceof Error) return `internal error: ${err.stack ?? err.message}`;
  return `internal error: ${String(err)}`;
}

/** Wraps a command's action: prints a failure as `gemcaen: …` on stderr and sets the exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      for (const line of describeError(err).split('\n')) process.stderr.write(`gemcaen: ${line}\n`);
      process.exitCode = exitCodeOf(err);
    }
  };
}
