// What describes a simulated crate (the normalized form of a crates file entry) and the default crate.
import { BoardModels, GemElectrodes } from './catalog.js';
import type { ChannelSettings } from './physics.js';

/** host and port of a TCP server (the control API) */
export interface ListenAddress {
  host: string;
  port: number;
}

/** Where a crate listens: an IPv4 address (always on CRATE_PORT), or a random free loopback address. */
export type CrateAddress = string | 'random';

export interface ChannelSpec extends Partial<ChannelSettings> {
  name?: string;
  /** the load the channel drives (MOhm): IMon (uA) = VMon (V) / LoadMOhm */
  LoadMOhm?: number;
}

export interface BoardSpec {
  model: string;
  serial?: number;
  temperatureC?: number;
  /** applied to every channel of the board before its own entry */
  channelDefaults?: ChannelSpec;
  channels?: Record<number, ChannelSpec>;
}

export interface CrateSpec {
  name: string;
  /** SY1527 | SY2527 | SY4527 | SY5527 */
  system: string;
  /** the crate's IPv4 address (it listens on CRATE_PORT there), or 'random' */
  address: CrateAddress;
  modelName: string;
  swRelease: string;
  /** user name -> password */
  users: Record<string, string>;
  slots: Record<number, BoardSpec>;
  /** false: no measurement noise (VMon, IMon, Temp, CPULoad read their exact values), for golden tests; default true */
  noise?: boolean;
}

export const DEFAULT_HOST = '127.0.0.1';
/** The TCP port every crate listens on and CAEN's library always connects to (docs/caen-wrapper.md §11). */
export const CRATE_PORT = 2527;

/** A random address of 127.100.0.1 - 127.254.255.254 (all loopback on Linux), for crates started side by side. */
export function randomLoopback(): string {
  const r = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));
  return `127.${r(100, 254)}.${r(0, 255)}.${r(1, 254)}`;
}

/** Divider resistors of the original gemcaen (MOhm), used to give the demo GEM stacks realistic voltages. */
const DividerMOhm = [0.625007477, 0.525001495, 0.874992523, 0.550002991, 0.438004665, 0.560006579, 1.125007477];

function gemChannels(): Record<number, ChannelSpec> {
  const channels: Record<number, ChannelSpec> = {};
  for (let ch = 0; ch < 14; ch++) {
    const layer = ch < 7 ? 1 : 2;
    const ieqUa = layer === 1 ? 700 : 690;
    channels[ch] = {
      name: `GEM${layer}_${GemElectrodes[ch % 7]}`,
      V0Set: Math.round(ieqUa * DividerMOhm[ch % 7]),
      Pw: 1,
    };
  }
  return channels;
}

/** The crate `gemcaen sim` plays without --crates: an SY4527 "demo" with A1515TG, A1535 and A1536 boards. */
export function defaultCrate(address: CrateAddress = DEFAULT_HOST): CrateSpec {
  const a1535: Record<number, ChannelSpec> = {};
  for (let ch = 0; ch < 4; ch++) a1535[ch] = { name: `DRIFT${ch}`, V0Set: 1500 + 500 * ch, Pw: 1 };
  return {
    name: 'demo',
    system: 'SY4527',
    address,
    modelName: 'SY4527',
    swRelease: '1.4.1',
    users: { admin: 'admin' },
    slots: {
      0: {
        model: 'A1515TG',
        serial: 1515,
        temperatureC: 31.5,
        channelDefaults: { I0Set: 5, RUp: 20, RDWn: 50, Trip: 2, SVMax: 900, PDwn: 0, LoadMOhm: BoardModels.A1515TG.defaultLoadMOhm },
        channels: gemChannels(),
      },
      2: {
        model: 'A1535',
        serial: 1535,
        temperatureC: 29.0,
        channelDefaults: { I0Set: 20, RUp: 50, RDWn: 50, Trip: 1, SVMax: 3500, LoadMOhm: 1000 },
        channels: a1535,
      },
      5: {
        model: 'A1536',
        serial: 1536,
        temperatureC: 30.2,
        channelDefaults: { I0Set: 100, RUp: 10, RDWn: 10, Trip: 1, SVMax: 1500, LoadMOhm: 2 },
        channels: { 18: { name: 'LV_CH18', V0Set: 120, Pw: 1 } },
      },
    },
  };
}
