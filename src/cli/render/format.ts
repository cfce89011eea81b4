// Shared output helpers of the read commands: plain tables (cli-table3, no colour) and value texts.
import Table from 'cli-table3';
import type { ParamMeta } from '../../caen/types.js';

/** No line between rows: a status table stays one screen. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/** A borderless-colour table as text (cli-table3 with its colours off, so pipes and NO_COLOR get plain text). */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const t = new Table({ head: [...head], style: { head: [], border: [] }, chars: COMPACT });
  for (const r of rows) t.push([...r]);
  return t.toString();
}

/** `key: value` lines as a two-column table. */
export function keyValueTable(entries: readonly (readonly [string, string])[]): string {
  return table(['property', 'value'], entries);
}

const PREFIX: Readonly<Record<number, string>> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M' };

/** The unit of a NUMERIC parameter as people write it: "V", "uA" (Unit A with Exp -6), "°C"; '' when none. */
export function unitText(meta: Pick<ParamMeta, 'unit' | 'exp'>): string {
  if (!meta.unit) return '';
  const prefix = PREFIX[meta.exp ?? 0] ?? `e${meta.exp}`;
  return `${prefix}${meta.unit}`;
}

/** A NUMERIC value with the board's Decimal digits (at most 6); other numbers as they are. */
export function numberText(value: number, decimals: number | undefined): string {
  if (!Number.isFinite(value)) return String(value);
  const d = decimals !== undefined && Number.isInteger(decimals) && decimals >= 0 ? Math.min(decimals, 6) : undefined;
  return d === undefined ? String(Number(value.toPrecision(7))) : value.toFixed(d);
}

/** "A1535" column header with its unit: "VMon [V]". */
export function headerText(name: string, unit: string): string {
  return unit ? `${name} [${unit}]` : name;
}
