// The shapes the binding returns. They mirror the header's data, converted to plain JS values.
import type { ParamModeName, ParamTypeName } from './codes.js';

/** What InitSystem needs. `systemType`/`linkType` are header names (SY4527, TCPIP). Arg is `address`. */
export interface LoginOptions {
  systemType: string;
  linkType: string;
  /** InitSystem Arg: the IP address for TCPIP (resolve host names first), "0_0_33110000" for USB… */
  address: string;
  user: string;
  password: string;
}

/** One slot of the crate map (GetCrateMap) or one TestBdPresence answer. */
export interface BoardInfo {
  slot: number;
  /** e.g. "A1515TG"; empty string for an empty slot */
  model: string;
  description: string;
  /** number of channels (0 for an empty slot) */
  channels: number;
  serial: number;
  /** "maj.min" from FmwRelMax.FmwRelMin */
  firmware: string;
}

/** The properties of one channel or board parameter (GetChParamProp / GetBdParamProp), read once per connection. */
export interface ParamMeta {
  name: string;
  type: ParamTypeName | 'UNKNOWN';
  /** the raw PARAM_TYPE number (useful when `type` is UNKNOWN) */
  typeCode: number;
  mode: ParamModeName | 'UNKNOWN';
  /** NUMERIC and ENUM */
  min?: number;
  max?: number;
  /** NUMERIC: PARAM_UN_* code and its symbol ("V", "A", "°C", "V/s") */
  unitCode?: number;
  unit?: string;
  /** NUMERIC: power of ten of the unit (-6 → micro) */
  exp?: number;
  /** NUMERIC: decimal digits shown */
  decimal?: number;
  /** ONOFF: the texts of 1 and 0 ("On"/"Off", "Enabled"/"Disabled", "Kill"/"Ramp") */
  onState?: string;
  offState?: string;
}

/** A system property's mode and type (GetSysPropInfo). */
export interface SysPropInfo {
  name: string;
  mode: number;
  type: number;
}
