// What Grafana does with the shipped queries before and after InfluxDB answers, reproduced for tests
// (no Grafana can be installed here). Sources, Grafana 10/11:
// - template variables: templateSrv.replace(query, scopedVars, 'regex') (influxdb datasource.ts
//   applyVariables / annotationEvents / metricFindQuery): `$var`, `${var}`, `[[var]]`; the regex
//   format escapes with kbn.regexEscape and joins several values as `(a|b)`; a custom allValue
//   (`.*`) is inserted unformatted; unknown names are left as they are;
// - macros (pkg/tsdb/influxdb/models/query.go Build): `$timeFilter` → `time >= {from}ms and time <= {to}ms`,
//   `$interval` and `$__interval` → gtime.FormatInterval, `$__interval_ms` → ms;
// - alert rules: A runs with the rule's relativeTimeRange and intervalMs, B = reduce last (dropNN),
//   C = threshold; a query with no series is NoData.
import type { AlertRule, Dashboard, Variable } from '../../src/grafana/model.js';

export interface Series {
  name: string;
  tags: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** GET /query as Grafana's InfluxQL backend does (epoch=ms), every series of every statement. */
export async function influxQuery(url: string, db: string, q: string): Promise<Series[]> {
  const params = new URLSearchParams({ q, db, epoch: 'ms' });
  const r = await fetch(`${url}/query?${params}`);
  const j = (await r.json()) as { error?: string; results?: Array<{ error?: string; series?: Series[] }> };
  const err = j.error ?? j.results?.find((x) => x.error)?.error;
  if (!r.ok || err) throw new Error(`InfluxDB refused ${q}: ${r.status} ${err ?? ''}`);
  return (j.results ?? []).flatMap((res) => (res.series ?? []).map((s) => ({ ...s, tags: s.tags ?? {} })));
}

/** kbn.regexEscape */
export function regexEscape(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

/** The variables' selection: a name → the values chosen, or 'All'. */
export type Selection = Record<string, readonly string[] | 'All'>;

const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;

/** Names a text refers to with `$x`, `${x}` or `[[x]]`. */
export function referencedNames(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map((m) => m[1] ?? m[2] ?? m[4]).filter((n): n is string => n !== undefined);
}

/** templateSrv.replace(text, scopedVars without __interval, 'regex') for the dashboard's variables. */
export function replaceVariables(text: string, variables: readonly Variable[], selection: Selection): string {
  return text.replace(VARIABLE, (match, a?: string, b?: string, _f?: string, c?: string) => {
    const name = a ?? b ?? c;
    const v = variables.find((x) => x.name === name);
    if (!v) return match;
    if (v.type === 'datasource') return String(v.current.value);
    const chosen = selection[v.name] ?? 'All';
    if (chosen === 'All') {
      if (v.allValue) return v.allValue;
      throw new Error(`variable ${v.name}: All without allValue is not emulated`);
    }
    const escaped = chosen.map(regexEscape);
    return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
  });
}

/** gtime.FormatInterval */
export function formatInterval(ms: number): string {
  const units: Array<[number, string]> = [[365 * 86400000, 'y'], [86400000, 'd'], [3600000, 'h'], [60000, 'm'], [1000, 's'], [1, 'ms']];
  for (const [size, unit] of units) if (ms >= size) return `${Math.floor(ms / size)}${unit}`;
  return '1ms';
}

/** The macros Grafana's InfluxQL backend replaces (query.go Build). */
export function applyMacros(q: string, fromMs: number, toMs: number, intervalMs: number): string {
  const interval = formatInterval(intervalMs);
  return q
    .replaceAll('$timeFilter', `time >= ${fromMs}ms and time <= ${toMs}ms`)
    .replaceAll('$interval', interval)
    .replaceAll('$__interval_ms', String(intervalMs))
    .replaceAll('$__interval', interval);
}

export interface Range {
  fromMs: number;
  toMs: number;
  intervalMs: number;
}

/** A panel target or annotation query, as Grafana sends it to InfluxDB. */
export function dashboardQuery(query: string, d: Dashboard, selection: Selection, range: Range): string {
  return applyMacros(replaceVariables(query, d.templating.list, selection), range.fromMs, range.toMs, range.intervalMs);
}

/** The options of a query variable (metricFindQuery of SHOW TAG VALUES: the `value` column, distinct, sorted). */
export async function variableOptions(run: (q: string) => Promise<Series[]>, d: Dashboard, name: string, selection: Selection): Promise<string[]> {
  const v = d.templating.list.find((x) => x.name === name);
  if (!v || v.type !== 'query') throw new Error(`no query variable ${name}`);
  const series = await run(replaceVariables(v.query, d.templating.list, selection));
  const values = new Set<string>();
  for (const s of series) {
    const i = s.columns.indexOf('value');
    for (const row of s.values) values.add(String(row[i]));
  }
  return [...values].sort();
}

/** One time series per (series, value column), as Grafana's InfluxQL backend builds frames. */
export interface Frame {
  name: string;
  tags: Record<string, string>;
  field: string;
  points: Array<[number, unknown]>;
}

export function frames(series: readonly Series[]): Frame[] {
  const out: Frame[] = [];
  for (const s of series) {
    const t = s.columns.indexOf('time');
    s.columns.forEach((c, i) => {
      if (i === t) return;
      out.push({ name: s.name, tags: s.tags, field: c, points: s.values.map((row) => [row[t] as number, row[i]]) });
    });
  }
  return out;
}

/** Last non-null number of a frame (the reduce expression's `last` with mode dropNN). */
export function lastNumber(f: Frame): number | undefined {
  for (let i = f.points.length - 1; i >= 0; i--) {
    const v = f.points[i]![1];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

export interface RuleResult {
  /** the query as sent */
  query: string;
  noData: boolean;
  /** per series: its labels, B (the reduced value), and whether C holds */
  instances: Array<{ labels: Record<string, string>; value: number; firing: boolean }>;
  /** the rule's state when there is no data */
  noDataFiring: boolean;
}

/** Evaluates a provisioned rule at `nowMs`: A (InfluxQL), B = last, C = threshold. */
export async function evaluateRule(run: (q: string) => Promise<Series[]>, rule: AlertRule, nowMs: number): Promise<RuleResult> {
  const a = rule.data.find((d) => d.refId === 'A')!;
  const b = rule.data.find((d) => d.refId === 'B')!;
  const c = rule.data.find((d) => d.refId === rule.condition)!;
  if (b.model.type !== 'reduce' || b.model.reducer !== 'last' || b.model.expression !== 'A') throw new Error(`${rule.uid}: B is not last(A)`);
  if (c.model.type !== 'threshold' || c.model.expression !== 'B') throw new Error(`${rule.uid}: C is not a threshold on B`);
  const evaluator = (c.model.conditions as Array<{ evaluator: { type: string; params: number[] } }>)[0]!.evaluator;
  const holds = (v: number): boolean => {
    const [p0, p1] = evaluator.params;
    switch (evaluator.type) {
      case 'gt':
        return v > p0!;
      case 'lt':
        return v < p0!;
      case 'outside_range':
        return v < p0! || v > p1!;
      case 'within_range':
        return v > p0! && v < p1!;
      default:
        throw new Error(`${rule.uid}: evaluator ${evaluator.type} not emulated`);
    }
  };
  const query = applyMacros(String(a.model.query), nowMs - a.relativeTimeRange.from * 1000, nowMs - a.relativeTimeRange.to * 1000, Number(a.model.intervalMs ?? 1000));
  const fs = frames(await run(query));
  const instances = fs.flatMap((f) => {
    const value = lastNumber(f);
    return value === undefined ? [] : [{ labels: f.tags, value, firing: holds(value) }];
  });
  const noData = instances.length === 0;
  return { query, noData, instances, noDataFiring: noData && rule.noDataState === 'Alerting' };
}
