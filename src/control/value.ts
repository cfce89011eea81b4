// The text a person typed for a parameter value, turned into the number the board takes, by the
// parameter's Type (docs/caen-wrapper.md §4): NUMERIC a finite number, ONOFF a 0/1 word. Refusals are UsageErrors.
import type { ParamMeta } from '../caen/types.js';
import { UsageError } from '../errors.js';
import { float32Text } from '../float32.js';
import { parseDecimal } from './input.js';

const ON_WORDS = ['on', '1', 'true', 'yes', 'enable', 'enabled'];
const OFF_WORDS = ['off', '0', 'false', 'no', 'disable', 'disabled'];

/** The words an ONOFF parameter accepts, for messages: "on/off/1/0/Kill/Ramp". */
export function onOffWords(meta: ParamMeta): string {
  const words = ['on', 'off', '1', '0'];
  if (meta.onState && !words.includes(meta.onState.toLowerCase())) words.push(meta.onState);
  if (meta.offState && !words.includes(meta.offState.toLowerCase())) words.push(meta.offState);
  return words.join('/');
}

/** The value of `text` for parameter `meta`; `where` names the parameter in messages ("slot 0 V0Set"). */
export function parseParamValue(text: string, meta: ParamMeta, where: string): number {
  const t = text.trim();
  switch (meta.type) {
    case 'NUMERIC': {
      const parsed = parseDecimal(t);
      if (!parsed.ok) {
        const shownText = t.length > 40 ? `${t.slice(0, 37)}...` : t;
        throw new UsageError(
          'VALUE_NOT_NUMBER',
          `${where}: "${shownText}" is not a number: ${parsed.reason}; give a decimal number${meta.unit ? ` in ${meta.unit}` : ''}, e.g. --value 450`,
          { details: { value: shownText, type: meta.type } },
        );
      }
      const v = parsed.value;
      // the plan shows the value with the parameter's decimals (formatParamValue): a value with more
      // would be confirmed as one number and sent as another, so it is refused, not rounded
      const d = shownDecimals(meta);
      if (d === undefined && Number(float32Text(v)) !== v) {
        // no Decimal property: the value is shown as the float32 it is sent as (formatParamValue),
        // so a value with more digits than a float32 keeps would be confirmed as another number
        const unit = meta.unit ? ` ${meta.unit}` : '';
        throw new UsageError(
          'VALUE_TOO_PRECISE',
          `${where}: ${t}${unit} has more digits than the board's 32-bit float keeps; give ${float32Text(v)}${unit} or a value with fewer digits`,
          { details: { value: text, float32: Number(float32Text(v)) } },
        );
      }
      if (d !== undefined && Number(v.toFixed(d)) !== v) {
        const unit = meta.unit ? ` ${meta.unit}` : '';
        throw new UsageError(
          'VALUE_TOO_PRECISE',
          `${where}: ${t}${unit} has more decimals than the board keeps (${d}); give ${v.toFixed(d)}${unit} or another value with at most ${d} decimal${d === 1 ? '' : 's'}`,
          { details: { value: text, decimals: d } },
        );
      }
      return v; // parseDecimal gives 0 for "-0": never the float -0.0
    }
    case 'ONOFF': {
      const w = t.toLowerCase();
      if (ON_WORDS.includes(w) || (meta.onState !== undefined && w === meta.onState.toLowerCase())) return 1;
      if (OFF_WORDS.includes(w) || (meta.offState !== undefined && w === meta.offState.toLowerCase())) return 0;
      throw new UsageError('VALUE_NOT_ONOFF', `${where}: "${text}" is not an on/off value; use one of ${onOffWords(meta)}`, {
        details: { value: text, type: meta.type },
      });
    }
    default:
      throw new UsageError(
        'PARAM_NOT_SETTABLE',
        `${where} is of type ${meta.type}, which gemcaen set does not write (only NUMERIC and ONOFF parameters); use the crate's own tools for it`,
        { details: { type: meta.type } },
      );
  }
}

/** The decimals a NUMERIC value is shown with (its Decimal property, at most 6), undefined when the board gives none. */
function shownDecimals(meta: ParamMeta): number | undefined {
  if (meta.decimal === undefined) return undefined;
  return meta.decimal > 0 ? Math.min(meta.decimal, 6) : 0;
}

/**
 * A value as the board shows it: ONOFF by its state word, NUMERIC with the parameter's decimals, or,
 * when the board gives no Decimal property, as the float32 that is sent (a value typed with at most
 * float32 precision, which parseParamValue ensures, shows as typed).
 */
export function formatParamValue(value: number | undefined, meta: ParamMeta): string {
  if (value === undefined || Number.isNaN(value)) return '?';
  if (meta.type === 'ONOFF') return value === 1 ? (meta.onState ?? 'On') : value === 0 ? (meta.offState ?? 'Off') : String(value);
  if (meta.type === 'NUMERIC') {
    const d = shownDecimals(meta);
    return d === undefined ? float32Text(value) : value.toFixed(d);
  }
  return String(value);
}

/** Half a unit of the last decimal the board keeps, at least float32 precision: two values closer than this agree. */
export function tolerance(meta: ParamMeta, value: number): number {
  if (meta.type !== 'NUMERIC') return 0;
  const d = meta.decimal !== undefined && meta.decimal > 0 ? meta.decimal : 0;
  return Math.max(0.5 * 10 ** -d, Math.abs(value) * 2 ** -22);
}
