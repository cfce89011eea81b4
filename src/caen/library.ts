// The koffi binding of libcaenhvwrapper.so: every C function gemcaen uses, typed exactly as the header.
// Header widths (docs/caen-wrapper.md §1): ushort = uint16, uchar = uint8, ulong = uint32 (not C long!),
// CAENHVRESULT = int32, enums = int32. Lib-alloc lists come back as BigInt pointers (koffi 3) and are
// copied out, then freed with CAENHV_Free by the caller (mainframe.ts) in `finally`.
import koffi, { type LibraryHandle } from 'koffi';
import { GemcaenError } from '../errors.js';
import { findCaenLibrary } from './discover.js';

export { findCaenLibrary, librarySearchDirs, STANDARD_LIBRARY_DIRS } from './discover.js';

/** A C pointer as koffi 3 gives it: a BigInt address, or null for NULL. */
export type CPointer = bigint | null;
/** A single-element array that koffi fills for an `_Out_` parameter. */
export type Out<T> = [T];
/** Memory the C side reads or writes during the call (caller-allocated arrays and value buffers). */
export type CBuffer = Buffer | Uint16Array | Uint8Array;

/** The raw C functions, one per symbol. Arguments and results are exactly the C ones. */
export interface CaenFunctions {
  CAENHVLibSwRel(): string | null;
  CAENHV_InitSystem(system: number, linkType: number, arg: string, user: string, passwd: string, handle: Out<number>): number;
  CAENHV_DeinitSystem(handle: number): number;
  CAENHV_GetError(handle: number): string | null;
  CAENHV_Free(p: bigint): number;
  CAENHV_GetCrateMap(
    handle: number,
    nrOfSlot: Out<number>,
    nrOfChList: Out<CPointer>,
    modelList: Out<CPointer>,
    descriptionList: Out<CPointer>,
    serNumList: Out<CPointer>,
    fmwRelMinList: Out<CPointer>,
    fmwRelMaxList: Out<CPointer>,
  ): number;
  CAENHV_TestBdPresence(
    handle: number,
    slot: number,
    nrOfCh: Out<number>,
    model: Out<CPointer>,
    description: Out<CPointer>,
    serNum: Out<number>,
    fmwRelMin: Out<number>,
    fmwRelMax: Out<number>,
  ): number;
  CAENHV_GetSysPropList(handle: number, numProp: Out<number>, propNameList: Out<CPointer>): number;
  CAENHV_GetSysPropInfo(handle: number, propName: string, propMode: Out<number>, propType: Out<number>): number;
  CAENHV_GetSysProp(handle: number, propName: string, value: CBuffer): number;
  CAENHV_SetSysProp(handle: number, propName: string, value: CBuffer): number;
  CAENHV_GetBdParamInfo(handle: number, slot: number, parNameList: Out<CPointer>): number;
  CAENHV_GetBdParamProp(handle: number, slot: number, parName: string, propName: string, retval: CBuffer): number;
  CAENHV_GetBdParam(handle: number, slotNum: number, slotList: CBuffer, parName: string, values: CBuffer): number;
  CAENHV_SetBdParam(handle: number, slotNum: number, slotList: CBuffer, parName: string, value: CBuffer): number;
  CAENHV_GetChParamInfo(handle: number, slot: number, ch: number, parNameList: Out<CPointer>, parNumber: Out<number>): number;
  CAENHV_GetChParamProp(handle: number, slot: number, ch: number, parName: string, propName: string, retval: CBuffer): number;
  CAENHV_GetChName(handle: number, slot: number, chNum: number, chList: CBuffer, chNameList: CBuffer): number;
  CAENHV_SetChName(handle: number, slot: number, chNum: number, chList: CBuffer, chName: string): number;
  CAENHV_GetChParam(handle: number, slot: number, parName: string, chNum: number, chList: CBuffer, values: CBuffer): number;
  CAENHV_SetChParam(handle: number, slot: number, parName: string, chNum: number, chList: CBuffer, values: CBuffer): number;
  CAENHV_GetExecCommList(handle: number, numComm: Out<number>, commNameList: Out<CPointer>): number;
  CAENHV_ExecComm(handle: number, commName: string): number;
  CAENHV_SubscribeSystemParams(handle: number, port: number, names: string, num: number, codes: Buffer): number;
  CAENHV_SubscribeBoardParams(handle: number, port: number, slot: number, names: string, num: number, codes: Buffer): number;
  CAENHV_SubscribeChannelParams(handle: number, port: number, slot: number, ch: number, names: string, num: number, codes: Buffer): number;
  CAENHV_UnSubscribeSystemParams(handle: number, port: number, names: string, num: number, codes: Buffer): number;
  CAENHV_UnSubscribeBoardParams(handle: number, port: number, slot: number, names: string, num: number, codes: Buffer): number;
  CAENHV_UnSubscribeChannelParams(handle: number, port: number, slot: number, ch: number, names: string, num: number, codes: Buffer): number;
  CAENHV_GetEventData(socket: number, sysStatus: Buffer, eventData: Out<CPointer>, dataNumber: Out<number>): number;
  CAENHV_FreeEventData(eventData: [CPointer]): number;
}

