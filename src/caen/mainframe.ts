// One mainframe handle: InitSystem … DeinitSystem, and every read/write gemcaen makes through it.
// All calls are synchronous (koffi) and must come from the one thread that owns the handle.
// Cost rules (docs/caen-wrapper.md §3, §4): one GetChParam per (slot, parameter) for a whole channel list, one
// GetBdParam per parameter for a list of slots, parameter properties read once per connection.
import { GemcaenError, UsageError } from '../errors.js';
import { CaenError } from './caen-error.js';
import {
  CAENHV_LINK_TYPE,
  CAENHV_SYSTEM_TYPE,
  CAENHVResult,
  PARAM_MODE,
  PARAM_TYPE,
  SYSPROP_MODE,
  SYSPROP_TYPE,
  UNIT_SYMBOL,
  nameOf,
  resultMessage,
  type LinkTypeName,
  type SystemTypeName,
} from './codes.js';
import { cString, decodePacked, decodeRecords, firmwareText, ValueBuffer, type ValueKind } from './decode.js';
import { getEventData, type EventBatch, type EventValueKind } from './events.js';
import { CaenLibrary, copyBytes, copyPacked, copyRecordsUntilEmpty, type CPointer, type CaenFunctions } from './library.js';
import type { BoardInfo, LoginOptions, ParamMeta, SysPropInfo } from './types.js';

export type { BoardInfo, LoginOptions, ParamMeta, SysPropInfo } from './types.js';

/** Size of the caller buffer for one property value (Onstate/Offstate need ≥ 30 bytes). */
const PROP_BUFFER = 64;
/** Size of the caller buffer for a system property (STR values: 1024 is safe). */
const SYSPROP_BUFFER = 4096;
/** Channel name records of GetChName: 12 bytes (names ≤ 11 chars). */
const CH_NAME_RECORD = 12;
/** Parameter name records of GetChParamInfo/GetBdParamInfo: 10 bytes (names ≤ 9 chars). */
const PARAM_NAME_RECORD = 10;

const HINTS: Readonly<Record<number, string>> = {
  // the code alone cannot tell these apart (docs/caen-wrapper.md §11): reachable.ts asks TCP 2527
  [CAENHVResult.USERPASSFAILED]: 'wrong CAENHV_USER/CAENHV_PASSWORD, or a crate that is off, unreachable or still booting',
  [CAENHVResult.LOGINFAILED]: 'a crate that is off or unreachable, or wrong CAENHV_USER/CAENHV_PASSWORD',
  [CAENHVResult.LINKNOTSUPPORTED]: 'check CAENHV_LINK_TYPE',
};

