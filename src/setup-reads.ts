// What a setup reads from its board, the one rule that the poller (src/poll/plan.ts) and
// `gemcaen status` share: its Monitorables split into channel parameters (one GetChParam each),
// board parameters (one GetBdParam each) and values gemcaen derives from channel parameters (Ieq).

/** Monitorables computed by gemcaen rather than read from the board, and the channel parameters they need. */
export const DERIVED: Readonly<Record<string, readonly string[]>> = { Ieq: ['VMon'] };

/** Board parameters a setup may name in Monitorables (read with GetBdParam, written to CAEN_Board), and how they are stored. */
export const BOARD_MONITORABLES: Readonly<Record<string, 'float' | 'int'>> = { Temp: 'float', BdStatus: 'int', HVMax: 'float' };

export interface SetupReads {
  /** channel parameters to read, each once, in Monitorables order (derived ones replaced by what they need) */
  chParams: string[];
  /** board parameters named in Monitorables */
  bdParams: string[];
  /** derived monitorables (Ieq) */
  derived: string[];
}

export function setupReads(monitorables: readonly string[]): SetupReads {
  const reads: SetupReads = { chParams: [], bdParams: [], derived: [] };
  const add = (list: string[], name: string) => {
    if (!list.includes(name)) list.push(name);
  };
  for (const m of monitorables) {
    if (BOARD_MONITORABLES[m] !== undefined) add(reads.bdParams, m);
    else if (DERIVED[m] !== undefined) {
      add(reads.derived, m);
      for (const p of DERIVED[m] ?? []) add(reads.chParams, p);
    } else add(reads.chParams, m);
  }
  return reads;
}
