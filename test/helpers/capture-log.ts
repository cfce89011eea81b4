// A logger for in-process daemon tests that keeps every line (level, label, message) in memory,
// so a test can count the warn/error lines of a transition without reading the console.
import Transport from 'winston-transport';
import winston from 'winston';
import type { Logger } from '../../src/log.js';

export interface CapturedLine {
  level: string;
  label: string;
  message: string;
}

class Keep extends Transport {
  constructor(private readonly lines: CapturedLine[]) {
    super();
  }
  override log(info: { level: string; label?: unknown; message: unknown }, next: () => void): void {
    this.lines.push({ level: info.level, label: typeof info.label === 'string' ? info.label : '', message: String(info.message) });
    next();
  }
}

export function captureLogger(level: 'error' | 'warn' | 'info' | 'debug' = 'info'): { log: Logger; lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  return { log: winston.createLogger({ level, transports: [new Keep(lines)] }), lines };
}