function checkU16(what: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${what} must be an integer 0..65535, got ${v}`);
}

function checkList(what: string, list: readonly number[]): void {
  if (list.length === 0) throw new RangeError(`${what} must not be empty`);
  if (list.length > 0xffff) throw new RangeError(`${what} has more than 65535 entries`);
  for (const v of list) checkU16(what, v);
}

type SubscriptionFn =
  | 'CAENHV_SubscribeSystemParams'
  | 'CAENHV_SubscribeBoardParams'
  | 'CAENHV_SubscribeChannelParams'
  | 'CAENHV_UnSubscribeSystemParams'
  | 'CAENHV_UnSubscribeBoardParams'
  | 'CAENHV_UnSubscribeChannelParams';

/** "0-6", "0 2 5-7": a channel list as a person reads it. */
export function listText(list: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < list.length; ) {
    let j = i;
    while (j + 1 < list.length && list[j + 1] === (list[j] as number) + 1) j++;
    parts.push(j > i + 1 ? `${list[i]}-${list[j]}` : j === i + 1 ? `${list[i]} ${list[j]}` : `${list[i]}`);
    i = j + 1;
  }
  return parts.join(' ');
}

/** A mainframe connection. Construct with `CaenMainframe.connect`. */
export class CaenMainframe {
  readonly #lib: CaenLibrary;
  readonly #handle: number;
  readonly systemType: SystemTypeName;
  readonly linkType: LinkTypeName;
  readonly address: string;
  #open = true;
  #calls = 0;
  readonly #callsByFunction = new Map<string, number>();
  /** parameter properties by slot, then parameter name (no key string built per read) */
  readonly #chMeta = new Map<number, Map<string, ParamMeta>>();
  readonly #bdMeta = new Map<number, Map<string, ParamMeta>>();
  readonly #sysPropInfo = new Map<string, SysPropInfo>();
  #serialBytes: 2 | 4 | undefined;
  readonly #lists = new WeakMap<readonly number[], Uint16Array>();
  #scratch = new ValueBuffer(256);

  private constructor(lib: CaenLibrary, handle: number, systemType: SystemTypeName, linkType: LinkTypeName, address: string) {
    this.#lib = lib;
    this.#handle = handle;
    this.systemType = systemType;
    this.linkType = linkType;
    this.address = address;
  }

  /**
   * Binding of CAENHV_InitSystem(). `systemType`/`linkType` are header names (SY4527, TCPIP); `address`
   * is passed as Arg unchanged. Throws CaenError (`CAEN_USERPASSFAILED`, `CAEN_DEVALREADYOPEN`…) or
   * UsageError for an unknown system/link type name. The password never appears in an error.
   */
  static connect(lib: CaenLibrary, login: LoginOptions): CaenMainframe {
    const system = CAENHV_SYSTEM_TYPE[login.systemType as SystemTypeName];
    if (system === undefined) {
      throw new UsageError('UNKNOWN_SYSTEM_TYPE', `unknown CAEN system type "${login.systemType}"; use one of ${Object.keys(CAENHV_SYSTEM_TYPE).join(', ')}`);
    }
    const link = CAENHV_LINK_TYPE[login.linkType as LinkTypeName];
    if (link === undefined) {
      throw new UsageError('UNKNOWN_LINK_TYPE', `unknown CAEN link type "${login.linkType}"; use one of ${Object.keys(CAENHV_LINK_TYPE).join(', ')}`);
    }
    const out: [number] = [-1];
    const result = lib.fn('CAENHV_InitSystem')(system, link, login.address, login.user, login.password, out);
    if (result !== 0) {
      // After a failed InitSystem the handle is -1 and GetError gives only " Connection failed ":
      // the result's meaning is added so that the message says what went wrong.
      const errorText = lib.errorText(out[0]);
      const text = errorText === '' || /^connection failed$/i.test(errorText) ? `${errorText || 'connection failed'}: ${resultMessage(result)}` : errorText;
      const hint = HINTS[result];
      throw new CaenError(
        'CAENHV_InitSystem',
        result,
        text,
        `${login.systemType} ${login.linkType} ${login.address}, user ${login.user}${hint ? `; ${hint}` : ''}`,
      );
    }
    return new CaenMainframe(lib, out[0], login.systemType as SystemTypeName, login.linkType as LinkTypeName, login.address);
  }

  get handle(): number {
    return this.#handle;
  }

  get library(): CaenLibrary {
    return this.#lib;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Wrapper calls made through this handle (every CAENHV_* call except GetError and Free). */
  get calls(): number {
    return this.#calls;
  }

  /** The same count, per C function name. */
  callsByFunction(): Record<string, number> {
    return Object.fromEntries(this.#callsByFunction);
  }

  /**
   * Calls `fn` of the library, counts it, and throws CaenError with the GetError text on a non-zero result.
   * `request` says what was asked, for the error; a function is called only when there is an error.
   */
  #call<K extends keyof CaenFunctions>(name: K, request: string | undefined | (() => string), invoke: (f: CaenFunctions[K]) => number): void {
    const result = invoke(this.#fn(name));
    if (result !== 0) this.#fail(name, result, typeof request === 'function' ? request() : request);
  }

  /** The C function `name` for a call about to be made: refused on a closed handle, counted. */
  #fn<K extends keyof CaenFunctions>(name: K): CaenFunctions[K] {
    if (!this.#open) {
      throw new GemcaenError('MAINFRAME_CLOSED', `${name} called on a closed handle for ${this.address}`, { details: { fn: name } });
    }
    const f = this.#lib.fn(name);
    this.#calls++;
    this.#callsByFunction.set(name, (this.#callsByFunction.get(name) ?? 0) + 1);
    return f;
  }

  /** A call returned `result` (non-zero): the CaenError with the library's text for it. */
  #fail(name: keyof CaenFunctions, result: number, request: string | undefined): never {
    if (result === CAENHVResult.SYSCONFCHANGE) this.clearMetaCache();
    throw new CaenError(name, result, this.#lib.errorText(this.#handle) || 'no error text', request);
  }

  /**
   * A channel or slot list as the C array the wrapper reads, checked once: the poller passes the same
   * array every scan, so its Uint16Array is kept (and used again only while the array holds the same numbers).
   */
  #list(what: string, list: readonly number[]): Uint16Array {
    const known = this.#lists.get(list);
    if (known && sameNumbers(known, list)) return known;
    checkList(what, list);
    const array = Uint16Array.from(list);
    this.#lists.set(list, array);
    return array;
  }

  /** The value buffer for `count` 4-byte values, zeroed, reused from call to call (decoded before the next call). */
  #values(count: number): ValueBuffer {
    if (this.#scratch.capacity < count) this.#scratch = new ValueBuffer(Math.max(count, 2 * this.#scratch.capacity));
    this.#scratch.zero(count);
    return this.#scratch;
  }

  /** Binding of CAENHV_DeinitSystem(). Idempotent; never throws: returns the error (a CaenError), if any. */
  deinit(): GemcaenError | undefined {
    if (!this.#open) return undefined;
    try {
      this.#call('CAENHV_DeinitSystem', this.address, (f) => f(this.#handle));
      return undefined;
    } catch (err) {
      return err instanceof GemcaenError ? err : new GemcaenError('INTERNAL', `CAENHV_DeinitSystem: ${String(err)}`);
    } finally {
      this.#open = false;
      this.clearMetaCache();
      this.#sysPropInfo.clear();
    }
  }

  // ---- crate ----

  /**
   * Binding of CAENHV_GetCrateMap(). Occupied slots only unless `includeEmpty`. All six lib-alloc lists
   * are freed in `finally`. SerNumList is ushort (uint32 from wrapper release 7 on).
   */
  crateMap(options: { includeEmpty?: boolean } = {}): BoardInfo[] {
    const nSlots: [number] = [0];
    const lists: [CPointer][] = [[null], [null], [null], [null], [null], [null]];
    const [chs, models, descs, serials, fwMin, fwMax] = lists as [[CPointer], [CPointer], [CPointer], [CPointer], [CPointer], [CPointer]];
    try {
      this.#call('CAENHV_GetCrateMap', this.address, (f) => f(this.#handle, nSlots, chs, models, descs, serials, fwMin, fwMax));
      const n = nSlots[0];
      if (n === 0) return [];
      if (!chs[0] || !models[0] || !descs[0] || !serials[0] || !fwMin[0] || !fwMax[0]) {
        throw new GemcaenError('CAEN_BAD_REPLY', `CAENHV_GetCrateMap returned OK with a NULL list for ${n} slots`);
      }
      const serialBytes = this.#serialWidth();
      const chBuf = copyBytes(chs[0], n * 2);
      const serBuf = copyBytes(serials[0], n * serialBytes);
      const minBuf = copyBytes(fwMin[0], n);
      const maxBuf = copyBytes(fwMax[0], n);
      const modelNames = decodePacked(copyPacked(models[0], n), n);
      const descTexts = decodePacked(copyPacked(descs[0], n), n);
      const boards: BoardInfo[] = [];
      for (let slot = 0; slot < n; slot++) {
        const board: BoardInfo = {
          slot,
          model: (modelNames[slot] ?? '').trim(),
          description: (descTexts[slot] ?? '').trim(),
          channels: chBuf.readUInt16LE(slot * 2),
          serial: serialBytes === 4 ? serBuf.readUInt32LE(slot * 4) : serBuf.readUInt16LE(slot * 2),
          firmware: firmwareText(maxBuf[slot] ?? 0, minBuf[slot] ?? 0),
        };
        if (options.includeEmpty || board.model !== '' || board.channels > 0) boards.push(board);
      }
      return boards;
    } finally {
      for (const p of lists) this.#lib.free(p[0]);
    }
  }

  #serialWidth(): 2 | 4 {
    if (this.#serialBytes === undefined) {
      const major = Number.parseInt(this.#lib.swRelease(), 10);
      this.#serialBytes = Number.isFinite(major) && major >= 7 ? 4 : 2;
    }
    return this.#serialBytes;
  }

  /** Binding of CAENHV_TestBdPresence(): the board in `slot`, or undefined for an empty slot (SLOTNOTPRES). */
  boardPresence(slot: number): BoardInfo | undefined {
    checkU16('slot', slot);
    const nCh: [number] = [0];
    const model: [CPointer] = [null];
    const desc: [CPointer] = [null];
    const serial: [number] = [0];
    const fwMin: [number] = [0];
    const fwMax: [number] = [0];
    try {
      this.#call('CAENHV_TestBdPresence', `slot ${slot}`, (f) => f(this.#handle, slot, nCh, model, desc, serial, fwMin, fwMax));
    } catch (err) {
      this.#lib.free(model[0]);
      this.#lib.free(desc[0]);
      if (err instanceof CaenError && err.result === CAENHVResult.SLOTNOTPRES) return undefined;
      throw err;
    }
    try {
      const board: BoardInfo = {
        slot,
        model: model[0] ? (decodePacked(copyPacked(model[0], 1), 1)[0] ?? '').trim() : '',
        description: desc[0] ? (decodePacked(copyPacked(desc[0], 1), 1)[0] ?? '').trim() : '',
        channels: nCh[0],
        serial: serial[0],
        firmware: firmwareText(fwMax[0], fwMin[0]),
      };
      return board.model === '' && board.channels === 0 ? undefined : board;
    } finally {
      this.#lib.free(model[0]);
      this.#lib.free(desc[0]);
    }
  }

  // ---- system properties ----

  /** Binding of CAENHV_GetSysPropList(): the names of the system properties (lib-alloc, freed). */
  sysPropList(): string[] {
    return this.#packedNames('CAENHV_GetSysPropList');
  }

  /** The two calls that answer a count and a lib-alloc list of packed names; the list is freed. */
  #packedNames(name: 'CAENHV_GetSysPropList' | 'CAENHV_GetExecCommList'): string[] {
    const n: [number] = [0];
    const list: [CPointer] = [null];
    try {
      this.#call(name, undefined, (f) => f(this.#handle, n, list));
      if (n[0] === 0 || !list[0]) return [];
      return decodePacked(copyPacked(list[0], n[0]), n[0]);
    } finally {
      this.#lib.free(list[0]);
    }
  }

  /** Binding of CAENHV_GetSysPropInfo(); cached per connection. */
  sysPropInfo(name: string): SysPropInfo {
    const known = this.#sysPropInfo.get(name);
    if (known) return known;
    const mode: [number] = [0];
    const type: [number] = [0];
    this.#call('CAENHV_GetSysPropInfo', `property ${name}`, (f) => f(this.#handle, name, mode, type));
    const info: SysPropInfo = { name, mode: mode[0], type: type[0] };
    this.#sysPropInfo.set(name, info);
    return info;
  }

  /** Binding of CAENHV_GetSysProp(): the value decoded by the property's SYSPROP type. */
  sysProp(name: string): string | number {
    const { type } = this.sysPropInfo(name);
    const buf = Buffer.alloc(SYSPROP_BUFFER);
    this.#call('CAENHV_GetSysProp', `property ${name}`, (f) => f(this.#handle, name, buf));
    switch (type) {
      case SYSPROP_TYPE.STR:
        return cString(buf);
      case SYSPROP_TYPE.REAL:
        return buf.readFloatLE(0);
      case SYSPROP_TYPE.UINT2:
        return buf.readUInt16LE(0);
      case SYSPROP_TYPE.INT2:
        return buf.readInt16LE(0);
      case SYSPROP_TYPE.INT4:
        return buf.readInt32LE(0);
      case SYSPROP_TYPE.UINT4:
      case SYSPROP_TYPE.BOOLEAN:
        return buf.readUInt32LE(0);
      default:
        throw new GemcaenError('CAEN_BAD_REPLY', `system property ${name} has unknown type ${type}`);
    }
  }

  /**
   * Every readable system property by name. A property the crate refuses to read (a request-kind
   * CaenError) is left out; a connection failure is thrown.
   */
  sysProps(): Record<string, string | number> {
    const out: Record<string, string | number> = {};
    for (const name of this.sysPropList()) {
      try {
        if (this.sysPropInfo(name).mode === SYSPROP_MODE.WRONLY) continue;
        out[name] = this.sysProp(name);
      } catch (err) {
        if (err instanceof CaenError && !err.connectionLost) continue;
        throw err;
      }
    }
    return out;
  }

  // ---- parameter metadata ----

  /** Binding of CAENHV_GetChParamInfo(): parameter names of a channel (10-byte records, lib-alloc, freed). */
  chParamNames(slot: number, channel: number): string[] {
    checkU16('slot', slot);
    checkU16('channel', channel);
    const list: [CPointer] = [null];
    const count: [number] = [0];
    try {
      this.#call('CAENHV_GetChParamInfo', `slot ${slot}, channel ${channel}`, (f) => f(this.#handle, slot, channel, list, count));
      if (!list[0]) return [];
      // ParNumber counts the records; a count outside 1..4096 is not trusted and the list is read up to its empty record
      const counted = count[0] > 0 && count[0] <= 4096;
      const buf = counted ? copyBytes(list[0], count[0] * PARAM_NAME_RECORD) : copyRecordsUntilEmpty(list[0], PARAM_NAME_RECORD);
      return decodeRecords(buf, PARAM_NAME_RECORD, counted ? count[0] : undefined);
    } finally {
      this.#lib.free(list[0]);
    }
  }

  /** Binding of CAENHV_GetBdParamInfo(): board parameter names (10-byte records up to an empty one, freed). */
  bdParamNames(slot: number): string[] {
    checkU16('slot', slot);
    const list: [CPointer] = [null];
    try {
      this.#call('CAENHV_GetBdParamInfo', `slot ${slot}`, (f) => f(this.#handle, slot, list));
      if (!list[0]) return [];
      return decodeRecords(copyRecordsUntilEmpty(list[0], PARAM_NAME_RECORD), PARAM_NAME_RECORD);
    } finally {
      this.#lib.free(list[0]);
    }
  }

  /**
   * The properties of a channel parameter (CAENHV_GetChParamProp: Type, Mode, then Minval, Maxval, Unit,
   * Exp, Decimal for NUMERIC, Onstate/Offstate for ONOFF, Minval/Maxval for ENUM). Read from `channel`
   * once per connection and cached by slot+parameter; a property the parameter lacks is left out.
   */
  paramMeta(slot: number, param: string, channel = 0): ParamMeta {
    const known = this.#chMeta.get(slot)?.get(param);
    if (known) return known;
    checkU16('slot', slot);
    checkU16('channel', channel);
    const meta = this.#readMeta(param, (prop, buf) =>
      this.#call('CAENHV_GetChParamProp', `slot ${slot}, channel ${channel}, parameter ${param}, property ${prop}`, (f) =>
        f(this.#handle, slot, channel, param, prop, buf),
      ),
    );
    metaOfSlot(this.#chMeta, slot).set(param, meta);
    return meta;
  }

  /** The properties of a board parameter (CAENHV_GetBdParamProp), cached by slot+parameter. */
  bdParamMeta(slot: number, param: string): ParamMeta {
    const known = this.#bdMeta.get(slot)?.get(param);
    if (known) return known;
    checkU16('slot', slot);
    const meta = this.#readMeta(param, (prop, buf) =>
      this.#call('CAENHV_GetBdParamProp', `slot ${slot}, board parameter ${param}, property ${prop}`, (f) =>
        f(this.#handle, slot, param, prop, buf),
      ),
    );
    metaOfSlot(this.#bdMeta, slot).set(param, meta);
    return meta;
  }

  #readMeta(param: string, readProp: (prop: string, buf: Buffer) => void): ParamMeta {
    const buf = Buffer.alloc(PROP_BUFFER);
    /** Reads one property; undefined when the parameter lacks it (PARAMPROPNOTFOUND). */
    const prop = (name: string): Buffer | undefined => {
      buf.fill(0);
      try {
        readProp(name, buf);
        return buf;
      } catch (err) {
        if (err instanceof CaenError && err.result === CAENHVResult.PARAMPROPNOTFOUND) return undefined;
        throw err;
      }
    };
    readProp('Type', buf.fill(0)); // every parameter has a Type: a failure here is thrown as is
    const typeCode = buf.readUInt32LE(0);
    const modeCode = prop('Mode')?.readUInt32LE(0);
    const meta: ParamMeta = {
      name: param,
      type: nameOf(PARAM_TYPE, typeCode) ?? 'UNKNOWN',
      typeCode,
      mode: modeCode === undefined ? 'UNKNOWN' : (nameOf(PARAM_MODE, modeCode) ?? 'UNKNOWN'),
    };
    if (typeCode === PARAM_TYPE.NUMERIC || typeCode === PARAM_TYPE.ENUM) {
      const min = prop('Minval')?.readFloatLE(0);
      if (min !== undefined) meta.min = min;
      const max = prop('Maxval')?.readFloatLE(0);
      if (max !== undefined) meta.max = max;
    }
    if (typeCode === PARAM_TYPE.NUMERIC) {
      const unit = prop('Unit')?.readUInt16LE(0);
      if (unit !== undefined) {
        meta.unitCode = unit;
        meta.unit = UNIT_SYMBOL[unit] ?? `unit ${unit}`;
      }
      const exp = prop('Exp')?.readInt16LE(0);
      if (exp !== undefined) meta.exp = exp;
      const decimal = prop('Decimal')?.readInt16LE(0);
      if (decimal !== undefined) meta.decimal = decimal;
    }
    if (typeCode === PARAM_TYPE.ONOFF) {
      const on = prop('Onstate');
      if (on) meta.onState = cString(on);
      const off = prop('Offstate');
      if (off) meta.offState = cString(off);
    }
    return meta;
  }

  /** Forgets cached parameter properties (all, or one slot's): call after a board change. Reconnecting starts empty. */
  clearMetaCache(slot?: number): void {
    if (slot === undefined) {
      this.#chMeta.clear();
      this.#bdMeta.clear();
      return;
    }
    this.#chMeta.delete(slot);
    this.#bdMeta.delete(slot);
  }

  // ---- channel parameters ----

  /**
   * Binding of CAENHV_GetChParam(): `param` of every listed channel in ONE call. NUMERIC → float32,
   * ONOFF/CHSTATUS/BDSTATUS/BINARY → uint32, ENUM → int32, by the parameter's Type (cached).
   */
  readChParam(slot: number, param: string, channels: readonly number[]): number[] {
    checkU16('slot', slot);
    const list = this.#list('channels', channels);
    const meta = this.paramMeta(slot, param, channels[0]);
    const kind = valueKind(meta, slot, param);
    const n = channels.length;
    const values = this.#values(n);
    // the hot path of every scan: no closure, no string unless the call fails
    const result = this.#fn('CAENHV_GetChParam')(this.#handle, slot, param, n, list, values.bytes);
    if (result !== 0) this.#fail('CAENHV_GetChParam', result, `slot ${slot}, parameter ${param}, channels ${listText(channels)}`);
    return values.decode(kind, n);
  }

  /** Several parameters of the same channels: one GetChParam per parameter. */
  readChParams(slot: number, params: readonly string[], channels: readonly number[]): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const p of params) out[p] = this.readChParam(slot, p, channels);
    return out;
  }

  /**
   * Binding of CAENHV_SetChParam(): sets `param` of every listed channel to `value` in ONE call. The value
   * is passed repeated once per channel (SY4527/R6060 read only the first element, the others one per
   * channel). Refused before any call (UsageError) when the parameter is read-only, the value is not a
   * finite number, outside [Minval, Maxval], or not 0/1 for ONOFF.
   */
  writeChParam(slot: number, param: string, channels: readonly number[], value: number): void {
    checkU16('slot', slot);
    checkList('channels', channels);
    const meta = this.paramMeta(slot, param, channels[0]);
    const where = `slot ${slot} channel${channels.length > 1 ? 's' : ''} ${listText(channels)} ${param}`;
    const values = encodeValue(meta, value, channels.length, where);
    const list = Uint16Array.from(channels);
    this.#call('CAENHV_SetChParam', `slot ${slot}, parameter ${param}, channels ${listText(channels)}, value ${value}`, (f) =>
      f(this.#handle, slot, param, channels.length, list, values),
    );
  }

  /**
   * Binding of CAENHV_GetChName(): names of the listed channels in one call. The caller buffer holds
   * (N + 1) × 12 bytes, as CAEN's own binding allocates it: the library may write an empty record after the last.
   */
  channelNames(slot: number, channels: readonly number[]): string[] {
    checkU16('slot', slot);
    checkList('channels', channels);
    const list = Uint16Array.from(channels);
    const names = Buffer.alloc((channels.length + 1) * CH_NAME_RECORD);
    this.#call('CAENHV_GetChName', `slot ${slot}, channels ${listText(channels)}`, (f) => f(this.#handle, slot, channels.length, list, names));
    return decodeRecords(names, CH_NAME_RECORD, channels.length);
  }

  /** Binding of CAENHV_SetChName(): gives every listed channel the same name (≤ 11 characters). */
  setChannelName(slot: number, channels: readonly number[], name: string): void {
    checkU16('slot', slot);
    checkList('channels', channels);
    if (Buffer.byteLength(name, 'latin1') > CH_NAME_RECORD - 1 || name.includes('\u0000')) {
      throw new UsageError('CHANNEL_NAME_TOO_LONG', `channel name "${name}" is longer than ${CH_NAME_RECORD - 1} characters`);
    }
    const list = Uint16Array.from(channels);
    this.#call('CAENHV_SetChName', `slot ${slot}, channels ${listText(channels)}`, (f) => f(this.#handle, slot, channels.length, list, name));
  }

  // ---- board parameters ----

  /**
   * Binding of CAENHV_GetBdParam(): `param` of every listed slot in ONE call, every value decoded by the
   * Type of the first slot's parameter (list only slots whose boards share it; gemcaen reads one slot).
   */
  readBdParam(slots: readonly number[], param: string): number[] {
    const list = this.#list('slots', slots);
    const meta = this.bdParamMeta(slots[0] as number, param);
    const kind = valueKind(meta, undefined, param);
    const n = slots.length;
    const values = this.#values(n);
    const result = this.#fn('CAENHV_GetBdParam')(this.#handle, n, list, param, values.bytes);
    if (result !== 0) this.#fail('CAENHV_GetBdParam', result, `slots ${listText(slots)}, board parameter ${param}`);
    return values.decode(kind, n);
  }

  // ---- commands ----

  /** Binding of CAENHV_GetExecCommList(): names of the mainframe commands (lib-alloc, freed). */
  commands(): string[] {
    return this.#packedNames('CAENHV_GetExecCommList');
  }

  /** Binding of CAENHV_ExecComm(): runs a mainframe command ("ClearAlarm", "Kill"). */
  execComm(name: string): void {
    this.#call('CAENHV_ExecComm', `command ${name}`, (f) => f(this.#handle, name));
  }

  // ---- event mode (WRAPPER.md §10) ----

  /**
   * Shared by the six (Un)Subscribe bindings: names joined with ":", one result byte per name (0 accepted).
   * `port` is the client's listening port 0..65535, passed through the C short as the header wants.
   * Returns the per-name codes; throws CaenError when the call itself fails.
   */
  #subscription<K extends SubscriptionFn>(
    name: K,
    port: number,
    names: readonly string[],
    request: string,
    invoke: (f: CaenFunctions[K], port16: number, joined: string, codes: Buffer) => number,
  ): number[] {
    checkU16('port', port);
    if (names.length === 0) throw new RangeError('names must not be empty');
    const codes = Buffer.alloc(names.length, 0x7f);
    const port16 = port > 0x7fff ? port - 0x10000 : port;
    const joined = names.join(':');
    this.#call(name, `${request}, ${joined}, port ${port}`, (f) => invoke(f, port16, joined, codes));
    return [...codes].map((c) => (c > 127 ? c - 256 : c));
  }

  /** Binding of CAENHV_SubscribeSystemParams(): one code per name (0 accepted). */
  subscribeSystemParams(port: number, names: readonly string[]): number[] {
    return this.#subscription('CAENHV_SubscribeSystemParams', port, names, 'system', (f, p, j, c) => f(this.#handle, p, j, names.length, c));
  }

  /** Binding of CAENHV_SubscribeBoardParams(). */
  subscribeBoardParams(port: number, slot: number, names: readonly string[]): number[] {
    checkU16('slot', slot);
    return this.#subscription('CAENHV_SubscribeBoardParams', port, names, `slot ${slot}`, (f, p, j, c) => f(this.#handle, p, slot, j, names.length, c));
  }

  /** Binding of CAENHV_SubscribeChannelParams(); the channel item `Name` may be among the names. */
  subscribeChannelParams(port: number, slot: number, channel: number, names: readonly string[]): number[] {
    checkU16('slot', slot);
    checkU16('channel', channel);
    return this.#subscription('CAENHV_SubscribeChannelParams', port, names, `slot ${slot} channel ${channel}`, (f, p, j, c) => f(this.#handle, p, slot, channel, j, names.length, c));
  }

  /** Binding of CAENHV_UnSubscribeSystemParams(). */
  unsubscribeSystemParams(port: number, names: readonly string[]): number[] {
    return this.#subscription('CAENHV_UnSubscribeSystemParams', port, names, 'system', (f, p, j, c) => f(this.#handle, p, j, names.length, c));
  }

  /** Binding of CAENHV_UnSubscribeBoardParams(). */
  unsubscribeBoardParams(port: number, slot: number, names: readonly string[]): number[] {
    checkU16('slot', slot);
    return this.#subscription('CAENHV_UnSubscribeBoardParams', port, names, `slot ${slot}`, (f, p, j, c) => f(this.#handle, p, slot, j, names.length, c));
  }

  /** Binding of CAENHV_UnSubscribeChannelParams(). */
  unsubscribeChannelParams(port: number, slot: number, channel: number, names: readonly string[]): number[] {
    checkU16('slot', slot);
    checkU16('channel', channel);
    return this.#subscription('CAENHV_UnSubscribeChannelParams', port, names, `slot ${slot} channel ${channel}`, (f, p, j, c) => f(this.#handle, p, slot, channel, j, names.length, c));
  }

  /**
   * Binding of CAENHV_GetEventData() on the socket accepted from this crate's event connection (see
   * events.ts): one batch, values decoded by `kindOf`, the array freed. Counted like the other calls.
   */
  readEvents(socket: number, kindOf: (board: number, channel: number, item: string) => EventValueKind | undefined): EventBatch {
    this.#calls++;
    this.#callsByFunction.set('CAENHV_GetEventData', (this.#callsByFunction.get('CAENHV_GetEventData') ?? 0) + 1);
    return getEventData(this.#lib, socket, kindOf);
  }

  /** A cheap call that keeps an idle session alive (GetSysPropList). */
  keepalive(): void {
    this.sysPropList();
  }
}

/** The slot's map in a metadata cache (made on first use). */
function metaOfSlot(cache: Map<number, Map<string, ParamMeta>>, slot: number): Map<string, ParamMeta> {
  let m = cache.get(slot);
  if (!m) cache.set(slot, (m = new Map()));
  return m;
}

/** Whether `known` (the C array made for `list` earlier) still holds the same numbers. */
function sameNumbers(known: Uint16Array, list: readonly number[]): boolean {
  if (known.length !== list.length) return false;
  for (let i = 0; i < known.length; i++) if (known[i] !== list[i]) return false;
  return true;
}

/**
 * How a Get*Param value buffer is read, by the parameter's Type: NUMERIC → float32, ONOFF/CHSTATUS/
 * BDSTATUS/BINARY → uint32, ENUM → int32. Throws PARAM_NOT_NUMERIC for the others (`slot` undefined: a
 * board parameter).
 */
function valueKind(meta: ParamMeta, slot: number | undefined, param: string): ValueKind {
  switch (meta.typeCode) {
    case PARAM_TYPE.NUMERIC:
      return 'float32';
    case PARAM_TYPE.ONOFF:
    case PARAM_TYPE.CHSTATUS:
    case PARAM_TYPE.BDSTATUS:
    case PARAM_TYPE.BINARY:
      return 'uint32';
    case PARAM_TYPE.ENUM:
      return 'int32';
    default: {
      const where = slot === undefined ? `board parameter ${param}` : `slot ${slot} parameter ${param}`;
      throw new UsageError('PARAM_NOT_NUMERIC', `${where} is of type ${meta.type}, which gemcaen does not read as a number`);
    }
  }
}

/** The value buffer of a SetChParam: `value` repeated `count` times, typed by the parameter's Type. */
function encodeValue(meta: ParamMeta, value: number, count: number, where: string): Buffer {
  if (meta.typeCode !== PARAM_TYPE.CMD && meta.mode === 'RDONLY') {
    throw new UsageError('PARAM_READ_ONLY', `${where} is read-only`);
  }
  if (!Number.isFinite(value)) throw new UsageError('VALUE_INVALID', `${where}: ${value} is not a finite number`);
  const buf = Buffer.alloc(count * 4);
  switch (meta.typeCode) {
    case PARAM_TYPE.NUMERIC: {
      if ((meta.min !== undefined && value < meta.min) || (meta.max !== undefined && value > meta.max)) {
        throw new UsageError(
          'VALUE_OUT_OF_RANGE',
          `${where}: ${value}${meta.unit ? ` ${meta.unit}` : ''} is outside the board's range ${meta.min ?? '-∞'}..${meta.max ?? '∞'}`,
        );
      }
      for (let i = 0; i < count; i++) buf.writeFloatLE(value, i * 4);
      return buf;
    }
    case PARAM_TYPE.ONOFF:
      if (value !== 0 && value !== 1) {
        throw new UsageError('VALUE_INVALID', `${where}: ${value} is not 0 (${meta.offState ?? 'off'}) or 1 (${meta.onState ?? 'on'})`);
      }
      for (let i = 0; i < count; i++) buf.writeUInt32LE(value, i * 4);
      return buf;
    case PARAM_TYPE.BINARY:
    case PARAM_TYPE.CMD:
      if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
        throw new UsageError('VALUE_INVALID', `${where}: ${value} is not a 32-bit unsigned integer`);
      }
      for (let i = 0; i < count; i++) buf.writeUInt32LE(value, i * 4);
      return buf;
    case PARAM_TYPE.ENUM:
      if (!Number.isInteger(value) || (meta.min !== undefined && value < meta.min) || (meta.max !== undefined && value > meta.max)) {
        throw new UsageError('VALUE_OUT_OF_RANGE', `${where}: ${value} is not one of the values ${meta.min ?? '?'}..${meta.max ?? '?'}`);
      }
      for (let i = 0; i < count; i++) buf.writeInt32LE(value, i * 4);
      return buf;
    default:
      throw new UsageError('PARAM_NOT_SETTABLE', `${where} is of type ${meta.type}, which gemcaen does not set`);
  }
}