/** C prototypes, exactly the header's argument order and widths. `void *` value buffers are Buffers. */
const PROTOTYPES: Readonly<Record<keyof CaenFunctions, string>> = {
  CAENHVLibSwRel: 'const char *CAENHVLibSwRel(void)',
  CAENHV_InitSystem:
    'int32_t CAENHV_InitSystem(int32_t system, int32_t LinkType, const char *Arg, const char *UserName, const char *Passwd, _Out_ int32_t *handle)',
  CAENHV_DeinitSystem: 'int32_t CAENHV_DeinitSystem(int32_t handle)',
  CAENHV_GetError: 'const char *CAENHV_GetError(int32_t handle)',
  CAENHV_Free: 'int32_t CAENHV_Free(void *arg)',
  CAENHV_GetCrateMap:
    'int32_t CAENHV_GetCrateMap(int32_t handle, _Out_ uint16_t *NrOfSlot, _Out_ void **NrofChList, _Out_ void **ModelList, _Out_ void **DescriptionList, _Out_ void **SerNumList, _Out_ void **FmwRelMinList, _Out_ void **FmwRelMaxList)',
  CAENHV_TestBdPresence:
    'int32_t CAENHV_TestBdPresence(int32_t handle, uint16_t slot, _Out_ uint16_t *NrofCh, _Out_ void **Model, _Out_ void **Description, _Out_ uint16_t *SerNum, _Out_ uint8_t *FmwRelMin, _Out_ uint8_t *FmwRelMax)',
  CAENHV_GetSysPropList: 'int32_t CAENHV_GetSysPropList(int32_t handle, _Out_ uint16_t *NumProp, _Out_ void **PropNameList)',
  CAENHV_GetSysPropInfo:
    'int32_t CAENHV_GetSysPropInfo(int32_t handle, const char *PropName, _Out_ uint32_t *PropMode, _Out_ uint32_t *PropType)',
  CAENHV_GetSysProp: 'int32_t CAENHV_GetSysProp(int32_t handle, const char *PropName, void *Result)',
  CAENHV_SetSysProp: 'int32_t CAENHV_SetSysProp(int32_t handle, const char *PropName, void *Set)',
  CAENHV_GetBdParamInfo: 'int32_t CAENHV_GetBdParamInfo(int32_t handle, uint16_t slot, _Out_ void **ParNameList)',
  CAENHV_GetBdParamProp:
    'int32_t CAENHV_GetBdParamProp(int32_t handle, uint16_t slot, const char *ParName, const char *PropName, void *retval)',
  CAENHV_GetBdParam:
    'int32_t CAENHV_GetBdParam(int32_t handle, uint16_t slotNum, const void *slotList, const char *ParName, void *ParValList)',
  CAENHV_SetBdParam:
    'int32_t CAENHV_SetBdParam(int32_t handle, uint16_t slotNum, const void *slotList, const char *ParName, void *ParValue)',
  CAENHV_GetChParamInfo:
    'int32_t CAENHV_GetChParamInfo(int32_t handle, uint16_t slot, uint16_t Ch, _Out_ void **ParNameList, _Out_ int32_t *ParNumber)',
  CAENHV_GetChParamProp:
    'int32_t CAENHV_GetChParamProp(int32_t handle, uint16_t slot, uint16_t Ch, const char *ParName, const char *PropName, void *retval)',
  CAENHV_GetChName:
    'int32_t CAENHV_GetChName(int32_t handle, uint16_t slot, uint16_t ChNum, const void *ChList, void *ChNameList)',
  CAENHV_SetChName:
    'int32_t CAENHV_SetChName(int32_t handle, uint16_t slot, uint16_t ChNum, const void *ChList, const char *ChName)',
  CAENHV_GetChParam:
    'int32_t CAENHV_GetChParam(int32_t handle, uint16_t slot, const char *ParName, uint16_t ChNum, const void *ChList, void *ParValList)',
  CAENHV_SetChParam:
    'int32_t CAENHV_SetChParam(int32_t handle, uint16_t slot, const char *ParName, uint16_t ChNum, const void *ChList, void *ParValue)',
  CAENHV_GetExecCommList: 'int32_t CAENHV_GetExecCommList(int32_t handle, _Out_ uint16_t *NumComm, _Out_ void **CommNameList)',
  CAENHV_ExecComm: 'int32_t CAENHV_ExecComm(int32_t handle, const char *CommName)',
  // event mode (WRAPPER.md §10): Port is a C short; ports above 32767 are passed negative
  CAENHV_SubscribeSystemParams:
    'int32_t CAENHV_SubscribeSystemParams(int32_t handle, int16_t Port, const char *paramNameList, uint32_t paramNum, void *listOfResultCodes)',
  CAENHV_SubscribeBoardParams:
    'int32_t CAENHV_SubscribeBoardParams(int32_t handle, int16_t Port, uint16_t slot, const char *paramNameList, uint32_t paramNum, void *listOfResultCodes)',
  CAENHV_SubscribeChannelParams:
    'int32_t CAENHV_SubscribeChannelParams(int32_t handle, int16_t Port, uint16_t slot, uint16_t ch, const char *paramNameList, uint32_t paramNum, void *listOfResultCodes)',
  CAENHV_UnSubscribeSystemParams:
    'int32_t CAENHV_UnSubscribeSystemParams(int32_t handle, int16_t Port, const char *paramNameList, uint32_t paramNum, void *listOfResultCodes)',
  CAENHV_UnSubscribeBoardParams:
    'int32_t CAENHV_UnSubscribeBoardParams(int32_t handle, int16_t Port, uint16_t slot, const char *paramNameList, uint32_t paramNum, void *listOfResultCodes)',
  CAENHV_UnSubscribeChannelParams:
    'int32_t CAENHV_UnSubscribeChannelParams(int32_t handle, int16_t Port, uint16_t slot, uint16_t ch, const char *paramNameList, uint32_t paramNum, void *listOfResultCodes)',
  CAENHV_GetEventData:
    'int32_t CAENHV_GetEventData(int32_t sck, void *SysStatus, _Out_ void **EventData, _Out_ uint32_t *DataNumber)',
  CAENHV_FreeEventData: 'int32_t CAENHV_FreeEventData(_Inout_ void **EventData)',
};

