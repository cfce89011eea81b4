// Shared bits of the writer tests: temp dirs, a log collector, point builders, a writer factory.
import { setTimeout as sleep } from 'node:timers/promises';
import type { SinkConfig } from '../../src/config/types.js';
import type { FieldValue, LogLevel, Point, PointsMessage, ReadingsMessage } from '../../src/protocol.js';
import { expandReadings, type ReadingsIntake } from '../../src/readings.js';
import { Writer, type WriterOptions, type WriterSettings } from '../../src/writer/writer.js';
import type { DedupPolicy } from '../../src/writer/dedup.js';
import { testTempDir } from '../helpers/temp-dir.js';
import { join } from 'node:path';
import type { WriterInit } from '../../src/protocol.js';
import { writerInit } from '../../src/supervisor/writer-init.js';

export function tempDir(t: { after(fn: () => void): void }, prefix = 'gemcaen-writer-'): string {
  return testTempDir(t, prefix);
}

export interface LogLine {
  level: LogLevel;
  message: string;
}

export function collectLogs(): { lines: LogLine[]; log: (level: LogLevel, message: string) => void } {
  const lines: LogLine[] = [];
  return { lines, log: (level, message) => lines.push({ level, message }) };
}

export const f = (value: number): FieldValue => ({ type: 'float', value });
export const i = (value: number): FieldValue => ({ type: 'int', value });

export function point(tags: Record<string, string>, fields: Record<string, FieldValue>, timeMs: number, measurement = 'HV'): Point {
  return { measurement, tags, fields, timeMs };
}

export function msg(sink: string, points: Point[], setup = 'S'): PointsMessage {
  return { type: 'points', setup, sink, points };
}

export function makeWriter(
  sinks: SinkConfig[],
  spoolDirectory: string,
  opts: { settings?: Partial<WriterSettings>; policies?: Record<string, DedupPolicy>; log?: WriterOptions['log']; now?: () => number } = {},
): Writer {
  const w: WriterOptions = {
    sinks,
    policies: opts.policies ?? {},
    settings: {
      spoolDirectory,
      spoolMaxBytes: 64 * 1024 * 1024,
      batchMaxLines: 1000,
      batchMaxMs: 100,
      backoff: { initialMs: 100, maxMs: 400 },
      requestTimeoutMs: 3000,
      ...opts.settings,
    },
    log: opts.log ?? (() => undefined),
  };
  if (opts.now) w.now = opts.now;
  return new Writer(w);
}

/** polls until check() is true or timeoutMs passes; returns the last check */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(stepMs);
  }
}

/** What the supervisor hands a writer thread for a test in `dir`: a file sink "files" (lines in dir/lp), plus `more` sinks. */
export function fileWriterInit(dir: string, more: readonly SinkConfig[] = []): WriterInit {
  const sinks = new Map<string, SinkConfig>([['files', { kind: 'file', id: 'files', directory: join(dir, 'lp') }]]);
  for (const s of more) sinks.set(s.id, s);
  return writerInit(
    {
      settings: { logLevel: 'info', logDirectory: dir, spoolDirectory: join(dir, 'spool'), spoolMaxMegabytes: 10, healthListen: '', batchMaxLines: 1000, batchMaxMilliseconds: 100 },
      sinks,
      setups: new Map(),
    },
    [...sinks.keys()],
  );
}

/** The points of a readings message through an intake that keeps the plain layouts (what the writer's lines stand for). */
export function intakePoints(intake: ReadingsIntake, msg: ReadingsMessage): Point[] | { error: string } {
  const r = intake.layoutOf(msg);
  return 'error' in r ? r : expandReadings(r.layout, msg.values, msg.timeMs);
}
