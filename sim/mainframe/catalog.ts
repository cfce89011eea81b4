// The board models the simulator knows, with their channel and board parameters (docs/caen-wrapper.md §4, §9),
// and the system properties and commands of an SYx527 mainframe.

export const ParamType = { NUMERIC: 0, ONOFF: 1, CHSTATUS: 2, BDSTATUS: 3, BINARY: 4, STRING: 5, ENUM: 6, CMD: 7 } as const;
export const ParamMode = { RDONLY: 0, WRONLY: 1, RDWR: 2 } as const;
export const Unit = { NONE: 0, AMPERE: 1, VOLT: 2, WATT: 3, CELSIUS: 4, HERTZ: 5, BAR: 6, VPS: 7, SECOND: 8 } as const;
export const SysPropType = { STR: 0, REAL: 1, UINT2: 2, UINT4: 3, INT2: 4, INT4: 5, BOOLEAN: 6 } as const;

export const SystemTypes: Record<string, number> = { SY1527: 0, SY2527: 1, SY4527: 2, SY5527: 3 };
/** Slots of each mainframe model. */
export const SlotCount: Record<string, number> = { SY1527: 16, SY2527: 6, SY4527: 16, SY5527: 6 };

export interface ParamDef {
  name: string;
  type: number;
  mode: number;
  min?: number;
  max?: number;
  unit?: number;
  exp?: number;
  decimal?: number;
  onState?: string;
  offState?: string;
}

export interface BoardModel {
  model: string;
  description: string;
  channels: number;
  /** hardware voltage limit (V) */
  vmax: number;
  /** hardware current limit (uA) */
  imaxUa: number;
  /** decimals of the current parameters (uA) */
  iDecimal: number;
  /** the load a channel drives when the crates file gives none (MOhm) */
  defaultLoadMOhm: number;
  fmwMin: number;
  fmwMax: number;
  chParams: ParamDef[];
  bdParams: ParamDef[];
}

function channelParams(vmax: number, imaxUa: number, iDecimal: number, rateMax: number): ParamDef[] {
  const { NUMERIC, ONOFF, CHSTATUS, BINARY } = ParamType;
  const { RDONLY, RDWR } = ParamMode;
  const volt = { type: NUMERIC, unit: Unit.VOLT, exp: 0, decimal: 1, min: 0, max: vmax };
  const amp = { type: NUMERIC, unit: Unit.AMPERE, exp: -6, decimal: iDecimal, min: 0, max: imaxUa };
  const rate = { type: NUMERIC, unit: Unit.VPS, exp: 0, decimal: 0, min: 1, max: rateMax };
  return [
    { name: 'V0Set', mode: RDWR, ...volt },
    { name: 'I0Set', mode: RDWR, ...amp },
    { name: 'V1Set', mode: RDWR, ...volt },
    { name: 'I1Set', mode: RDWR, ...amp },
    { name: 'RUp', mode: RDWR, ...rate },
    { name: 'RDWn', mode: RDWR, ...rate },
    { name: 'Trip', mode: RDWR, type: NUMERIC, unit: Unit.SECOND, exp: 0, decimal: 1, min: 0, max: 1000 },
    { name: 'SVMax', mode: RDWR, ...volt },
    { name: 'VMon', mode: RDONLY, ...volt, max: vmax * 1.05 },
    { name: 'IMon', mode: RDONLY, ...amp, max: imaxUa * 1.05 },
    { name: 'Status', mode: RDONLY, type: CHSTATUS },
    { name: 'Pw', mode: RDWR, type: ONOFF, onState: 'On', offState: 'Off' },
    { name: 'POn', mode: RDWR, type: ONOFF, onState: 'Enabled', offState: 'Disabled' },
    { name: 'PDwn', mode: RDWR, type: ONOFF, onState: 'Ramp', offState: 'Kill' },
    { name: 'TripInt', mode: RDWR, type: BINARY },
    { name: 'TripExt', mode: RDWR, type: BINARY },
  ];
}

function boardParams(vmax: number): ParamDef[] {
  return [
    { name: 'BdStatus', type: ParamType.BDSTATUS, mode: ParamMode.RDONLY },
    { name: 'HVMax', type: ParamType.NUMERIC, mode: ParamMode.RDONLY, unit: Unit.VOLT, exp: 0, decimal: 0, min: 0, max: vmax },
    { name: 'Temp', type: ParamType.NUMERIC, mode: ParamMode.RDONLY, unit: Unit.CELSIUS, exp: 0, decimal: 1, min: -20, max: 125 },
  ];
}

function model(m: Omit<BoardModel, 'chParams' | 'bdParams'> & { rateMax: number }): BoardModel {
  const { rateMax, ...rest } = m;
  return { ...rest, chParams: channelParams(m.vmax, m.imaxUa, m.iDecimal, rateMax), bdParams: boardParams(m.vmax) };
}

export const BoardModels: Record<string, BoardModel> = {
  A1535: model({
    model: 'A1535', description: ' 24 Ch 3.5KV/3mA ', channels: 24, vmax: 3500, imaxUa: 3000, iDecimal: 2,
    defaultLoadMOhm: 1000, fmwMin: 3, fmwMax: 1, rateMax: 500,
  }),
  A1536: model({
    model: 'A1536', description: ' 36 Ch 1.5KV/1mA ', channels: 36, vmax: 1500, imaxUa: 1000, iDecimal: 2,
    defaultLoadMOhm: 500, fmwMin: 2, fmwMax: 1, rateMax: 500,
  }),
  A1515TG: model({
    model: 'A1515TG', description: ' 14 Ch Float 1KV/20uA ', channels: 14, vmax: 1000, imaxUa: 20, iDecimal: 3,
    defaultLoadMOhm: 2000, fmwMin: 4, fmwMax: 1, rateMax: 100,
  }),
};

/** Electrode suffixes of a triple-GEM layer on an A1515TG, by channel index mod 7. */
export const GemElectrodes = ['G3BOT', 'G3TOP', 'G2BOT', 'G2TOP', 'G1BOT', 'G1TOP', 'G0BOT'] as const;

/** The SYx527 exec commands (docs/caen-wrapper.md §9); Kill and ClearAlarm act, the others are accepted. */
export const Commands = ['Kill', 'ClearAlarm', 'EnMsg', 'DisMsg', 'Format', 'RS232CmdOff'] as const;
