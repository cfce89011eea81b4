// The benchmark's output: a table of ratios (measured / ideal) for the console, and the same figures as
// Markdown for BENCHMARKS.md (between the results markers).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import Table from 'cli-table3';
import { fmt } from './stats.js';

export interface RatioRow {
  part: string;
  figure: string;
  measured: number;
  ideal: number;
  unit: string;
  /** what the ideal is */
  idealIs: string;
  /** digits of measured/ideal (default 1) */
  digits?: number;
}

export function ratioOf(r: RatioRow): number {
  return r.ideal === 0 ? NaN : r.measured / r.ideal;
}

function cells(r: RatioRow): string[] {
  const d = r.digits ?? 1;
  return [r.part, r.figure, `${fmt(r.measured, d)} ${r.unit}`.trim(), `${fmt(r.ideal, d)} ${r.unit}`.trim(), r.idealIs, fmt(ratioOf(r), 2)];
}

const HEAD = ['#', 'figure', 'measured', 'ideal', 'ideal is', 'ratio'];

export function ratioTable(rows: readonly RatioRow[]): string {
  const t = new Table({ head: HEAD, style: { head: [], border: [] }, wordWrap: true, colWidths: [4, 36, 14, 14, 40, 7] });
  for (const r of rows) t.push(cells(r));
  return t.toString();
}

export function markdownTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${head.map(esc).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export function ratioMarkdown(rows: readonly RatioRow[]): string {
  return markdownTable(HEAD, rows.map(cells));
}

export const RESULTS_START = '<!-- bench-results:start -->';
export const RESULTS_END = '<!-- bench-results:end -->';

/** Replaces the results section of a Markdown file (between the markers), or appends one. */
export function writeResults(file: string, markdown: string): void {
  const block = `${RESULTS_START}\n${markdown.trim()}\n${RESULTS_END}`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const a = text.indexOf(RESULTS_START);
  const b = text.indexOf(RESULTS_END);
  const next = a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + RESULTS_END.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}
