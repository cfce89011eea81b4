// The error classes of gemcaen. Library code throws these; only the CLI turns them into exit codes.
// Every error has a stable `code` (listed in the README); tests assert on codes, not on wording.
// This module imports nothing of the project, so any thread can use it.

/** The plain shape of an error once it has crossed a MessagePort (classes do not survive). */
export interface WireError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export class GemcaenError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions & { details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.name = new.target.name;
    if (options?.details) this.details = options.details;
  }
  details?: Record<string, unknown>;
  toWire(): WireError {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

/** One problem of a configuration file: its stable code, where it is and what to do. */
export interface ConfigIssue {
  /** stable, e.g. `CONFIG_UNKNOWN_KEY` (the list: CONFIG_ISSUE_CODES in src/config/issues.ts) */
  code: string;
  /** e.g. `setup ME0: MAINFRAME.CAENHV_BOARD_TYPE` or `file config/config.yml` */
  where: string;
  /** what is wrong and how to fix it */
  message: string;
}

/** The one line a person reads for an issue: `where: message [CODE]`. */
export function issueLine(issue: ConfigIssue): string {
  return `${issue.where}: ${issue.message} [${issue.code}]`;
}

/**
 * A configuration that cannot be used; carries every issue found, not only the first, and the
 * warnings found on the way (shown after the errors: fixing the errors should not be needed to see them).
 */
export class ConfigError extends GemcaenError {
  constructor(
    readonly issues: readonly ConfigIssue[],
    code = 'CONFIG_INVALID',
    readonly warnings: readonly ConfigIssue[] = [],
  ) {
    super(code, issues.map(issueLine).join('\n'), {
      details: { issues: issues.map((i) => ({ ...i })), ...(warnings.length > 0 ? { warnings: warnings.map((w) => ({ ...w })) } : {}) },
    });
  }
}

/** A request the user made that cannot be honoured (unknown setup, slot, parameter, out-of-range value...). */
export class UsageError extends GemcaenError {}

/** Turns anything thrown into the wire shape. */
export function toWireError(err: unknown): WireError {
  if (err instanceof GemcaenError) return err.toWire();
  if (err instanceof Error) return { code: 'INTERNAL', message: err.message };
  return { code: 'INTERNAL', message: String(err) };
}

/** Exit codes of the CLI. */
export const ExitCode = {
  OK: 0,
  /** a failure at run time (crate unreachable, database refusing, internal error) */
  FAILURE: 1,
  /** bad input: config, arguments, unknown setup, refused value */
  USAGE: 2,
  /** the user declined a confirmation */
  DECLINED: 3,
} as const;
