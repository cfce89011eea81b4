// After the schema: the checks that span keys and setups, then the typed GemcaenConfig.
// Works on the raw tree defensively (a key with a schema error is skipped, not reported twice).
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_RESISTORS_MOHM, layerChannels } from '../gem/resistors.js';
import { isLoopbackIPv4, parseHostPort, parseMainframeHost } from './address.js';
import { didYouMean, type IssueList, type KeyPath, SETTINGS_KEY } from './issues.js';
import { auditFileOf, controlDirectoryOf } from './paths.js';
import { defaultOf, definition } from './schema.js';
import { buildWebSettings } from './web.js';
import { Secret } from './secret.js';
import { SINK_PLUGINS } from '../writer/sinks/registry.js';
import {
  type AlarmSettings,
  LINK_TYPES,
  type ChannelVoltLimit,
  type EventModeConfig,
  type GemcaenConfig,
  type LinkTypeName,
  type MainframeConfig,
  type Settings,
  type SetupConfig,
  type SinkConfig,
  SYSTEM_TYPES,
  type SystemTypeName,
} from './types.js';

type Raw = Record<string, unknown>;

/** Channel parameters gemcaen knows (boards differ: other names are read if the board has them). */
export const KNOWN_MONITORABLES = [
  'VMon', 'IMon', 'V0Set', 'V1Set', 'I0Set', 'I1Set', 'RUp', 'RDWn', 'Trip', 'SVMax', 'Pw', 'POn', 'PDwn',
  'Status', 'Ieq', 'Temp', 'BdStatus', 'ImonRange', 'IMonRange', 'IMonH', 'IMonL', 'TripInt', 'TripExt', 'ZCDetect', 'ZCAdjust', 'HVMax',
] as const;

export interface BuildOptions {
  file: string;
  /** base of relative paths (default process.cwd()) */
  cwd: string;
}

const isRecord = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';

/** A path relative to the working directory made absolute; a bare library name is left to the dynamic loader. */
function resolvePath(cwd: string, p: string, bareNameAllowed = false): string {
  if (bareNameAllowed && !p.includes('/')) return p;
  return isAbsolute(p) ? p : resolve(cwd, p);
}

interface BuiltSink {
  sink: SinkConfig;
  /** compared between setups that share the sink coordinates; never printed */
  credentials: string;
  firstSetup: string;
}

/**
 * Runs the cross-field checks over a schema-checked tree and returns the config, or undefined when
 * an error was recorded in `issues`.
 */
export function buildConfig(tree: Raw, issues: IssueList, options: BuildOptions): GemcaenConfig | undefined {
  const { cwd } = options;
  const settingsRaw = isRecord(tree[SETTINGS_KEY]) ? (tree[SETTINGS_KEY] as Raw) : {};
  const settings = buildSettings(settingsRaw, issues, cwd);

  const setupNames = Object.keys(tree).filter((k) => k !== SETTINGS_KEY);
  const mainframes = new Map<string, MainframeConfig>();
  const mainframeOwner = new Map<string, { setup: string; block: Raw }>();
  const sinks = new Map<string, BuiltSink>();
  const setups = new Map<string, SetupConfig>();

  for (const name of setupNames) {
    const raw = tree[name];
    if (!isRecord(raw)) continue; // reported by the schema
    const setup = buildSetup(name, raw, issues, cwd, mainframes, mainframeOwner, sinks);
    if (setup) setups.set(name, setup);
  }

  warnOverlaps(setups, issues);
  shareChannelLimits(setups);
  const groups = buildGroups(settingsRaw, setupNames, issues);

  if (issues.errors.length > 0) return undefined;
  return {
    file: options.file,
    settings,
    mainframes,
    sinks: new Map([...sinks].map(([id, s]) => [id, s.sink])),
    setups,
    groups,
    warnings: issues.warnings,
  };
}