/** Functions the library must export for gemcaen to use it (CAENHV_SetChName etc. are optional). */
const REQUIRED: ReadonlySet<keyof CaenFunctions> = new Set([
  'CAENHVLibSwRel',
  'CAENHV_InitSystem',
  'CAENHV_DeinitSystem',
  'CAENHV_GetError',
  'CAENHV_Free',
  'CAENHV_GetCrateMap',
  'CAENHV_GetChParam',
  'CAENHV_SetChParam',
  'CAENHV_GetChParamProp',
]);

const opened = new Map<string, CaenLibrary>();

/** One loaded libcaenhvwrapper.so. Loading the same path twice in a thread returns the same object. */
export class CaenLibrary {
  readonly #fns: Partial<CaenFunctions>;

  private constructor(
    readonly path: string,
    fns: Partial<CaenFunctions>,
  ) {
    this.#fns = fns;
  }

  /**
   * Loads the library at `path` and binds its functions. Throws GemcaenError LIBRARY_LOAD_FAILED naming
   * the file and the loader's reason when the file cannot be loaded or is not a CAEN HV wrapper library.
   */
  static open(path: string): CaenLibrary {
    const known = opened.get(path);
    if (known) return known;
    let handle: LibraryHandle;
    try {
      handle = koffi.load(path);
    } catch (err) {
      const why = reason(err);
      const hint = /libssl|libcrypto/.test(why) ? '; this CAEN build needs OpenSSL 1.1 (libssl.so.1.1, libcrypto.so.1.1) installed' : '';
      throw new GemcaenError('LIBRARY_LOAD_FAILED', `cannot load the CAEN HV wrapper library ${path}: ${why}${hint}`, {
        cause: err,
        details: { path },
      });
    }
    const fns: Partial<Record<keyof CaenFunctions, unknown>> = {};
    for (const [name, proto] of Object.entries(PROTOTYPES) as [keyof CaenFunctions, string][]) {
      try {
        fns[name] = handle.func(proto);
      } catch (err) {
        if (!REQUIRED.has(name)) continue;
        handle.unload();
        throw new GemcaenError(
          'LIBRARY_LOAD_FAILED',
          `${path} is not a usable CAEN HV wrapper library: ${name} is missing (${reason(err)}); point CAENHV_LIBRARY or CAENHV_LIB at libcaenhvwrapper.so`,
          { cause: err, details: { path, missing: name } },
        );
      }
    }
    const lib = new CaenLibrary(path, fns as Partial<CaenFunctions>);
    opened.set(path, lib);
    return lib;
  }

