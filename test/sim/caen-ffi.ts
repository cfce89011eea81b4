// The tests' own koffi declaration of the drop-in library: every exported function with the C types of
// docs/caen-wrapper.md §3 (the production binding lives in src/caen and is tested separately).
import koffi, { type LibraryHandle } from 'koffi';

export const RC = {
  OK: 0, TIMEERR: 4, DOWN: 5, SLOTNOTPRES: 7, OUTOFRANGE: 10, EXECNOTFOUND: 15, NOTSYSPROP: 16, NOTSETPROP: 18,
  PARAMPROPNOTFOUND: 21, PARAMNOTFOUND: 22, DEVALREADYOPEN: 24, INVALIDPARAMETER: 26, COMMUNICATIONERROR: 29,
  NOTYETIMPLEMENTED: 30, NOTCONNECTED: 0x1002, LOGINFAILED: 0x1004, LINKNOTSUPPORTED: 0x1006, USERPASSFAILED: 0x1007,
} as const;

export const SY4527 = 2;
export const SY1527 = 0;
export const TCPIP = 0;

type Fn = (...args: unknown[]) => unknown;

export interface CaenFfi {
  lib: LibraryHandle;
  LibSwRel: () => string;
  InitSystem: Fn;
  DeinitSystem: (h: number) => number;
  GetCrateMap: Fn;
  GetSysPropList: Fn;
  GetSysPropInfo: Fn;
  GetSysProp: Fn;
  SetSysProp: Fn;
  GetBdParamInfo: Fn;
  GetBdParamProp: Fn;
  GetBdParam: Fn;
  SetBdParam: Fn;
  TestBdPresence: Fn;
  GetChParamInfo: Fn;
  GetChParamProp: Fn;
  GetChName: Fn;
  SetChName: Fn;
  GetChParam: Fn;
  SetChParam: Fn;
  GetExecCommList: Fn;
  ExecComm: Fn;
  SubscribeSystemParams: Fn;
  SubscribeBoardParams: Fn;
  SubscribeChannelParams: Fn;
  UnSubscribeSystemParams: Fn;
  UnSubscribeBoardParams: Fn;
  UnSubscribeChannelParams: Fn;
  GetEventData: Fn;
  FreeEventData: Fn;
  Free: (p: unknown) => number;
  GetError: (h: number) => string;
}

export function loadCaen(path: string): CaenFfi {
  const lib = koffi.load(path);
  const f = (decl: string) => lib.func(decl) as Fn;
  return {
    lib,
    LibSwRel: f('const char *CAENHVLibSwRel(void)') as () => string,
    InitSystem: f('int CAENHV_InitSystem(int system, int LinkType, const char *Arg, const char *UserName, const char *Passwd, _Out_ int *handle)'),
    DeinitSystem: f('int CAENHV_DeinitSystem(int handle)') as (h: number) => number,
    GetCrateMap: f('int CAENHV_GetCrateMap(int handle, _Out_ uint16_t *NrOfSlot, _Out_ void **NrofChList, _Out_ void **ModelList, _Out_ void **DescriptionList, _Out_ void **SerNumList, _Out_ void **FmwRelMinList, _Out_ void **FmwRelMaxList)'),
    GetSysPropList: f('int CAENHV_GetSysPropList(int handle, _Out_ uint16_t *NumProp, _Out_ void **PropNameList)'),
    GetSysPropInfo: f('int CAENHV_GetSysPropInfo(int handle, const char *PropName, _Out_ uint32_t *PropMode, _Out_ uint32_t *PropType)'),
    GetSysProp: f('int CAENHV_GetSysProp(int handle, const char *PropName, void *Result)'),
    SetSysProp: f('int CAENHV_SetSysProp(int handle, const char *PropName, void *Set)'),
    GetBdParamInfo: f('int CAENHV_GetBdParamInfo(int handle, uint16_t slot, _Out_ void **ParNameList)'),
    GetBdParamProp: f('int CAENHV_GetBdParamProp(int handle, uint16_t slot, const char *ParName, const char *PropName, void *retval)'),
    GetBdParam: f('int CAENHV_GetBdParam(int handle, uint16_t slotNum, const uint16_t *slotList, const char *ParName, void *ParValList)'),
    SetBdParam: f('int CAENHV_SetBdParam(int handle, uint16_t slotNum, const uint16_t *slotList, const char *ParName, void *ParValue)'),
    TestBdPresence: f('int CAENHV_TestBdPresence(int handle, uint16_t slot, _Out_ uint16_t *NrofCh, _Out_ void **Model, _Out_ void **Description, _Out_ uint16_t *SerNum, _Out_ uint8_t *FmwRelMin, _Out_ uint8_t *FmwRelMax)'),
    GetChParamInfo: f('int CAENHV_GetChParamInfo(int handle, uint16_t slot, uint16_t Ch, _Out_ void **ParNameList, _Out_ int *ParNumber)'),
    GetChParamProp: f('int CAENHV_GetChParamProp(int handle, uint16_t slot, uint16_t Ch, const char *ParName, const char *PropName, void *retval)'),
    GetChName: f('int CAENHV_GetChName(int handle, uint16_t slot, uint16_t ChNum, const uint16_t *ChList, void *ChNameList)'),
    SetChName: f('int CAENHV_SetChName(int handle, uint16_t slot, uint16_t ChNum, const uint16_t *ChList, const char *ChName)'),
    GetChParam: f('int CAENHV_GetChParam(int handle, uint16_t slot, const char *ParName, uint16_t ChNum, const uint16_t *ChList, void *ParValList)'),
    SetChParam: f('int CAENHV_SetChParam(int handle, uint16_t slot, const char *ParName, uint16_t ChNum, const uint16_t *ChList, void *ParValue)'),
    GetExecCommList: f('int CAENHV_GetExecCommList(int handle, _Out_ uint16_t *NumComm, _Out_ void **CommNameList)'),
    ExecComm: f('int CAENHV_ExecComm(int handle, const char *CommName)'),
    SubscribeSystemParams: f('int CAENHV_SubscribeSystemParams(int handle, int16_t Port, const char *paramNameList, uint32_t paramNum, void *listOfResultCodes)'),
    SubscribeBoardParams: f('int CAENHV_SubscribeBoardParams(int handle, int16_t Port, uint16_t slot, const char *paramNameList, uint32_t paramNum, void *listOfResultCodes)'),
    SubscribeChannelParams: f('int CAENHV_SubscribeChannelParams(int handle, int16_t Port, uint16_t slot, uint16_t ch, const char *paramNameList, uint32_t paramNum, void *listOfResultCodes)'),
    UnSubscribeSystemParams: f('int CAENHV_UnSubscribeSystemParams(int handle, int16_t Port, const char *paramNameList, uint32_t paramNum, void *listOfResultCodes)'),
    UnSubscribeBoardParams: f('int CAENHV_UnSubscribeBoardParams(int handle, int16_t Port, uint16_t slot, const char *paramNameList, uint32_t paramNum, void *listOfResultCodes)'),
    UnSubscribeChannelParams: f('int CAENHV_UnSubscribeChannelParams(int handle, int16_t Port, uint16_t slot, uint16_t ch, const char *paramNameList, uint32_t paramNum, void *listOfResultCodes)'),
    // raw buffers (8-byte pointer slot, 4-byte count), so a test can see that a failing call leaves them untouched
    GetEventData: f('int CAENHV_GetEventData(int sck, void *SysStatus, void *EventData, void *DataNumber)'),
    FreeEventData: f('int CAENHV_FreeEventData(void *EventData)'),
    Free: f('int CAENHV_Free(void *p)') as (p: unknown) => number,
    GetError: f('const char *CAENHV_GetError(int handle)') as (h: number) => string,
  };
}