function buildSettings(raw: Raw, issues: IssueList, cwd: string): Settings {
  const pick = <T>(key: string, ok: (v: unknown) => boolean): T => (ok(raw[key]) ? (raw[key] as T) : defaultOf<T>('settings', key));
  const healthListen = pick<string>('HealthListen', isString);
  const metricsListen = pick<string>('MetricsListen', isString);
  if (metricsListen !== '') {
    const parsed = parseHostPort(metricsListen, true);
    if ('reason' in parsed) issues.error([SETTINGS_KEY, 'MetricsListen'], 'CONFIG_BAD_LISTEN', `must be host:port (e.g. 127.0.0.1:9464) or "" for /metrics on the health endpoint: ${parsed.reason}`);
    else if (parsed.port === undefined) issues.error([SETTINGS_KEY, 'MetricsListen'], 'CONFIG_LISTEN_NEEDS_PORT', `needs a port: write ${metricsListen}:9464`);
  }
  if (healthListen !== '' && isString(raw.HealthListen)) {
    const parsed = parseHostPort(healthListen, true);
    if ('reason' in parsed) issues.error([SETTINGS_KEY, 'HealthListen'], 'CONFIG_BAD_LISTEN', `must be host:port (e.g. 127.0.0.1:8765) or "" to disable: ${parsed.reason}`);
    else if (parsed.port === undefined) issues.error([SETTINGS_KEY, 'HealthListen'], 'CONFIG_LISTEN_NEEDS_PORT', `needs a port: write ${healthListen}:8765 (or "" to disable)`);
    else if (parsed.host === '0.0.0.0' || parsed.host === '::')
      issues.warn([SETTINGS_KEY, 'HealthListen'], 'CONFIG_LISTEN_ALL_INTERFACES', `${healthListen} listens on every network interface: anyone who can reach this machine reads /health and /readings (crates, setups, voltages); write 127.0.0.1:${parsed.port} unless that is wanted`);
  }
  const logDirectory = resolvePath(cwd, pick<string>('LogDirectory', isString));
  const spoolDirectory = resolvePath(cwd, pick<string>('SpoolDirectory', isString));
  const auditFile = pick<string>('AuditFile', isString);
  const controlDirectory = pick<string>('ControlDirectory', isString);
  return {
    logLevel: pick<Settings['logLevel']>('LogLevel', isString),
    logDirectory,
    spoolDirectory,
    spoolMaxMegabytes: pick<number>('SpoolMaxMegabytes', isNumber),
    auditFile: auditFileOf({ logDirectory, auditFile: auditFile && resolvePath(cwd, auditFile) }),
    controlDirectory: controlDirectoryOf({ spoolDirectory, controlDirectory: controlDirectory && resolvePath(cwd, controlDirectory) }),
    healthListen,
    batchMaxLines: pick<number>('BatchMaxLines', isNumber),
    batchMaxMilliseconds: pick<number>('BatchMaxMilliseconds', isNumber),
    ...(isRecord(raw.Web) ? { web: buildWebSettings(raw.Web, issues, (p) => resolvePath(cwd, p)) } : {}),
    // optional keys appear only when written (readers go through alarmSettingsOf / ?? '')
    ...(isString(raw.MetricsListen) ? { metricsListen } : {}),
    ...(isRecord(raw.Alarms) ? { alarms: buildAlarms(raw.Alarms) } : {}),
  };
}

/** The alarm settings of a config; the schema's defaults when it has none (settings built by hand). */
export function alarmSettingsOf(settings: Pick<Settings, 'alarms'>): AlarmSettings {
  return settings.alarms ?? buildAlarms({});
}

/** gemcaen.Alarms, schema-checked: defaults filled in, webhook URLs wrapped as secrets. */
function buildAlarms(raw: Raw): AlarmSettings {
  const node = definition('settings').properties?.Alarms?.properties ?? {};
  const list = (key: string): string[] => (Array.isArray(raw[key]) ? (raw[key] as unknown[]).filter(isString) : [...((node[key]?.default as string[] | undefined) ?? [])]);
  const hooks = Array.isArray(raw.Webhooks) ? raw.Webhooks.filter(isRecord) : [];
  return {
    channelBits: list('ChannelBits'),
    boardBits: list('BoardBits'),
    webhooks: hooks.filter((h) => isString(h.URL)).map((h) => ({ url: new Secret(h.URL as string), format: h.Format === 'slack' ? 'slack' : 'json' })),
    groupSeconds: isNumber(raw.GroupSeconds) ? raw.GroupSeconds : ((node.GroupSeconds?.default as number | undefined) ?? 2),
  };
}

