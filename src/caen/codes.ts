// The numbers of CAENHVWrapper.h: result codes, system and link types, parameter types, units, modes.
// Enum members keep the header's spelling and values (docs/caen-wrapper.md §5, §6). Pure data, no koffi.

/** One CAENHVRESULT of the header: its number, its header name (without `CAENHV_`) and a short meaning. */
export interface ResultCodeInfo {
  readonly value: number;
  readonly name: string;
  readonly message: string;
}

const RESULTS: readonly ResultCodeInfo[] = [
  { value: 0, name: 'OK', message: 'command correctly executed' },
  { value: 1, name: 'SYSERR', message: 'system error in the wrapper or the mainframe' },
  { value: 2, name: 'WRITEERR', message: 'write error in the communication channel' },
  { value: 3, name: 'READERR', message: 'read error in the communication channel' },
  { value: 4, name: 'TIMEERR', message: 'time out in the communication with the mainframe' },
  { value: 5, name: 'DOWN', message: 'CFE server down' },
  { value: 6, name: 'NOTPRES', message: 'system not present (not logged in)' },
  { value: 7, name: 'SLOTNOTPRES', message: 'no board in that slot' },
  { value: 8, name: 'NOSERIAL', message: 'serial communication not available' },
  { value: 9, name: 'MEMORYFAULT', message: 'out of memory' },
  { value: 10, name: 'OUTOFRANGE', message: 'value out of range' },
  { value: 11, name: 'EXECCOMNOTIMPL', message: 'command not implemented' },
  { value: 12, name: 'GETPROPNOTIMPL', message: 'get property not implemented' },
  { value: 13, name: 'SETPROPNOTIMPL', message: 'set property not implemented' },
  { value: 14, name: 'PROPNOTFOUND', message: 'property not found' },
  { value: 15, name: 'EXECNOTFOUND', message: 'command not found' },
  { value: 16, name: 'NOTSYSPROP', message: 'not a system property' },
  { value: 17, name: 'NOTGETPROP', message: 'property cannot be read' },
  { value: 18, name: 'NOTSETPROP', message: 'property cannot be set' },
  { value: 19, name: 'NOTEXECOMM', message: 'not an executable command' },
  { value: 20, name: 'SYSCONFCHANGE', message: 'system configuration changed' },
  { value: 21, name: 'PARAMPROPNOTFOUND', message: 'parameter property not found' },
  { value: 22, name: 'PARAMNOTFOUND', message: 'parameter not found' },
  { value: 23, name: 'NODATA', message: 'no data present' },
  { value: 24, name: 'DEVALREADYOPEN', message: 'device already open in this process (share one handle per mainframe)' },
  { value: 25, name: 'TOOMANYDEVICEOPEN', message: 'too many devices open' },
  { value: 26, name: 'INVALIDPARAMETER', message: 'invalid function parameter (or handle)' },
  { value: 27, name: 'FUNCTIONNOTAVAILABLE', message: 'function not available for this device' },
  { value: 28, name: 'SOCKETERROR', message: 'socket error' },
  { value: 29, name: 'COMMUNICATIONERROR', message: 'communication error' },
  { value: 30, name: 'NOTYETIMPLEMENTED', message: 'not yet implemented' },
  { value: 0x1001, name: 'CONNECTED', message: 'device already connected' },
  { value: 0x1002, name: 'NOTCONNECTED', message: 'device not connected' },
  { value: 0x1003, name: 'OS', message: 'operating system error' },
  { value: 0x1004, name: 'LOGINFAILED', message: 'login failed' },
  { value: 0x1005, name: 'LOGOUTFAILED', message: 'logout failed' },
  { value: 0x1006, name: 'LINKNOTSUPPORTED', message: 'link type not supported' },
  { value: 0x1007, name: 'USERPASSFAILED', message: 'login failed: wrong user name or password' },
];

/** Result codes by number (header values). */
export const RESULT_CODES: ReadonlyMap<number, ResultCodeInfo> = new Map(RESULTS.map((r) => [r.value, r]));

