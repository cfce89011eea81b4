// Loads a crates file (YAML) into crate specs. Every problem is one line naming the file, the key and the fix.
import { readFileSync } from 'node:fs';
import { parse, YAMLParseError } from 'yaml';
import { BoardModels, SlotCount, SystemTypes } from './catalog.js';
import { isIP } from 'node:net';
import { CRATE_PORT, type BoardSpec, type ChannelSpec, type CrateSpec, type ListenAddress } from './crate-spec.js';

/** A crates file or command-line value the simulator cannot use. */
export class SimInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimInputError';
  }
}

/** host:port of the control API. */
export function parseListen(text: string, what: string): ListenAddress {
  const m = /^([^:\s]+):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new SimInputError(`${what}: "${text}" is not HOST:PORT (e.g. 127.0.0.1:7990)`);
  return { host: m[1], port };
}

/** A crate's address: a bare IPv4 address; the crate listens on its TCP port CRATE_PORT, as a real one does. */
export function parseCrateAddress(text: string, what: string): string {
  const t = text.trim();
  if (isIP(t) === 4) return t;
  const reason = /:\d*$/.test(t) ? `a crate always listens on port ${CRATE_PORT}: give the address alone` : 'expected an IPv4 address';
  throw new SimInputError(`${what}: "${text}" is not usable (${reason}, e.g. 127.0.0.2)`);
}

/** The default address of the i-th crate of a file: 127.0.0.1, 127.0.0.2, ... */
export function defaultCrateAddress(i: number): string {
  return `127.0.${Math.floor((i + 1) / 256)}.${(i + 1) % 256}`;
}

const NUMERIC_KEYS = ['V0Set', 'I0Set', 'V1Set', 'I1Set', 'RUp', 'RDWn', 'Trip', 'SVMax', 'TripInt', 'TripExt', 'LoadMOhm'] as const;
const ONOFF_KEYS: Record<string, [string, string]> = { Pw: ['On', 'Off'], POn: ['Enabled', 'Disabled'], PDwn: ['Ramp', 'Kill'] };

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

function onOff(value: unknown, key: string, where: string): number {
  const [on, off] = ONOFF_KEYS[key];
  if (value === true || value === 1 || value === on) return 1;
  if (value === false || value === 0 || value === off) return 0;
  throw new SimInputError(`${where}.${key}: ${JSON.stringify(value)} is not ${on}/${off} (or true/false)`);
}

function channelSpec(raw: unknown, where: string): ChannelSpec {
  if (!isObj(raw)) throw new SimInputError(`${where}: expected a mapping of channel settings`);
  const spec: ChannelSpec = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'name') {
      if (typeof value !== 'string' || value.length === 0 || value.length > 11)
        throw new SimInputError(`${where}.name: channel names are 1 to 11 characters`);
      spec.name = value;
    } else if ((NUMERIC_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        throw new SimInputError(`${where}.${key}: ${JSON.stringify(value)} is not a non-negative number`);
      if (key === 'LoadMOhm' && value === 0) throw new SimInputError(`${where}.LoadMOhm: must be above 0`);
      (spec as Record<string, number>)[key] = value;
    } else if (key in ONOFF_KEYS) {
      (spec as Record<string, number>)[key] = onOff(value, key, where);
    } else {
      throw new SimInputError(`${where}: unknown key "${key}" (known: name, ${NUMERIC_KEYS.join(', ')}, Pw, POn, PDwn)`);
    }
  }
  return spec;
}

function index(key: string, max: number, where: string, what: string): number {
  const n = Number(key);
  if (!/^\d+$/.test(key) || n >= max) throw new SimInputError(`${where}: ${what} "${key}" is not an integer from 0 to ${max - 1}`);
  return n;
}