function buildGroups(settingsRaw: Raw, setupNames: readonly string[], issues: IssueList): Map<string, readonly string[]> {
  const groups = new Map<string, readonly string[]>();
  const raw = settingsRaw.Groups;
  if (!isRecord(raw)) return groups;
  const known = new Set(setupNames);
  for (const [group, members] of Object.entries(raw)) {
    const path: KeyPath = [SETTINGS_KEY, 'Groups', group];
    if (known.has(group)) {
      issues.error(path, 'CONFIG_GROUP_NAME_CLASH', `group ${group} has the name of a setup; rename the group (a name on the command line must mean one thing)`);
      continue;
    }
    if (!Array.isArray(members) || !members.every(isString)) continue; // reported by the schema
    let ok = true;
    members.forEach((m, i) => {
      if (!known.has(m)) {
        ok = false;
        const guess = didYouMean(m, setupNames);
        const nested = Object.prototype.hasOwnProperty.call(raw, m) ? ' (groups cannot contain groups)' : '';
        issues.error([...path, i], 'CONFIG_GROUP_UNKNOWN_SETUP', `${m} is not a setup${nested}${guess ? `; did you mean ${guess}?` : ''} (setups: ${setupNames.join(', ') || 'none'})`);
      }
    });
    if (ok) groups.set(group, [...new Set(members)]);
  }
  return groups;
}

function buildSetup(
  name: string,
  raw: Raw,
  issues: IssueList,
  cwd: string,
  mainframes: Map<string, MainframeConfig>,
  mainframeOwner: Map<string, { setup: string; block: Raw }>,
  sinks: Map<string, BuiltSink>,
): SetupConfig | undefined {
  const p = (...keys: (string | number)[]): KeyPath => [name, ...keys];
  const isGEM = raw.isGEMDetector === true;
  const gemKnown = typeof raw.isGEMDetector === 'boolean';

  // --- BOARD: LAYER for GEM, CHANNELS otherwise
  let channels: number[] | undefined;
  let layer: 1 | 2 | undefined;
  const board = isRecord(raw.BOARD) ? raw.BOARD : undefined;
  if (board && gemKnown) {
    const hasLayer = board.LAYER !== undefined;
    const hasChannels = board.CHANNELS !== undefined;
    if (isGEM) {
      if (hasChannels) issues.error(p('BOARD', 'CHANNELS'), 'CONFIG_NOT_FOR_GEM', 'is for isGEMDetector: false; a GEM setup names its layer instead: LAYER: 1 (channels 0-6) or 2 (channels 7-13), or set isGEMDetector: false');
      else if (!hasLayer) issues.error(p('BOARD', 'LAYER'), 'CONFIG_MISSING_KEY', 'is missing; a GEM setup (isGEMDetector: true) needs LAYER: 1 (channels 0-6) or 2 (channels 7-13)');
      else if (board.LAYER === 1 || board.LAYER === 2) {
        layer = board.LAYER;
        channels = layerChannels(layer);
      }
    } else {
      if (hasLayer) issues.error(p('BOARD', 'LAYER'), 'CONFIG_GEM_ONLY', 'is for GEM setups (isGEMDetector: true); a plain setup lists CHANNELS: [0, 1, ...] instead');
      else if (!hasChannels) issues.error(p('BOARD', 'CHANNELS'), 'CONFIG_MISSING_KEY', 'is missing; a setup with isGEMDetector: false needs CHANNELS, a list of channel numbers like [18] or [0, 1, 2, 3]');
      else if (Array.isArray(board.CHANNELS) && board.CHANNELS.every((c) => Number.isInteger(c) && (c as number) >= 0)) {
        const list = board.CHANNELS as number[];
        const seen = new Set<number>();
        for (const c of list) {
          if (seen.has(c)) issues.error(p('BOARD', 'CHANNELS'), 'CONFIG_DUPLICATE_ITEM', `lists channel ${c} twice; each channel once`);
          seen.add(c);
        }
        channels = [...seen];
      }
    }
  }

  // --- Monitorables
  const monitorables = Array.isArray(raw.Monitorables) && raw.Monitorables.every(isString) ? (raw.Monitorables as string[]) : undefined;
  if (monitorables) {
    const known = KNOWN_MONITORABLES as readonly string[];
    monitorables.forEach((m, i) => {
      if (m === 'Ieq' && gemKnown && !isGEM) {
        issues.error(p('Monitorables', i), 'CONFIG_GEM_ONLY', 'Ieq (equivalent divider current) exists only for GEM setups; remove it or set isGEMDetector: true');
      } else if (!known.includes(m)) {
        const guess = didYouMean(m, known);
        issues.warn(p('Monitorables', i), 'CONFIG_UNKNOWN_MONITORABLE', `${m} is not a parameter gemcaen knows${guess ? `; did you mean ${guess}?` : ''}; it is read only if the board has it`);
      }
    });
  }

  // --- GEM-only keys
  if (gemKnown && !isGEM) {
    for (const key of ['DividerResistorsMOhm', 'MaxElectrodeVolts']) {
      if (raw[key] !== undefined) issues.error(p(key), 'CONFIG_GEM_ONLY', `is for GEM setups only (isGEMDetector: true); remove it`);
    }
  }

  // --- Deadbands
  const deadbands: Record<string, number> = {};
  if (isRecord(raw.Deadbands)) {
    for (const [q, v] of Object.entries(raw.Deadbands)) {
      if (!isNumber(v)) continue;
      deadbands[q] = v;
      if (monitorables && !monitorables.includes(q)) issues.warn(p('Deadbands', q), 'CONFIG_DEADBAND_UNUSED', `${q} is not in Monitorables; this deadband has no effect`);
    }
  }

  const mainframe = buildMainframe(name, raw, issues, cwd, mainframes, mainframeOwner);
  const sink = buildSink(name, raw, issues, cwd, sinks);

  if (
    monitorables === undefined || channels === undefined || mainframe === undefined || sink === undefined ||
    !isNumber(raw.HoldOffTime) || !board || !Number.isInteger(board.SLOT) || issues.hasErrorUnder([name])
  ) {
    return undefined;
  }

  const setup: SetupConfig = {
    name,
    monitorables: [...monitorables],
    holdOffSeconds: raw.HoldOffTime,
    isGEM,
    mainframe,
    slot: board.SLOT as number,
    ...(layer !== undefined ? { layer } : {}),
    channels,
    sink,
    heartbeatSeconds: isNumber(raw.HeartbeatSeconds) ? raw.HeartbeatSeconds : defaultOf<number>('setup', 'HeartbeatSeconds'),
    deadbands,
  };
  if (isGEM) {
    const overrides = isRecord(raw.DividerResistorsMOhm) ? (raw.DividerResistorsMOhm as Record<string, number>) : {};
    setup.gem = {
      resistorsMOhm: { ...DEFAULT_RESISTORS_MOHM, ...overrides },
      ...(isNumber(raw.MaxElectrodeVolts) ? { maxElectrodeVolts: raw.MaxElectrodeVolts } : {}),
    };
  }
  return setup;
}

