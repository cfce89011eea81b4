// The state of one simulated crate (boards, channels, system properties) and every operation the
// wrapper functions map to. Refusals throw SimError with the wrapper result code the library returns.
import { BoardModels, Commands, ParamMode, ParamType, SlotCount, SysPropType, SystemTypes, type BoardModel, type ParamDef } from './catalog.js';
import { Code, SimError } from './codes.js';
import type { BoardSpec, ChannelSpec, CrateSpec } from './crate-spec.js';
import { ChannelPhysics, noise, type ChannelSettings } from './physics.js';
import { formatFloat, hexToFloat, hexToUint, type WireValue } from './wire.js';

export type Clock = () => number;

export interface BoardInfo {
  model: string;
  description: string;
  channels: number;
  serial: number;
  fmwMin: number;
  fmwMax: number;
}

/** A property value and how the library writes it: u32, f32, u16, i16, str, or enum (a list). */
export type PropValue = { kind: 'u32' | 'f32' | 'u16' | 'i16'; value: number } | { kind: 'str'; value: string };

export interface Values {
  type: number;
  values: WireValue[];
}

interface SysProp {
  type: number;
  mode: number;
  get: () => string | number;
  set?: (v: string | number) => void;
}

export class Channel {
  constructor(
    public name: string,
    readonly physics: ChannelPhysics,
  ) {}
}

export class Board {
  constructor(
    readonly slot: number,
    readonly model: BoardModel,
    readonly serial: number,
    public temperatureC: number,
    readonly channels: Channel[],
  ) {}

  /** BdStatus bits injected as faults (power fail, checksum, calibration errors) */
  injectedBits = 0;

  /** BdStatus: the injected bits, plus under-temperature below UNDER_TEMP_C and over-temperature above OVER_TEMP_C. */
  status(): number {
    let st = this.injectedBits;
    if (this.temperatureC < UNDER_TEMP_C) st |= 1 << 4;
    if (this.temperatureC > OVER_TEMP_C) st |= 1 << 5;
    return st >>> 0;
  }
}

/** Board temperatures (Celsius) beyond which BdStatus shows UNDERTEMP (bit 4) and OVERTEMP (bit 5). */
export const UNDER_TEMP_C = 5;
export const OVER_TEMP_C = 65;

const SETTING_NAMES: ReadonlyArray<keyof ChannelSettings> = [
  'V0Set', 'I0Set', 'V1Set', 'I1Set', 'RUp', 'RDWn', 'Trip', 'SVMax', 'Pw', 'POn', 'PDwn', 'TripInt', 'TripExt',
];