/** `CAENHV_<NAME>` values by header name, e.g. `CAENHVResult.TIMEERR === 4`. */
export const CAENHVResult = Object.freeze(Object.fromEntries(RESULTS.map((r) => [r.name, r.value]))) as Readonly<
  Record<string, number>
>;

/**
 * How a failure should be handled:
 * - `connection`: the link to the mainframe is (probably) broken; the owner should DeinitSystem and
 *   InitSystem again with back-off. Reads can be retried after that; a set is never retried blindly.
 * - `request`: the call itself was wrong (unknown slot/parameter, value out of range, bad credentials,
 *   device already open…); retrying the same call gives the same answer. A person must fix it.
 * - `power-supply`: a negative result: the power supply itself refused or failed the operation. It
 *   answered, so the link is not known to be lost (`connectionLost` is false): report it with its number
 *   and GetError text. A long-running owner still logs in again (recoveryOf).
 * - `unknown`: a number that is in neither table. We cannot tell what state the handle is in, so it is
 *   treated like a connection failure for recovery (reconnect with back-off is safe for reads).
 */
export type ResultKind = 'ok' | 'connection' | 'request' | 'power-supply' | 'unknown';

/**
 * Results that mean the link is lost or unusable. SYSERR is included because the SYx527 returns it
 * when its CFE is wedged (field experience: a reconnect cures it); SYSCONFCHANGE because the
 * crate's board layout changed and the cached parameter metadata must be re-read after a reconnect.
 */
const CONNECTION_RESULTS: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 20, 28, 29, 0x1002, 0x1003]);

export function resultKind(result: number): ResultKind {
  if (result === 0) return 'ok';
  if (result < 0) return 'power-supply';
  if (!RESULT_CODES.has(result)) return 'unknown';
  return CONNECTION_RESULTS.has(result) ? 'connection' : 'request';
}

/**
 * What the long-running owner of a handle (the mainframe worker) does after a failed call, the one
 * classification of a result for recovery:
 * - `reconnect`: DeinitSystem and log in again with back-off: connection failures, unknown results, and
 *   negative results too: the power supply answered, but a SYx527 whose CFE is wedged keeps answering so
 *   until it is logged in again (the original's users saw this), and a read may safely be repeated;
 * - `login-refused`: InitSystem said LOGINFAILED or USERPASSFAILED: bad credentials, or (CAEN's real
 *   library gives the same codes) nothing answering on TCP 2527: the caller must find out which
 *   (caen/reachable.ts explainLoginFailure);
 * - `board-absent`: SLOTNOTPRES: pause what reads that slot;
 * - `request`: the call itself was wrong (unknown parameter, value out of range…): retrying gives the same.
 */
export type Recovery = 'reconnect' | 'login-refused' | 'board-absent' | 'request';

export function recoveryOf(result: number): Recovery {
  if (result === CAENHVResult.LOGINFAILED || result === CAENHVResult.USERPASSFAILED) return 'login-refused';
  if (result === CAENHVResult.SLOTNOTPRES) return 'board-absent';
  return resultKind(result) === 'request' ? 'request' : 'reconnect';
}

/** True when recovering means reconnecting (connection failures and unknown results). */
export function isConnectionResult(result: number): boolean {
  const kind = resultKind(result);
  return kind === 'connection' || kind === 'unknown';
}

/** The header name of a result (`TIMEERR`), or `POWER_SUPPLY_ERROR` / `UNKNOWN` for the others. */
export function resultName(result: number): string {
  if (result < 0) return 'POWER_SUPPLY_ERROR';
  return RESULT_CODES.get(result)?.name ?? 'UNKNOWN';
}

/** The result as shown to a person: "TIMEERR 4", "NOTCONNECTED 0x1002", "power-supply error -3", "unknown result 777". */
export function resultLabel(result: number): string {
  if (result < 0) return `power-supply error ${result}`;
  const info = RESULT_CODES.get(result);
  if (!info) return `unknown result ${result}`;
  return result >= 0x1000 ? `${info.name} 0x${result.toString(16)}` : `${info.name} ${result}`;
}