/** Returns the mainframe id, registering the mainframe on first sight; checks every later setup's block against the first. */
function buildMainframe(
  name: string,
  raw: Raw,
  issues: IssueList,
  cwd: string,
  mainframes: Map<string, MainframeConfig>,
  owner: Map<string, { setup: string; block: Raw }>,
): string | undefined {
  const block = isRecord(raw.MAINFRAME) ? raw.MAINFRAME : undefined;
  if (!block || !isString(block.CAENHV_BOARD_ADDRESS)) return undefined;
  const path: KeyPath = [name, 'MAINFRAME'];
  const address = block.CAENHV_BOARD_ADDRESS;
  let addressOk = !issues.hasErrorUnder([...path, 'CAENHV_BOARD_ADDRESS']);
  if (addressOk) {
    const parsed = block.CAENHV_LINK_TYPE === undefined || block.CAENHV_LINK_TYPE === 'TCPIP' ? parseMainframeHost(address) : { host: address };
    if ('reason' in parsed) {
      issues.error([...path, 'CAENHV_BOARD_ADDRESS'], parsed.code, `must be an IPv4 address or host name: ${parsed.reason}`);
      addressOk = false;
    } else if (block.SIMULATED === true && !isLoopbackIPv4(parsed.host)) {
      issues.error([...path, 'SIMULATED'], 'CONFIG_SIMULATED_NOT_LOOPBACK', `a simulated crate runs on this machine: use a loopback CAENHV_BOARD_ADDRESS (127.0.0.1, 127.0.0.2, ...; the crate listens on its TCP 2527), not ${address}`);
    }
  }
  if (block.SIMULATOR_CRATES !== undefined && block.SIMULATED !== true) {
    issues.warn([...path, 'SIMULATOR_CRATES'], 'CONFIG_IGNORED_KEY', 'is used only with SIMULATED: true; ignored');
  }
  if (!addressOk) return undefined;
  const id = address.toLowerCase();

  const first = owner.get(id);
  if (first) {
    const differing = differingKeys(first.block, block);
    if (differing.length > 0) {
      issues.error(path, 'CONFIG_MAINFRAME_MISMATCH', `differs from setup ${first.setup}'s MAINFRAME on the same address ${address} in ${differing.join(', ')}; setups on one mainframe share one connection, so make the blocks identical`);
    }
    return mainframes.has(id) ? id : undefined;
  }
  owner.set(id, { setup: name, block });
  if (issues.hasErrorUnder(path)) return undefined;

  const keepalive = isNumber(block.KEEPALIVE_SECONDS) ? block.KEEPALIVE_SECONDS : defaultOf<number>('mainframe', 'KEEPALIVE_SECONDS');
  const mf: MainframeConfig = {
    id,
    systemType: block.CAENHV_BOARD_TYPE as SystemTypeName,
    linkType: block.CAENHV_LINK_TYPE as LinkTypeName,
    address,
    user: block.CAENHV_USER as string,
    password: new Secret(block.CAENHV_PASSWORD as string),
    keepaliveSeconds: keepalive,
  };
  if (!(SYSTEM_TYPES as readonly string[]).includes(mf.systemType) || !(LINK_TYPES as readonly string[]).includes(mf.linkType)) return undefined;
  if (block.CAENHV_PASSWORD === '') {
    issues.warn([...path, 'CAENHV_PASSWORD'], 'CONFIG_EMPTY_PASSWORD', 'is empty, so the login sends an empty password; if it comes from ${VAR}, check that VAR is set to the password (a crate with no password: write "" on purpose and ignore this)');
  }
  if (isString(block.CAENHV_LIBRARY)) mf.library = resolvePath(cwd, block.CAENHV_LIBRARY, true);
  if (block.EVENTS === true) {
    if (mf.systemType === 'SY4527' || mf.systemType === 'SY5527') mf.events = eventMode(block, path, issues);
    else issues.warn([...path, 'EVENTS'], 'CONFIG_NO_EVENT_MODE', `${mf.systemType} has no event mode gemcaen can use (SY4527 and SY5527 only): this mainframe is polled`);
  }
  if (block.SIMULATED === true) {
    mf.simulated = isString(block.SIMULATOR_CRATES) ? { cratesFile: resolvePath(cwd, block.SIMULATOR_CRATES) } : {};
  }
  mainframes.set(id, mf);
  return id;
}