function makeBoard(slot: number, spec: BoardSpec, now: number): Board {
  const model = BoardModels[spec.model];
  const channels: Channel[] = [];
  for (let ch = 0; ch < model.channels; ch++) {
    const c: ChannelSpec = { ...spec.channelDefaults, ...spec.channels?.[ch] };
    const settings: ChannelSettings = {
      V0Set: c.V0Set ?? 0,
      I0Set: c.I0Set ?? model.imaxUa / 4,
      V1Set: c.V1Set ?? 0,
      I1Set: c.I1Set ?? c.I0Set ?? model.imaxUa / 4,
      RUp: c.RUp ?? 50,
      RDWn: c.RDWn ?? 50,
      Trip: c.Trip ?? 1,
      SVMax: c.SVMax ?? model.vmax,
      Pw: c.Pw ?? 0,
      POn: c.POn ?? 0,
      PDwn: c.PDwn ?? 0,
      TripInt: c.TripInt ?? 0,
      TripExt: c.TripExt ?? 0,
    };
    settings.V0Set = Math.min(settings.V0Set, settings.SVMax);
    const name = c.name ?? `CHANNEL${String(ch).padStart(2, '0')}`;
    channels.push(new Channel(name, new ChannelPhysics(settings, c.LoadMOhm ?? model.defaultLoadMOhm, now)));
  }
  return new Board(slot, model, spec.serial ?? 1000 + slot, spec.temperatureC ?? 30, channels);
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

export class Crate {
  readonly name: string;
  readonly systemName: string;
  readonly systemType: number;
  readonly slotCount: number;
  private readonly slots: (Board | null)[];
  private readonly removed = new Map<number, Board>();
  private readonly sysProps: Map<string, SysProp>;
  /** 0 when the crates file says `noise: false` (exact readings), else 1 */
  private readonly noiseScale: number;
  /** the text of the Sessions property, provided by the session server */
  sessionsText: () => string = () => '';

  constructor(
    readonly spec: CrateSpec,
    private readonly seed: number,
    private readonly clock: Clock,
  ) {
    this.name = spec.name;
    this.systemName = spec.system;
    this.systemType = SystemTypes[spec.system];
    this.slotCount = SlotCount[spec.system];
    this.noiseScale = spec.noise === false ? 0 : 1;
    const now = clock();
    this.slots = Array.from({ length: this.slotCount }, (_, s) => (spec.slots[s] ? makeBoard(s, spec.slots[s], now) : null));
    this.sysProps = this.makeSysProps();
  }

  /** Deterministic noise in [-1, 1) of this crate's seed, or 0 with `noise: false`. */
  private noise(...keys: number[]): number {
    return this.noiseScale * noise(this.seed, ...keys);
  }

  /** The SY4527 system properties of CAEN's manual (docs/caen-wrapper.md §9): STR, UINT2 and INT2, read-only and read-write. */
  private makeSysProps(): Map<string, SysProp> {
    const { STR, UINT2, INT2 } = SysPropType;
    const { RDONLY, RDWR } = ParamMode;
    const store: Record<string, string | number> = {
      IPAddr: '127.0.0.1', IPNetMsk: '255.255.255.0', IPGw: '127.0.0.1', HVFanSpeed: 1,
      SymbolicName: this.spec.name, GenSignCfg: 0, ResFlagCfg: 0, CMDExecMode: 0, FrontPanOutLevel: 0, DummyReg: 0,
      RS232Par: '9600_8_1_0_0',
    };
    const stored = (name: string, type: number): SysProp => ({
      type, mode: RDWR, get: () => store[name], set: (v) => { store[name] = v; },
    });
    const fixed = (type: number, get: () => string | number): SysProp => ({ type, mode: RDONLY, get });
    const t = () => Math.floor(this.clock());
    return new Map<string, SysProp>([
      ['ModelName', fixed(STR, () => this.spec.modelName)],
      ['SwRelease', fixed(STR, () => this.spec.swRelease)],
      ['Sessions', fixed(STR, () => this.sessionsText())],
      ['IPAddr', stored('IPAddr', STR)],
      ['IPNetMsk', stored('IPNetMsk', STR)],
      ['IPGw', stored('IPGw', STR)],
      ['CPULoad', fixed(STR, () => `${(12 + 4 * this.noise(1, t())).toFixed(1)}%`)],
      ['MemoryStatus', fixed(STR, () => '41% used')],
      ['HVFanStat', fixed(STR, () => 'Fan 1: OK, Fan 2: OK, Fan 3: OK')],
      ['HVFanSpeed', stored('HVFanSpeed', UINT2)],
      ['PWFanStat', fixed(STR, () => 'Fan 1: OK, Fan 2: OK')],
      ['SymbolicName', stored('SymbolicName', STR)],
      ['CMDExecMode', stored('CMDExecMode', UINT2)],
      ['ClkFreq', fixed(INT2, () => 100)],
      ['GenSignCfg', stored('GenSignCfg', UINT2)],
      ['FrontPanIn', fixed(UINT2, () => 0)],
      ['FrontPanOut', fixed(UINT2, () => 0)],
      ['FrontPanOutLevel', stored('FrontPanOutLevel', UINT2)],
      ['ResFlagCfg', stored('ResFlagCfg', UINT2)],
      ['ResFlag', fixed(UINT2, () => 0)],
      ['CommandQStatus', fixed(UINT2, () => 0)],
      ['DummyReg', stored('DummyReg', UINT2)],
      ['HvPwSM', fixed(STR, () => 'Ready')],
      ['HVClkConf', fixed(STR, () => 'Internal')],
      ['RS232Par', stored('RS232Par', STR)],
    ]);
  }

  // ---------- login ----------

  login(user: string, password: string, systemType: number): void {
    if (systemType !== this.systemType)
      throw new SimError(Code.LOGINFAILED, `Login failed: the crate is an ${this.systemName} (system type ${this.systemType}), not system type ${systemType}`);
    if (!(user in this.spec.users) || this.spec.users[user] !== password)
      throw new SimError(Code.USERPASSFAILED, 'Login failed: wrong user name or password');
  }

  // ---------- boards ----------

  board(slot: number): Board {
    const b = slot >= 0 && slot < this.slotCount ? this.slots[slot] : null;
    if (!b) throw new SimError(Code.SLOTNOTPRES, `Slot ${slot} not present`);
    return b;
  }

  private info(b: Board | null): BoardInfo {
    if (!b) return { model: '', description: '', channels: 0, serial: 0, fmwMin: 0, fmwMax: 0 };
    return { model: b.model.model, description: b.model.description, channels: b.model.channels, serial: b.serial, fmwMin: b.model.fmwMin, fmwMax: b.model.fmwMax };
  }

  crateMap(): BoardInfo[] {
    return this.slots.map((b) => this.info(b));
  }

  testBoard(slot: number): BoardInfo {
    return this.info(this.board(slot));
  }

  private channel(b: Board, ch: number): Channel {
    const c = b.channels[ch];
    if (!c) throw new SimError(Code.INVALIDPARAMETER, `Channel ${ch} not present on ${b.model.model} in slot ${b.slot} (channels 0-${b.channels.length - 1})`);
    return c;
  }

  private chParamDef(b: Board, name: string): ParamDef {
    const d = b.model.chParams.find((p) => p.name === name);
    if (!d) throw new SimError(Code.PARAMNOTFOUND, `Parameter not found: ${name} is not a channel parameter of ${b.model.model}`);
    return d;
  }

  private bdParamDef(b: Board, name: string): ParamDef {
    const d = b.model.bdParams.find((p) => p.name === name);
    if (!d) throw new SimError(Code.PARAMNOTFOUND, `Parameter not found: ${name} is not a board parameter of ${b.model.model}`);
    return d;
  }

  private static prop(d: ParamDef, prop: string): PropValue {
    const numeric = d.type === ParamType.NUMERIC;
    const missing = () => new SimError(Code.PARAMPROPNOTFOUND, `Parameter property not found: ${d.name} has no property ${prop}`);
    switch (prop) {
      case 'Type': return { kind: 'u32', value: d.type };
      case 'Mode': return { kind: 'u32', value: d.mode };
      case 'Minval': if (numeric || d.type === ParamType.ENUM) return { kind: 'f32', value: d.min ?? 0 }; throw missing();
      case 'Maxval': if (numeric || d.type === ParamType.ENUM) return { kind: 'f32', value: d.max ?? 0 }; throw missing();
      case 'Unit': if (numeric) return { kind: 'u16', value: d.unit ?? 0 }; throw missing();
      case 'Exp': if (numeric) return { kind: 'i16', value: d.exp ?? 0 }; throw missing();
      case 'Decimal': if (numeric) return { kind: 'i16', value: d.decimal ?? 0 }; throw missing();
      case 'Onstate': if (d.type === ParamType.ONOFF) return { kind: 'str', value: d.onState ?? 'On' }; throw missing();
      case 'Offstate': if (d.type === ParamType.ONOFF) return { kind: 'str', value: d.offState ?? 'Off' }; throw missing();
      default: throw missing();
    }
  }

  bdParamInfo(slot: number): string[] {
    return this.board(slot).model.bdParams.map((p) => p.name);
  }

  bdParamProp(slot: number, param: string, prop: string): PropValue {
    return Crate.prop(this.bdParamDef(this.board(slot), param), prop);
  }

  getBdParam(slots: number[], param: string): Values {
    const boards = slots.map((s) => this.board(s));
    const defs = boards.map((b) => this.bdParamDef(b, param));
    const now = this.clock();
    const values = boards.map((b) => {
      if (param === 'Temp') return formatFloat(round(b.temperatureC + 0.3 * this.noise(2, b.slot, Math.floor(now / 10)), 1));
      if (param === 'HVMax') return formatFloat(b.model.vmax);
      return b.status(); // BdStatus
    });
    return { type: defs[0]?.type ?? ParamType.NUMERIC, values };
  }

  setBdParam(slots: number[], param: string, hexValues: string[]): void {
    const boards = slots.map((s) => this.board(s));
    for (const b of boards) {
      const d = this.bdParamDef(b, param);
      if (d.mode === ParamMode.RDONLY) throw new SimError(Code.NOTSETPROP, `Not a settable parameter: ${param} is read-only`);
    }
    void hexValues; // no writable board parameter exists on these boards
  }

  chParamInfo(slot: number, ch: number): string[] {
    const b = this.board(slot);
    this.channel(b, ch);
    return b.model.chParams.map((p) => p.name);
  }

  chParamProp(slot: number, ch: number, param: string, prop: string): PropValue {
    const b = this.board(slot);
    this.channel(b, ch);
    return Crate.prop(this.chParamDef(b, param), prop);
  }

  getChName(slot: number, chs: number[]): string[] {
    const b = this.board(slot);
    return chs.map((ch) => this.channel(b, ch).name);
  }

  setChName(slot: number, name: string, chs: number[]): void {
    const b = this.board(slot);
    const channels = chs.map((ch) => this.channel(b, ch));
    if (name.length > 11) throw new SimError(Code.INVALIDPARAMETER, `Invalid parameter: channel names are at most 11 characters ("${name}")`);
    for (const c of channels) c.name = name;
  }

  private readChannel(b: Board, c: Channel, ch: number, d: ParamDef, now: number): WireValue {
    const p = c.physics;
    if (d.name === 'VMon') {
      const v = p.voltage(now);
      const n = v > 0.5 ? 0.2 * this.noise(3, b.slot, ch, Math.floor(now)) : 0;
      return formatFloat(Math.max(0, round(v + n, 1)));
    }
    if (d.name === 'IMon') {
      const i = p.currentUa(now);
      const lsb = 10 ** -b.model.iDecimal;
      const n = (0.005 * i + lsb) * this.noise(4, b.slot, ch, Math.floor(now));
      return formatFloat(round(i + n, b.model.iDecimal));
    }
    if (d.name === 'Status') return p.status(now);
    const value = p.settings[d.name as keyof ChannelSettings];
    return d.type === ParamType.NUMERIC ? formatFloat(value) : value >>> 0;
  }

  getChParam(slot: number, param: string, chs: number[]): Values {
    const b = this.board(slot);
    const d = this.chParamDef(b, param);
    const channels = chs.map((ch) => this.channel(b, ch));
    if (d.mode === ParamMode.WRONLY || d.type === ParamType.CMD) throw new SimError(Code.NOTGETPROP, `Not a readable parameter: ${param}`);
    const now = this.clock();
    return { type: d.type, values: channels.map((c, i) => this.readChannel(b, c, chs[i], d, now)) };
  }

  /** Checks and converts one value the client passed for parameter `d`. */
  private static checkValue(d: ParamDef, value: number): number {
    if (d.type === ParamType.NUMERIC) {
      if (!Number.isFinite(value) || value < (d.min ?? -Infinity) || value > (d.max ?? Infinity))
        throw new SimError(Code.OUTOFRANGE, `Value out of range: ${d.name} = ${value} is outside ${d.min} to ${d.max}`);
    } else if (d.type === ParamType.ONOFF && value !== 0 && value !== 1) {
      throw new SimError(Code.OUTOFRANGE, `Value out of range: ${d.name} takes 0 (${d.offState}) or 1 (${d.onState}), not ${value}`);
    }
    return value;
  }

  /** SetChParam: one value for every channel, or one per channel (the library decides by system type). */
  setChParam(slot: number, param: string, chs: number[], hexValues: string[]): void {
    const b = this.board(slot);
    const d = this.chParamDef(b, param);
    const channels = chs.map((ch) => this.channel(b, ch));
    if (d.mode === ParamMode.RDONLY) throw new SimError(Code.NOTSETPROP, `Not a settable parameter: ${param} is read-only`);
    if (hexValues.length !== 1 && hexValues.length !== chs.length)
      throw new SimError(Code.INVALIDPARAMETER, `Invalid parameter: ${hexValues.length} values for ${chs.length} channels`);
    const raw = chs.map((_, i) => hexValues[hexValues.length === 1 ? 0 : i]);
    const values = raw.map((h) => Crate.checkValue(d, d.type === ParamType.NUMERIC ? hexToFloat(h) : hexToUint(h)));
    if (d.type === ParamType.CMD) return;
    const now = this.clock();
    channels.forEach((c, i) => c.physics.set(d.name as keyof ChannelSettings, values[i], now));
  }

  // ---------- system properties and commands ----------

  sysPropList(): string[] {
    return [...this.sysProps.keys()];
  }

  private sysProp(name: string): SysProp {
    const p = this.sysProps.get(name);
    if (!p) throw new SimError(Code.NOTSYSPROP, `Not a system property: ${name}`);
    return p;
  }

  sysPropInfo(name: string): { mode: number; type: number } {
    const p = this.sysProp(name);
    return { mode: p.mode, type: p.type };
  }

  getSysProp(name: string): { type: number; value: WireValue } {
    const p = this.sysProp(name);
    if (p.mode === ParamMode.WRONLY) throw new SimError(Code.NOTGETPROP, `Not a readable property: ${name}`);
    const v = p.get();
    return { type: p.type, value: typeof v === 'string' ? v.slice(0, 1023) : p.type === SysPropType.REAL ? formatFloat(v) : v };
  }

  setSysProp(name: string, text: string): void {
    const p = this.sysProp(name);
    if (p.mode === ParamMode.RDONLY || !p.set) throw new SimError(Code.NOTSETPROP, `Not a settable property: ${name} is read-only`);
    if (p.type === SysPropType.STR) {
      if (text.length > 1023) throw new SimError(Code.OUTOFRANGE, `Value out of range: ${name} takes at most 1023 characters`);
      p.set(text);
      return;
    }
    const v = Number(text);
    const ranges: Record<number, [number, number]> = { 2: [0, 65535], 3: [0, 2 ** 32 - 1], 4: [-32768, 32767], 5: [-(2 ** 31), 2 ** 31 - 1], 6: [0, 1] };
    const [lo, hi] = ranges[p.type] ?? [-Infinity, Infinity];
    if (!Number.isFinite(v) || v < lo || v > hi) throw new SimError(Code.OUTOFRANGE, `Value out of range: ${name} = ${text}`);
    p.set(v);
  }

  commands(): string[] {
    return [...Commands];
  }

  exec(name: string): void {
    const now = this.clock();
    const all = this.slots.flatMap((b) => b?.channels ?? []);
    if (name === 'Kill') for (const c of all) { c.physics.advance(now); c.physics.kill(); }
    else if (name === 'ClearAlarm') for (const c of all) c.physics.clearAlarm();
    else if ((Commands as readonly string[]).includes(name)) return; // EnMsg, DisMsg, Format, RS232CmdOff: accepted, nothing to simulate
    else throw new SimError(Code.EXECNOTFOUND, `Command not found: ${name} (commands: ${Commands.join(', ')})`);
  }

  // ---------- operator and fault hooks (control API) ----------

  removeBoard(slot: number): void {
    const b = this.board(slot);
    this.removed.set(slot, b);
    this.slots[slot] = null;
  }

  insertBoard(slot: number): void {
    const b = this.removed.get(slot);
    if (!b) throw new SimError(Code.SLOTNOTPRES, `No board was removed from slot ${slot}`);
    const now = this.clock();
    for (const c of b.channels) c.physics.reset(now);
    this.removed.delete(slot);
    this.slots[slot] = b;
  }

  trip(slot: number, ch: number): void {
    const c = this.channel(this.board(slot), ch);
    c.physics.advance(this.clock());
    c.physics.trip();
  }

  /** Sets a channel value as an operator at the crate would: a parameter (with its limits), LoadMOhm or name. */
  setChannel(slot: number, ch: number, param: string, value: number | string): void {
    const b = this.board(slot);
    const c = this.channel(b, ch);
    const now = this.clock();
    if (param === 'name') {
      this.setChName(slot, String(value), [ch]);
    } else if (param === 'LoadMOhm') {
      if (typeof value !== 'number' || !(value > 0)) throw new SimError(Code.OUTOFRANGE, 'LoadMOhm must be a number above 0');
      c.physics.setLoad(value, now);
    } else {
      const d = this.chParamDef(b, param);
      if (d.mode === ParamMode.RDONLY || !(SETTING_NAMES as readonly string[]).includes(param))
        throw new SimError(Code.NOTSETPROP, `Not a settable parameter: ${param} is read-only`);
      const v = typeof value === 'number' ? value : d.type === ParamType.ONOFF ? (value === d.onState ? 1 : value === d.offState ? 0 : NaN) : Number(value);
      c.physics.set(param as keyof ChannelSettings, Crate.checkValue(d, v), now);
    }
  }

  /** Every parameter of a channel as numbers (the values the library would return), plus name and load. */
  channelState(slot: number, ch: number): { name: string; LoadMOhm: number; params: Record<string, number> } {
    const b = this.board(slot);
    const c = this.channel(b, ch);
    const now = this.clock();
    const params: Record<string, number> = {};
    for (const d of b.model.chParams) params[d.name] = Number(this.readChannel(b, c, ch, d, now));
    return { name: c.name, LoadMOhm: c.physics.loadMOhm, params };
  }

  setTemperature(slot: number, celsius: number): void {
    this.board(slot).temperatureC = celsius;
  }

  /** Fault injection: channel Status bits shown on top of the physics (0 clears them). */
  injectChannelStatus(slot: number, ch: number, bits: number): void {
    if (!Number.isInteger(bits) || bits < 0 || bits > 0xffff) throw new SimError(Code.OUTOFRANGE, 'bits must be an integer 0..65535');
    this.channel(this.board(slot), ch).physics.injectedBits = bits;
  }

  /** Fault injection: BdStatus bits (0 clears them; temperature bits also follow the board Temp). */
  injectBoardStatus(slot: number, bits: number): void {
    if (!Number.isInteger(bits) || bits < 0 || bits > 0xffff) throw new SimError(Code.OUTOFRANGE, 'bits must be an integer 0..65535');
    this.board(slot).injectedBits = bits;
  }
}