/** The table's meaning of a result, used when GetError gives no text. */
export function resultMessage(result: number): string {
  if (result < 0) return 'error reported by the power supply';
  return RESULT_CODES.get(result)?.message ?? 'result not listed in CAENHVWrapper.h';
}

/** CAENHV_SYSTEM_TYPE_t */
export const CAENHV_SYSTEM_TYPE = Object.freeze({
  SY1527: 0,
  SY2527: 1,
  SY4527: 2,
  SY5527: 3,
  N568: 4,
  V65XX: 5,
  N1470: 6,
  V8100: 7,
  N568E: 8,
  DT55XX: 9,
  FTK: 10,
  DT55XXE: 11,
  N1068: 12,
  SMARTHV: 13,
  NGPS: 14,
  N1168: 15,
  R6060: 16,
} as const);
export type SystemTypeName = keyof typeof CAENHV_SYSTEM_TYPE;

/** LinkType values (the header's LINKTYPE_* defines). */
export const CAENHV_LINK_TYPE = Object.freeze({
  TCPIP: 0,
  RS232: 1,
  CAENET: 2,
  USB: 3,
  OPTLINK: 4,
  USB_VCP: 5,
  USB3: 6,
  A4818: 7,
} as const);
export type LinkTypeName = keyof typeof CAENHV_LINK_TYPE;

/** PARAM_TYPE_* */
export const PARAM_TYPE = Object.freeze({
  NUMERIC: 0,
  ONOFF: 1,
  CHSTATUS: 2,
  BDSTATUS: 3,
  BINARY: 4,
  STRING: 5,
  ENUM: 6,
  CMD: 7,
} as const);
export type ParamTypeName = keyof typeof PARAM_TYPE;

/** PARAM_MODE_* */
export const PARAM_MODE = Object.freeze({ RDONLY: 0, WRONLY: 1, RDWR: 2 } as const);
export type ParamModeName = keyof typeof PARAM_MODE;

/** PARAM_UN_* unit codes, with the symbol shown to people. */
export const PARAM_UNIT = Object.freeze({
  NONE: 0,
  AMPERE: 1,
  VOLT: 2,
  WATT: 3,
  CELSIUS: 4,
  HERTZ: 5,
  BAR: 6,
  VPS: 7,
  SECOND: 8,
  RPM: 9,
  COUNT: 10,
  BIT: 11,
  APS: 12,
} as const);
export type ParamUnitName = keyof typeof PARAM_UNIT;
export const UNIT_SYMBOL: Readonly<Record<number, string>> = Object.freeze({
  0: '',
  1: 'A',
  2: 'V',
  3: 'W',
  4: '°C',
  5: 'Hz',
  6: 'bar',
  7: 'V/s',
  8: 's',
  9: 'rpm',
  10: 'count',
  11: 'bit',
  12: 'A/s',
});

/** SYSPROP_TYPE_*: how the value buffer of GetSysProp/SetSysProp is laid out. */
export const SYSPROP_TYPE = Object.freeze({
  STR: 0,
  REAL: 1,
  UINT2: 2,
  UINT4: 3,
  INT2: 4,
  INT4: 5,
  BOOLEAN: 6,
} as const);
export type SysPropTypeName = keyof typeof SYSPROP_TYPE;

/** SYSPROP_MODE_* */
export const SYSPROP_MODE = Object.freeze({ RDONLY: 0, WRONLY: 1, RDWR: 2 } as const);

/** Reverse lookup: the name of a value in one of the tables above, or undefined. */
export function nameOf<T extends Readonly<Record<string, number>>>(table: T, value: number): keyof T | undefined {
  for (const [k, v] of Object.entries(table)) if (v === value) return k as keyof T;
  return undefined;
}

/** Systems on which SetChParam uses only the first element of the value array (docs/caen-wrapper.md §3). */
export const SET_USES_FIRST_VALUE_ONLY: ReadonlySet<SystemTypeName> = new Set(['SY4527', 'R6060']);
