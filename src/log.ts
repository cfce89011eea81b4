// The one logger of the main thread (winston): coloured console lines like the original's
// (time with ms, level, mainframe/setup label, message) and a daily-rotated file under
// Settings.logDirectory. Workers do not log: they post {type:'log'} messages and the supervisor
// writes them through a child logger labelled with the mainframe.
import { mkdirSync } from 'node:fs';
import winston from 'winston';
import DailyRotateFile from 'winston-daily-rotate-file';
import type { LogLevel } from './protocol.js';
import { isoTime } from './time.js';

export type Logger = winston.Logger;

export interface LogOptions {
  level: LogLevel;
  /** directory of the rotated log files; undefined: console only */
  directory?: string;
  /** write coloured lines to stdout (default true) */
  console?: boolean;
  /** colours on the console (default: stdout is a TTY, or FORCE_COLOR set) */
  colors?: boolean;
  /** days of log files kept (default 30) */
  keepDays?: number;
}

const LABEL_COLOURS = ['cyan', 'magenta', 'blue', 'yellow', 'green', 'white'] as const;
const COLOUR_CODES: Record<(typeof LABEL_COLOURS)[number], number> = { cyan: 36, magenta: 35, blue: 34, yellow: 33, green: 32, white: 37 };

/** One colour per label, stable across runs (the original gave each mainframe thread its own). */
function colourLabel(label: string): string {
  let h = 0;
  for (let i = 0; i < label.length; i++) h = (h * 31 + label.charCodeAt(i)) >>> 0;
  return `\u001b[${COLOUR_CODES[LABEL_COLOURS[h % LABEL_COLOURS.length]]}m${label}\u001b[39m`;
}

/** Values registered here are replaced by *** in every line: a last line of defence, not the policy. */
const secrets = new Set<string>();
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 3) secrets.add(value);
}
function redact(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('***');
  return out;
}

const redactFormat = winston.format((info) => {
  if (typeof info.message === 'string') info.message = redact(info.message);
  return info;
});

function line(colors: boolean): winston.Logform.Format {
  return winston.format.printf((info) => {
    const label = typeof info.label === 'string' ? info.label : 'gemcaen';
    const l = colors ? colourLabel(label) : label;
    return `${String(info.timestamp)} ${info.level} [${l}] ${String(info.message)}`;
  });
}

export function createLogger(options: LogOptions): Logger {
  const transports: winston.transport[] = [];
  const force = process.env.FORCE_COLOR;
  const colors =
    options.colors ?? (process.env.NO_COLOR ? false : force !== undefined && force !== '' ? force !== '0' && force !== 'false' : Boolean(process.stdout.isTTY));
  if (options.console !== false) {
    transports.push(
      new winston.transports.Console({
        format: winston.format.combine(
          winston.format.timestamp({ format: () => isoTime() }),
          ...(colors ? [winston.format.colorize({ level: true })] : [winston.format.uncolorize()]),
          line(colors),
        ),
      }),
    );
  }
  if (options.directory) {
    mkdirSync(options.directory, { recursive: true });
    transports.push(
      new DailyRotateFile({
        dirname: options.directory,
        filename: 'gemcaen-%DATE%.log',
        datePattern: 'YYYY-MM-DD',
        maxFiles: `${options.keepDays ?? 30}d`,
        auditFile: `${options.directory}/.gemcaen-log-audit.json`,
        format: winston.format.combine(winston.format.timestamp({ format: () => isoTime() }), winston.format.uncolorize(), line(false)),
      }),
    );
  }
  // a logger with nowhere to write (tests) stays quiet instead of warning on every line
  if (transports.length === 0) transports.push(new winston.transports.Console({ silent: true }));
  return winston.createLogger({ level: options.level, format: redactFormat(), transports, exitOnError: false });
}

/** Ends the logger and waits until every transport has written its last line (bounded). */
export async function closeLogger(logger: Logger, timeoutMs = 2000): Promise<void> {
  // a file transport's stream (winston-daily-rotate-file's logStream) ends after the logger: its
  // 'finish' says the last line is in the file (a fixed wait lost the last lines on a busy machine)
  const fileStreams = logger.transports.flatMap((t) => {
    const stream = (t as { logStream?: NodeJS.EventEmitter }).logStream;
    return stream ? [stream] : [];
  });
  await new Promise<void>((resolve) => {
    // a referenced timer: the process must not end (exit 13) while waiting for the transports
    const t = setTimeout(resolve, timeoutMs);
    const finished = [new Promise<void>((r) => logger.once('finish', () => r())), ...fileStreams.map((s) => new Promise<void>((r) => s.once('finish', () => r())))];
    void Promise.all(finished).then(() => {
      clearTimeout(t);
      resolve();
    });
    logger.end();
  });
}