/** Bytes of a library-allocated buffer. */
export function bytes(ptr: unknown, len: number): Buffer {
  return Buffer.from(koffi.view(ptr, len));
}

/** `count` NUL-separated strings from a packed lib-alloc buffer (walked with p += strlen(p) + 1). */
export function packedStrings(ptr: unknown, count: number): string[] {
  const out: string[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const s = koffi.decode(ptr, offset, 'char', -1) as string;
    out.push(s);
    offset += Buffer.byteLength(s, 'latin1') + 1;
  }
  return out;
}

/** Fixed-size NUL-padded records, e.g. the 10-byte parameter names or 12-byte channel names. */
export function records(buf: Buffer, size: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const rec = buf.subarray(i * size, (i + 1) * size);
    const end = rec.indexOf(0);
    return rec.subarray(0, end < 0 ? size : end).toString('latin1');
  });
}

export function u16list(values: number[]): Uint16Array {
  return Uint16Array.from(values);
}

/** Logs in; returns the handle or throws with the code and GetError text. */
export function login(ffi: CaenFfi, address: string, user = 'admin', password = 'admin', system = SY4527): number {
  const h = [0];
  const rc = ffi.InitSystem(system, TCPIP, address, user, password, h) as number;
  if (rc !== 0) throw Object.assign(new Error(`InitSystem(${address}) failed: ${rc}`), { rc });
  return h[0];
}

export function getFloats(ffi: CaenFfi, h: number, slot: number, param: string, chs: number[]): number[] {
  const buf = Buffer.alloc(4 * chs.length);
  const rc = ffi.GetChParam(h, slot, param, chs.length, u16list(chs), buf) as number;
  if (rc !== 0) throw Object.assign(new Error(`GetChParam ${param} failed: ${rc} ${ffi.GetError(h)}`), { rc });
  return chs.map((_, i) => buf.readFloatLE(4 * i));
}

export function getUints(ffi: CaenFfi, h: number, slot: number, param: string, chs: number[]): number[] {
  const buf = Buffer.alloc(4 * chs.length);
  const rc = ffi.GetChParam(h, slot, param, chs.length, u16list(chs), buf) as number;
  if (rc !== 0) throw Object.assign(new Error(`GetChParam ${param} failed: ${rc} ${ffi.GetError(h)}`), { rc });
  return chs.map((_, i) => buf.readUInt32LE(4 * i));
}

export function setFloat(ffi: CaenFfi, h: number, slot: number, param: string, chs: number[], value: number): number {
  const buf = Buffer.alloc(4 * chs.length);
  for (let i = 0; i < chs.length; i++) buf.writeFloatLE(value, 4 * i);
  return ffi.SetChParam(h, slot, param, chs.length, u16list(chs), buf) as number;
}

export function setUint(ffi: CaenFfi, h: number, slot: number, param: string, chs: number[], value: number): number {
  const buf = Buffer.alloc(4 * chs.length);
  for (let i = 0; i < chs.length; i++) buf.writeUInt32LE(value, 4 * i);
  return ffi.SetChParam(h, slot, param, chs.length, u16list(chs), buf) as number;
}