/** The EVENTS_* keys of a MAINFRAME block with EVENTS: true. */
function eventMode(block: Raw, path: KeyPath, issues: IssueList): EventModeConfig {
  const listen = isString(block.EVENTS_LISTEN) ? block.EVENTS_LISTEN : defaultOf<string>('mainframe', 'EVENTS_LISTEN');
  const m = /^([0-9.]+)(?::(\d+)(?:-(\d+))?)?$/.exec(listen);
  const host = m?.[1] ?? '127.0.0.1';
  const first = m?.[2] !== undefined ? Number(m[2]) : 0;
  const last = m?.[3] !== undefined ? Number(m[3]) : first;
  if (!m || host.split('.').some((p) => Number(p) > 255) || first > 65535 || last > 65535 || last < first) {
    issues.error([...path, 'EVENTS_LISTEN'], 'CONFIG_BAD_LISTEN', `must be HOST, HOST:PORT or HOST:FIRST-LAST with an IPv4 HOST and ports 1-65535, FIRST <= LAST, not "${listen}"`);
  }
  const num = (key: string): number => (isNumber(block[key]) ? (block[key] as number) : defaultOf<number>('mainframe', key));
  return {
    listenHost: host,
    ports: [first, last],
    keepaliveLimitSeconds: num('EVENTS_KEEPALIVE_LIMIT_SECONDS'),
    ...(isNumber(block.EVENTS_RECONCILE_SECONDS) ? { reconcileSeconds: block.EVENTS_RECONCILE_SECONDS } : {}),
    retrySeconds: num('EVENTS_RETRY_SECONDS'),
  };
}

/** Keys whose values differ between two MAINFRAME blocks, defaults applied (values are not returned: one is a password). */
function differingKeys(a: Raw, b: Raw): string[] {
  const defaults: Raw = {
    KEEPALIVE_SECONDS: defaultOf<number>('mainframe', 'KEEPALIVE_SECONDS'),
    SIMULATED: defaultOf<boolean>('mainframe', 'SIMULATED'),
    EVENTS: defaultOf<boolean>('mainframe', 'EVENTS'),
  };
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((k) => {
    const va = a[k] ?? defaults[k];
    const vb = b[k] ?? defaults[k];
    if (k === 'CAENHV_BOARD_ADDRESS' && isString(va) && isString(vb)) return va.toLowerCase() !== vb.toLowerCase();
    return va !== vb;
  });
}