function boardSpec(raw: unknown, where: string): BoardSpec {
  if (!isObj(raw)) throw new SimInputError(`${where}: expected a mapping with model, channels...`);
  const model = raw.model;
  if (typeof model !== 'string' || !(model in BoardModels))
    throw new SimInputError(`${where}.model: ${JSON.stringify(model)} is not a known board (known: ${Object.keys(BoardModels).join(', ')})`);
  const spec: BoardSpec = { model };
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'model') continue;
    if (key === 'serial' || key === 'temperatureC') {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new SimInputError(`${where}.${key}: expected a number`);
      spec[key] = value;
    } else if (key === 'channelDefaults') {
      spec.channelDefaults = channelSpec(value, `${where}.channelDefaults`);
    } else if (key === 'channels') {
      if (!isObj(value)) throw new SimInputError(`${where}.channels: expected a mapping channel -> settings`);
      spec.channels = {};
      for (const [ch, c] of Object.entries(value)) {
        const n = index(ch, BoardModels[model].channels, `${where}.channels`, `channel of ${model}`);
        spec.channels[n] = channelSpec(c, `${where}.channels.${ch}`);
      }
    } else {
      throw new SimInputError(`${where}: unknown key "${key}" (known: model, serial, temperatureC, channelDefaults, channels)`);
    }
  }
  return spec;
}

function crateSpec(raw: unknown, i: number, where: string): CrateSpec {
  if (!isObj(raw)) throw new SimInputError(`${where}: expected a mapping with name, system, slots...`);
  const known = ['name', 'system', 'address', 'modelName', 'swRelease', 'users', 'slots', 'noise'];
  for (const key of Object.keys(raw)) {
    if (key === 'listen') throw new SimInputError(`${where}: "listen" is now "address": the crate's IPv4 address alone (the port is always ${CRATE_PORT})`);
    if (!known.includes(key)) throw new SimInputError(`${where}: unknown key "${key}" (known: ${known.join(', ')})`);
  }
  const name = raw.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(name))
    throw new SimInputError(`${where}.name: expected a name of letters, digits, _ . -`);
  const system = raw.system ?? 'SY4527';
  if (typeof system !== 'string' || !(system in SystemTypes))
    throw new SimInputError(`${where}.system: ${JSON.stringify(system)} is not one of ${Object.keys(SystemTypes).join(', ')}`);
  const address = raw.address === undefined ? defaultCrateAddress(i) : parseCrateAddress(String(raw.address), `${where}.address`);
  let users: Record<string, string> = { admin: 'admin' };
  if (raw.users !== undefined) {
    if (!isObj(raw.users) || Object.keys(raw.users).length === 0) throw new SimInputError(`${where}.users: expected a mapping user -> password`);
    users = {};
    for (const [u, p] of Object.entries(raw.users)) users[u] = String(p);
  }
  if (raw.noise !== undefined && typeof raw.noise !== 'boolean') throw new SimInputError(`${where}.noise: ${JSON.stringify(raw.noise)} is not true/false`);
  const slots: Record<number, BoardSpec> = {};
  if (!isObj(raw.slots)) throw new SimInputError(`${where}.slots: expected a mapping slot -> board`);
  for (const [slot, b] of Object.entries(raw.slots)) {
    const n = index(slot, SlotCount[system], `${where}.slots`, `slot of an ${system}`);
    slots[n] = boardSpec(b, `${where}.slots.${slot}`);
  }
  return {
    name,
    system,
    address,
    modelName: typeof raw.modelName === 'string' ? raw.modelName : system,
    swRelease: raw.swRelease === undefined ? '1.4.1' : String(raw.swRelease),
    users,
    slots,
    ...(raw.noise === false ? { noise: false } : {}),
  };
}

/** Parses the text of a crates file; `file` names it in messages. */
export function parseCrates(text: string, file: string): CrateSpec[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    const msg = err instanceof YAMLParseError ? err.message.split('\n')[0] : String(err);
    throw new SimInputError(`crates file ${file}: not valid YAML: ${msg}`);
  }
  if (!isObj(doc) || !Array.isArray(doc.crates) || doc.crates.length === 0)
    throw new SimInputError(`crates file ${file}: expected a top-level "crates:" list with at least one crate`);
  const crates = doc.crates.map((c, i) => crateSpec(c, i, `crates file ${file}: crates[${i}]`));
  const names = new Set<string>();
  const addresses = new Set<string>();
  for (const c of crates) {
    if (names.has(c.name)) throw new SimInputError(`crates file ${file}: crate name "${c.name}" is used twice`);
    names.add(c.name);
    if (addresses.has(c.address)) throw new SimInputError(`crates file ${file}: address ${c.address} is used twice (one crate per address)`);
    addresses.add(c.address);
  }
  return crates;
}

export function loadCratesFile(file: string): CrateSpec[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new SimInputError(`crates file ${file}: cannot read it (${code})`);
  }
  return parseCrates(text, file);
}
