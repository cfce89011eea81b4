// The text a person types for a number or a channel list, turned into values by one rule, whichever
// door it comes through (the CLI now; the daemon's control requests and the web page take the same
// functions). Pure: no wrapper call, no I/O.
import { UsageError } from '../errors.js';

/** Longest number text accepted (a set point needs a dozen characters; a longer text is a mistake). */
export const MAX_NUMBER_TEXT = 40;

/** Highest channel number a board has (the A1536 has 36, the largest CAEN HV boards fewer than 100). */
export const MAX_CHANNEL = 99;

/** Longest --channel text accepted. */
export const MAX_CHANNEL_TEXT = 400;

export type DecimalResult = { ok: true; value: number } | { ok: false; reason: string };

// sign, digits with an optional point (or a point and digits), an optional exponent of at most 3 digits;
// no hex (0x), binary (0b), octal (0o), separators, Infinity or NaN: JavaScript's Number() takes those
const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?$/;

/**
 * A decimal number as typed ("450", "-0.5", "1.25e3"), as the 32-bit float a CAEN parameter travels
 * as: refused when it is not a plain decimal, when it is too large for a 32-bit float, or when it is
 * not zero but would be sent as 0 (underflow, e.g. "1e-400"). "-0" is 0.
 */
export function parseDecimal(text: string): DecimalResult {
  const t = text.trim();
  if (t === '') return { ok: false, reason: 'it is empty' };
  if (t.length > MAX_NUMBER_TEXT) return { ok: false, reason: `it is longer than ${MAX_NUMBER_TEXT} characters` };
  if (!DECIMAL.test(t)) {
    const radix = /^[+-]?0[xXbBoO]/.test(t) ? ' (hexadecimal, binary and octal are not accepted)' : '';
    return { ok: false, reason: `it is not a decimal number${radix}` };
  }
  const value = Number(t);
  const f = Math.fround(value);
  if (!Number.isFinite(value) || !Number.isFinite(f)) return { ok: false, reason: 'it is too large for the 32-bit float the board takes' };
  const mantissaIsZero = !/[1-9]/.test(t.replace(/[eE].*$/, ''));
  if (!mantissaIsZero && f === 0) return { ok: false, reason: 'it is too small: it would be sent as 0' };
  return { ok: true, value: value === 0 ? 0 : value };
}

/**
 * Parses "3", "0,1,2" or "0-6" (and mixes: "0-2,5") into channel numbers, each once, in the order
 * given; CHANNEL_INVALID for anything else, for a channel above MAX_CHANNEL and for a range that
 * runs backwards. Linear in the length of the text, which is bounded.
 */
export function parseChannelList(text: string): number[] {
  const example = 'give e.g. --channel 3 or --channel 0,1,2 or --channel 0-6';
  if (text.length > MAX_CHANNEL_TEXT) {
    throw new UsageError('CHANNEL_INVALID', `--channel is ${text.length} characters long (at most ${MAX_CHANNEL_TEXT}); ${example}`);
  }
  const out: number[] = [];
  const seen = new Set<number>();
  const number = (digits: string, part: string): number => {
    // a board's channels are 0-99: more than 2 significant digits is no channel (and never a huge loop)
    const significant = digits.replace(/^0+(?=[0-9])/, '');
    const v = significant.length > 2 ? Number.POSITIVE_INFINITY : Number(significant);
    if (v > MAX_CHANNEL) {
      throw new UsageError('CHANNEL_INVALID', `--channel "${shortText(text)}": ${shortText(part)} is above ${MAX_CHANNEL}, the highest channel number of a board; ${example}`, {
        details: { maxChannel: MAX_CHANNEL },
      });
    }
    return v;
  };
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const m = /^([0-9]+)(?:\s*-\s*([0-9]+))?$/.exec(part);
    if (!m) throw new UsageError('CHANNEL_INVALID', `--channel "${shortText(text)}": "${shortText(part)}" is not a channel number; ${example}`);
    const from = number(m[1] as string, part);
    const to = m[2] === undefined ? from : number(m[2], part);
    if (to < from) throw new UsageError('CHANNEL_INVALID', `--channel "${shortText(text)}": range ${part} runs backwards; write ${to}-${from}`);
    for (let c = from; c <= to; c++) {
      if (!seen.has(c)) {
        seen.add(c);
        out.push(c);
      }
    }
  }
  return out;
}

/** A text for a message, cut to 40 characters. */
function shortText(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