/**
 * The setup's sink block, parsed by the plugin whose block it is (src/writer/sinks/registry.ts). Setups
 * whose blocks make the same sink id share it, and must then use the same credentials.
 */
function buildSink(name: string, raw: Raw, issues: IssueList, cwd: string, sinks: Map<string, BuiltSink>): string | undefined {
  const given = SINK_PLUGINS.filter((p) => raw[p.block] !== undefined);
  if (given.length > 1) {
    issues.error([name, given[1].block], 'CONFIG_TWO_SINKS', `and ${given[0].block} are both given; a setup writes to one sink: keep one of them`);
    return undefined;
  }
  if (given.length === 0) {
    const blocks = SINK_PLUGINS.map((p) => `${p.block} {${p.keysHint}}`).join(' or ');
    issues.error([name, SINK_PLUGINS[0].block], 'CONFIG_NO_SINK', `is missing: a setup needs a sink, ${blocks}`);
    return undefined;
  }
  const plugin = given[0];
  const block = raw[plugin.block];
  if (!isRecord(block)) return undefined; // reported by the schema
  const path: KeyPath = [name, plugin.block];
  const built = plugin.parse(block, { setup: name, path, issues, resolvePath: (p) => resolvePath(cwd, p) });
  if (!built) return undefined;
  const existing = sinks.get(built.config.id);
  if (existing) {
    if (existing.credentials !== built.credentials) {
      issues.error(
        [...path, built.credentialKey],
        'CONFIG_SINK_CREDENTIALS_MISMATCH',
        `differs from setup ${existing.firstSetup}'s for the same ${built.sameTarget}; setups writing to one place must use the same credentials`,
      );
      return undefined;
    }
    return existing.sink.id;
  }
  // the plugin made a config of one of its kinds: one of SinkConfig's members
  sinks.set(built.config.id, { sink: built.config as SinkConfig, credentials: built.credentials, firstSetup: name });
  return built.config.id;
}

/**
 * MaxElectrodeVolts is a limit of the channels, not of the setup that names it: every setup that
 * reaches one of those channels (same mainframe, slot, channel) gets it in channelMaxVolts, the lowest
 * one when several GEM setups cover a channel. Linear in the number of channels of all setups.
 */
function shareChannelLimits(setups: ReadonlyMap<string, SetupConfig>): void {
  const limits = new Map<string, ChannelVoltLimit>();
  const keyOf = (s: SetupConfig, c: number): string => `${s.mainframe}|${s.slot}|${c}`;
  for (const s of setups.values()) {
    const volts = s.gem?.maxElectrodeVolts;
    if (volts === undefined) continue;
    for (const channel of s.channels) {
      const key = keyOf(s, channel);
      const had = limits.get(key);
      if (!had || volts < had.volts) limits.set(key, { channel, volts, setup: s.name });
    }
  }
  if (limits.size === 0) return;
  for (const s of setups.values()) {
    const own = s.channels.map((c) => limits.get(keyOf(s, c))).filter((l): l is ChannelVoltLimit => l !== undefined);
    if (own.length > 0) s.channelMaxVolts = own.map((l) => ({ ...l }));
  }
}

/** Two setups reading the same channel of one slot of one mainframe: allowed (e.g. two views), but worth a warning. */
function warnOverlaps(setups: ReadonlyMap<string, SetupConfig>, issues: IssueList): void {
  const readers = new Map<string, string[]>();
  for (const s of setups.values()) {
    for (const c of s.channels) {
      const key = `${s.mainframe}|${s.slot}|${c}`;
      const list = readers.get(key) ?? [];
      list.push(s.name);
      readers.set(key, list);
    }
  }
  const reported = new Set<string>();
  for (const [key, names] of readers) {
    if (names.length < 2) continue;
    const [mf, slot] = key.split('|');
    const pairKey = `${names.join(',')}|${mf}|${slot}`;
    if (reported.has(pairKey)) continue;
    reported.add(pairKey);
    const shared = [...readers].filter(([k, n]) => k.startsWith(`${mf}|${slot}|`) && n.join(',') === names.join(',')).map(([k]) => k.split('|')[2]);
    issues.warn([names[names.length - 1], 'BOARD'], 'CONFIG_CHANNEL_OVERLAP', `setups ${names.join(', ')} all read channel(s) ${shared.join(', ')} of slot ${slot} on mainframe ${mf}; each writes its own points`);
  }
}
