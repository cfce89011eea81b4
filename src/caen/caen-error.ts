// The one error class of the binding: a CAENHV_* function returned something other than CAENHV_OK.
import { GemcaenError } from '../errors.js';
import { isConnectionResult, resultKind, resultLabel, resultName, type ResultKind } from './codes.js';

/**
 * A failed wrapper call. Renders as `CAENHV_GetChParam failed: <GetError text> (TIMEERR 4)`, followed by
 * the request in brackets when one was given (`[slot 3, parameter VMon]`); never contains a password.
 *
 * - `code`: stable, `CAEN_<HEADER NAME>` (e.g. `CAEN_TIMEERR`), `CAEN_POWER_SUPPLY_ERROR` for negative
 *   results, `CAEN_UNKNOWN` for numbers the header does not list.
 * - `result`: the CAENHVRESULT number as returned; `resultName`: header name or the two words above.
 * - `kind` / `connectionLost`: see `ResultKind` in codes.ts: whether the owner should reconnect.
 */
export class CaenError extends GemcaenError {
  readonly resultName: string;
  readonly kind: ResultKind;
  /** true when the recovery is DeinitSystem + InitSystem with back-off (connection failures, unknown results) */
  readonly connectionLost: boolean;

  constructor(
    readonly fn: string,
    readonly result: number,
    /** the text of CAENHV_GetError for this handle right after the failure (trimmed) */
    readonly errorText: string,
    /** what was asked, for the message: "slot 3, parameter VMon" */
    readonly request?: string,
  ) {
    const label = resultLabel(result);
    const suffix = request ? ` [${request}]` : '';
    super(`CAEN_${resultName(result)}`, `${fn} failed: ${errorText} (${label})${suffix}`, {
      details: { fn, result, resultName: resultName(result), errorText, ...(request ? { request } : {}) },
    });
    this.resultName = resultName(result);
    this.kind = resultKind(result);
    this.connectionLost = isConnectionResult(result);
    if (this.details) this.details.connectionLost = this.connectionLost;
  }
}

/** True for a CaenError (or its wire shape) whose recovery is a reconnect. */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof CaenError) return err.connectionLost;
  if (typeof err === 'object' && err !== null && 'details' in err) {
    const d = (err as { details?: Record<string, unknown> }).details;
    return d?.connectionLost === true;
  }
  return false;
}
