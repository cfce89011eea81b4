// Decoding of CHSTATUS and BDSTATUS words (docs/caen-wrapper.md §8, SY1527/2527/4527/5527 layout). A plain table
// with no import: the binding (src/caen), the CLI and the supervisor's alarms share it.
// N1470, V65XX, DT55XXE and SMARTHV use other layouts and are not decoded here.

export interface StatusBit {
  readonly bit: number;
  /** stable name used in logs, tables and Influx tags */
  readonly name: string;
  readonly description: string;
  /** an alarm condition (trip, over/under, failure) rather than a state (ON, ramping) */
  readonly alarm: boolean;
}

/** Channel Status bits, all 16 of them. Bits 12-15 exist on SY4527/SY5527 only. */
export const CHSTATUS_BITS: readonly StatusBit[] = Object.freeze([
  { bit: 0, name: 'ON', description: 'channel on', alarm: false },
  { bit: 1, name: 'RUP', description: 'ramping up', alarm: false },
  { bit: 2, name: 'RDW', description: 'ramping down', alarm: false },
  { bit: 3, name: 'OVC', description: 'over current', alarm: true },
  { bit: 4, name: 'OVV', description: 'over voltage', alarm: true },
  { bit: 5, name: 'UNV', description: 'under voltage', alarm: true },
  { bit: 6, name: 'EXTTRIP', description: 'external trip', alarm: true },
  { bit: 7, name: 'MAXV', description: 'at hardware maximum voltage', alarm: true },
  { bit: 8, name: 'EXTDIS', description: 'external disable (interlock)', alarm: true },
  { bit: 9, name: 'INTTRIP', description: 'internal trip', alarm: true },
  { bit: 10, name: 'CALIBERR', description: 'calibration error', alarm: true },
  { bit: 11, name: 'UNPLUGGED', description: 'channel unplugged', alarm: true },
  { bit: 12, name: 'UNC', description: 'under current', alarm: true },
  { bit: 13, name: 'OVVPROT', description: 'over voltage protection', alarm: true },
  { bit: 14, name: 'POWERFAIL', description: 'power fail', alarm: true },
  { bit: 15, name: 'TEMPERR', description: 'temperature error', alarm: true },
]);

/** Board Status bits. */
export const BDSTATUS_BITS: readonly StatusBit[] = Object.freeze([
  { bit: 0, name: 'POWERFAIL', description: 'power fail', alarm: true },
  { bit: 1, name: 'FWCHECKERR', description: 'firmware checksum error', alarm: true },
  { bit: 2, name: 'HVCALIBERR', description: 'HV calibration error', alarm: true },
  { bit: 3, name: 'TEMPCALIBERR', description: 'temperature calibration error', alarm: true },
  { bit: 4, name: 'UNDERTEMP', description: 'under temperature', alarm: true },
  { bit: 5, name: 'OVERTEMP', description: 'over temperature', alarm: true },
]);

function decode(word: number, table: readonly StatusBit[]): string[] {
  if (!Number.isInteger(word) || word < 0 || word > 0xffffffff) throw new RangeError(`status word must be a 32-bit unsigned integer, got ${word}`);
  const names: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if ((word >>> bit) & 1) names.push(table[bit]?.name ?? `BIT${bit}`);
  }
  return names;
}

/** Names of the bits set in a channel Status word, lowest bit first; unknown bits as `BIT16`…. */
export function decodeChStatus(word: number): string[] {
  return decode(word, CHSTATUS_BITS);
}

/** Names of the bits set in a board BdStatus word; unknown bits as `BIT6`…. */
export function decodeBdStatus(word: number): string[] {
  return decode(word, BDSTATUS_BITS);
}

/** One short text for a channel Status: "ON RUP", or "OFF" when no bit is set. */
export function formatChStatus(word: number): string {
  const names = decodeChStatus(word);
  return names.length === 0 ? 'OFF' : names.join(' ');
}

/** One short text for a BdStatus: "OVERTEMP", or "OK" when no bit is set. */
export function formatBdStatus(word: number): string {
  const names = decodeBdStatus(word);
  return names.length === 0 ? 'OK' : names.join(' ');
}

const CH_ALARM_MASK = CHSTATUS_BITS.filter((b) => b.alarm).reduce((m, b) => m | (1 << b.bit), 0);

/** True when any alarm bit (everything but ON, RUP, RDW) is set. */
export function chStatusHasAlarm(word: number): boolean {
  return (word & CH_ALARM_MASK) !== 0;
}

/** True when the channel tripped (over current, external or internal trip). */
export function chStatusTripped(word: number): boolean {
  return (word & ((1 << 3) | (1 << 6) | (1 << 9))) !== 0;
}

export function chStatusIsOn(word: number): boolean {
  return (word & 1) !== 0;
}

export function chStatusIsRamping(word: number): boolean {
  return (word & 0b110) !== 0;
}
