// The slice of the CAEN binding (CaenMainframe) that changing a set point needs. Every method is one
// wrapper call (paramMeta: several on a cache miss, then cached per connection).
import type { BoardInfo, ParamMeta } from '../caen/types.js';

export interface ControlSession {
  readonly systemType: string;
  boardPresence(slot: number): BoardInfo | undefined;
  chParamNames(slot: number, channel: number): string[];
  paramMeta(slot: number, param: string, channel?: number): ParamMeta;
  readChParam(slot: number, param: string, channels: readonly number[]): number[];
  writeChParam(slot: number, param: string, channels: readonly number[], value: number): void;
  channelNames(slot: number, channels: readonly number[]): string[];
}
