// gemcaen.Web: the web page's settings (listen address, TLS files, users, limits), after the schema.
import { isLoopbackIPv4, parseHostPort } from './address.js';
import { type IssueList, SETTINGS_KEY } from './issues.js';
import { defaultOf } from './schema.js';
import type { WebRole, WebSettings, WebUser } from './types.js';

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
const ROLES: readonly WebRole[] = ['viewer', 'operator', 'expert'];

/** One `users:` map (config or users file) into WebUsers; malformed entries are skipped (the schema or the caller reports them). */
export function parseWebUsers(raw: unknown): WebUser[] {
  if (!isRecord(raw)) return [];
  const out: WebUser[] = [];
  for (const [name, u] of Object.entries(raw)) {
    if (!isRecord(u) || typeof u.PasswordHash !== 'string' || !ROLES.includes(u.Role as WebRole)) continue;
    out.push({
      name,
      role: u.Role as WebRole,
      ...(Array.isArray(u.Setups) ? { setups: u.Setups.filter((s): s is string => typeof s === 'string') } : {}),
      passwordHash: u.PasswordHash,
      tokenHashes: Array.isArray(u.TokenHashes) ? u.TokenHashes.filter((s): s is string => typeof s === 'string') : [],
    });
  }
  return out;
}

export function buildWebSettings(raw: Raw, issues: IssueList, resolvePath: (p: string) => string): WebSettings {
  const pick = <T>(key: string, ok: (v: unknown) => boolean): T => (ok(raw[key]) ? (raw[key] as T) : defaultOf<T>('web', key));
  const where = (key: string) => [SETTINGS_KEY, 'Web', key];
  const listen = pick<string>('Listen', (v) => typeof v === 'string');
  const parsed = parseHostPort(listen, true);
  if ('reason' in parsed) issues.error(where('Listen'), 'CONFIG_BAD_LISTEN', `must be host:port (e.g. 127.0.0.1:8780): ${parsed.reason}`);
  else if (parsed.port === undefined) issues.error(where('Listen'), 'CONFIG_LISTEN_NEEDS_PORT', `needs a port: write ${listen}:8780`);
  const cert = typeof raw.TlsCertFile === 'string' ? raw.TlsCertFile : undefined;
  const key = typeof raw.TlsKeyFile === 'string' ? raw.TlsKeyFile : undefined;
  if ((cert === undefined) !== (key === undefined)) issues.error(where(cert ? 'TlsKeyFile' : 'TlsCertFile'), 'CONFIG_TLS_INCOMPLETE', 'TLS needs both TlsCertFile and TlsKeyFile');
  const demoAccount = raw.DemoAccount === true;
  if (demoAccount && !('reason' in parsed) && !(isLoopbackIPv4(parsed.host) || parsed.host === 'localhost' || parsed.host === '::1' || parsed.host === '[::1]')) {
    issues.error(where('DemoAccount'), 'CONFIG_DEMO_NOT_LOOPBACK', `the demo account is only for a loopback Listen address, not ${parsed.host}; remove DemoAccount and add users with gemcaen user add`);
  }
  const users = parseWebUsers(raw.Users);
  for (const u of users) {
    for (const s of u.setups ?? []) if (s === '') issues.error([...where('Users'), u.name, 'Setups'], 'CONFIG_EMPTY_VALUE', 'empty setup name');
  }
  return {
    listen,
    ...(cert && key ? { tls: { certFile: resolvePath(cert), keyFile: resolvePath(key) } } : {}),
    users,
    ...(typeof raw.UsersFile === 'string' ? { usersFile: resolvePath(raw.UsersFile) } : {}),
    ...(typeof raw.GrafanaUrl === 'string' ? { grafanaUrl: raw.GrafanaUrl } : {}),
    idleMinutes: pick<number>('IdleMinutes', (v) => typeof v === 'number'),
    loginFailures: pick<number>('LoginFailures', (v) => Number.isInteger(v) && (v as number) >= 1),
    loginWindowSeconds: pick<number>('LoginWindowSeconds', (v) => typeof v === 'number' && v > 0),
    confirmStepVolts: pick<number>('ConfirmStepVolts', (v) => typeof v === 'number'),
    historyMinutes: pick<number>('HistoryMinutes', (v) => typeof v === 'number'),
    demoAccount,
  };
}
