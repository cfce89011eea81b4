// The validated, frozen configuration that the rest of gemcaen consumes.
// The YAML keys (seed spelling) map onto these names in src/config/load.ts.
import type { ConfigIssue } from '../errors.js';
import type { Secret } from './secret.js';
import type { SinkConfig } from '../writer/sinks/registry.js';

/** The config of a sink: each kind's type lives in its plugin's folder (src/writer/sinks/). */
export type { SinkConfig };

export const SYSTEM_TYPES = ['SY1527', 'SY2527', 'SY4527', 'SY5527'] as const;
export type SystemTypeName = (typeof SYSTEM_TYPES)[number];
export const LINK_TYPES = ['TCPIP', 'RS232', 'CAENET', 'USB', 'OPTLINK', 'USB_VCP', 'USB3', 'A4818'] as const;
export type LinkTypeName = (typeof LINK_TYPES)[number];

/** One mainframe, shared by every setup whose MAINFRAME block names the same address. */
export interface MainframeConfig {
  /** stable id of the mainframe: the address as written, lower-cased (e.g. "192.168.0.10" or "127.0.0.1:7001") */
  id: string;
  systemType: SystemTypeName;
  linkType: LinkTypeName;
  /** CAENHV_BOARD_ADDRESS as written: IP or host name, optional ":port" */
  address: string;
  user: string;
  password: Secret;
  /** CAENHV_LIBRARY: explicit path of libcaenhvwrapper.so, if given */
  library?: string;
  /** KEEPALIVE_SECONDS: longest silence towards the crate before a cheap call is made (default 10) */
  keepaliveSeconds: number;
  /** EVENTS: event mode instead of polling (SY4527/SY5527 only; absent: polling) */
  events?: EventModeConfig;
  /** SIMULATED: gemcaen starts a simulated crate on this address itself (demo, training) */
  simulated?: { cratesFile?: string };
}

/** Event mode of one mainframe (MAINFRAME.EVENTS and the EVENTS_* keys). */
export interface EventModeConfig {
  /** IPv4 address the crate connects back to */
  listenHost: string;
  /** port range to listen on; [0, 0]: any free port */
  ports: readonly [number, number];
  /** no event and no keepalive for this long: fall back to polling */
  keepaliveLimitSeconds: number;
  /** full poll and comparison this often (default: the shortest heartbeat of the mainframe's setups) */
  reconcileSeconds?: number;
  /** after a fallback, try events again after this long */
  retrySeconds: number;
}

export interface GemOptions {
  /** divider resistor per channel-name suffix (G3BOT … G0BOT), MOhm; the original's values unless overridden */
  resistorsMOhm: Readonly<Record<string, number>>;
  /** optional per-setup ceiling for any electrode's V0Set, V */
  maxElectrodeVolts?: number;
}

/** The lowest MaxElectrodeVolts any GEM setup of the config puts on one channel (mainframe, slot, channel). */
export interface ChannelVoltLimit {
  channel: number;
  volts: number;
  /** the GEM setup whose MaxElectrodeVolts it is */
  setup: string;
}

export interface SetupConfig {
  name: string;
  monitorables: readonly string[];
  holdOffSeconds: number;
  isGEM: boolean;
  /** id of the MainframeConfig this setup lives on */
  mainframe: string;
  slot: number;
  /** GEM only: 1 (channels 0-6) or 2 (channels 7-13) */
  layer?: 1 | 2;
  /** channels of interest: CHANNELS for plain setups, the layer's 7 channels for GEM */
  channels: readonly number[];
  /** id of the SinkConfig this setup writes to */
  sink: string;
  /** write a value again after this long even if unchanged (default 300) */
  heartbeatSeconds: number;
  /** per-quantity deadband: a change smaller than this is not a change (e.g. VMon: 0.5) */
  deadbands: Readonly<Record<string, number>>;
  gem?: GemOptions;
  /**
   * A limit belongs to the channel, whichever setup reaches it: for each channel of this setup that a
   * GEM setup with MaxElectrodeVolts also covers (same mainframe, slot and channel), the lowest such
   * limit. Absent when no channel has one.
   */
  channelMaxVolts?: readonly ChannelVoltLimit[];
}

export interface Settings {
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  logDirectory: string;
  spoolDirectory: string;
  spoolMaxMegabytes: number;
  /** the audit file of set points (gemcaen.AuditFile); read it through auditFileOf (config/paths.ts) */
  auditFile?: string;
  /** directory of the local control endpoint (gemcaen.ControlDirectory); read it through controlDirectoryOf */
  controlDirectory?: string;
  /** health endpoint "host:port"; empty string disables it */
  healthListen: string;
  batchMaxLines: number;
  batchMaxMilliseconds: number;
  /** own listener of GET /metrics "host:port"; empty or absent: /metrics on the health listener */
  metricsListen?: string;
  /** gemcaen.Alarms as loaded; read it through alarmSettingsOf (defaults when absent) */
  alarms?: AlarmSettings;
  /** the web page (gemcaen.Web); absent = off */
  web?: WebSettings;
}

/** gemcaen.Alarms: which bits raise alarms, where notifications go. */
export interface AlarmSettings {
  /** channel Status bit names (CHSTATUS) that raise an alarm while set */
  channelBits: readonly string[];
  /** board BdStatus bit names that raise an alarm while set */
  boardBits: readonly string[];
  webhooks: readonly WebhookConfig[];
  /** transitions within this long of the first are sent as one notification */
  groupSeconds: number;
}

export interface WebhookConfig {
  /** the URL often carries the hook's key: never logged */
  url: Secret;
  format: 'json' | 'slack';
}

export type WebRole = 'viewer' | 'operator' | 'expert';

export interface WebUser {
  name: string;
  role: WebRole;
  /** setups this user may change; undefined = every setup */
  setups?: readonly string[];
  /** scrypt$N$r$p$salt$hash */
  passwordHash: string;
  /** sha256$hex of the user's API tokens */
  tokenHashes: readonly string[];
}

export interface WebSettings {
  listen: string;
  tls?: { certFile: string; keyFile: string };
  /** users written in the config itself */
  users: readonly WebUser[];
  /** absolute path of the users file (read at start; `gemcaen user add` writes it) */
  usersFile?: string;
  grafanaUrl?: string;
  idleMinutes: number;
  /** failed sign-ins from one address within loginWindowSeconds before the next must wait */
  loginFailures: number;
  loginWindowSeconds: number;
  confirmStepVolts: number;
  historyMinutes: number;
  demoAccount: boolean;
}

export interface GemcaenConfig {
  /** file the config came from */
  file: string;
  settings: Settings;
  mainframes: ReadonlyMap<string, MainframeConfig>;
  sinks: ReadonlyMap<string, SinkConfig>;
  setups: ReadonlyMap<string, SetupConfig>;
  /** names that stand for several setups on the command line (gemcaen.Groups), e.g. demo → [DemoGEM, DemoBoard] */
  groups: ReadonlyMap<string, readonly string[]>;
  /** problems that do not stop gemcaen (unknown parameter names, overlapping channels...): print or log them */
  warnings?: readonly ConfigIssue[];
}