  /** Finds (see findCaenLibrary) and opens the library. */
  static locate(explicit?: string, env: NodeJS.ProcessEnv = process.env): CaenLibrary {
    return CaenLibrary.open(findCaenLibrary(explicit, env));
  }

  /** The raw function `name`; throws FUNCTION_NOT_EXPORTED when this build of the library lacks it. */
  fn<K extends keyof CaenFunctions>(name: K): CaenFunctions[K] {
    const f = this.#fns[name];
    if (!f) throw new GemcaenError('FUNCTION_NOT_EXPORTED', `${this.path} does not export ${name}`, { details: { path: this.path, fn: name } });
    return f;
  }

  has(name: keyof CaenFunctions): boolean {
    return this.#fns[name] !== undefined;
  }

  /** Binding of CAENHVLibSwRel(): the library's release, e.g. "6.1". */
  swRelease(): string {
    return (this.fn('CAENHVLibSwRel')() ?? '').trim();
  }

  /** Binding of CAENHV_GetError(): the library's text for the last error of `handle`, trimmed. */
  errorText(handle: number): string {
    return (this.fn('CAENHV_GetError')(handle) ?? '').trim();
  }

  /**
   * Binding of CAENHV_DeinitSystem() for a bare handle number, with no CaenMainframe around it: used to
   * release a handle that a thread which died left open (the handle table is per process). Returns the
   * result code (0 OK; 0x1002 NOTCONNECTED when the slot was already free).
   */
  releaseHandle(handle: number): number {
    return this.fn('CAENHV_DeinitSystem')(handle);
  }

  /** Binding of CAENHV_Free() for a lib-alloc pointer; NULL is ignored. Never throws. */
  free(p: CPointer): void {
    if (p === null || p === 0n) return;
    try {
      this.fn('CAENHV_Free')(p);
    } catch {
      /* a free that cannot run leaks; it must not mask the caller's result */
    }
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---- reading lib-alloc memory (copies; the caller frees the pointer afterwards) ----
// Byte by byte with koffi.decode(p, offset, uint8_t): in koffi 3.3 koffi.view, array decodes and
// string decodes each leak some bytes per call (measured: 20-500 B), which a daemon that runs for months
// cannot afford; scalar decodes do not leak and cost well under 1 us per byte (lists here are < 1 KB).

const U8 = koffi.type('uint8_t');

function byteAt(p: bigint, offset: number): number {
  return koffi.decode(p, offset, U8) as number;
}

/** Copies `length` bytes at `p` into a new Buffer. */
export function copyBytes(p: bigint, length: number): Buffer {
  const out = Buffer.alloc(Math.max(0, length));
  for (let i = 0; i < length; i++) out[i] = byteAt(p, i);
  return out;
}

/** Byte length of the C string at p+offset (not counting the NUL). */
export function cStrlen(p: bigint, offset: number, limit = 1 << 16): number {
  let n = 0;
  while (n < limit && byteAt(p, offset + n) !== 0) n++;
  return n;
}

/** Copies `count` packed NUL-separated strings (with their NULs) into a Buffer for decodePacked. */
export function copyPacked(p: bigint, count: number): Buffer {
  let length = 0;
  for (let i = 0; i < count; i++) length += cStrlen(p, length) + 1;
  return copyBytes(p, length);
}

/** Copies fixed-size records up to and excluding the first empty one (at most `max`). */
export function copyRecordsUntilEmpty(p: bigint, recordSize: number, max = 4096): Buffer {
  let n = 0;
  while (n < max && byteAt(p, n * recordSize) !== 0) n++;
  return copyBytes(p, n * recordSize);
}
