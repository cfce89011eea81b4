// Mainframe addresses (`host` or `host:port`) and listen addresses (`host:port`).
import { isIP } from 'node:net';

export interface HostPort {
  host: string;
  port?: number;
}

/**
 * Parses `192.168.0.10`, `hv-crate.lab:2527` or `[::1]:7900`. Returns a reason when it is not an
 * address: an IPv4-looking host must have four numbers 0-255, a port must be 1-65535 (0 when allowZeroPort).
 */
export function parseHostPort(text: string, allowZeroPort = false): HostPort | { reason: string } {
  let host = text;
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracket) {
    host = bracket[1];
    portText = bracket[2];
    if (isIP(host) !== 6) return { reason: `${host} is not an IPv6 address` };
  } else {
    const colon = text.lastIndexOf(':');
    if (colon >= 0) {
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
    }
    if (host === '') return { reason: 'the host is missing' };
    if (/^[0-9.]+$/.test(host)) {
      if (isIP(host) !== 4) return { reason: `${host} is not an IPv4 address (four numbers 0-255)` };
    } else if (!/^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/.test(host)) {
      return { reason: `${host} is not a host name` };
    }
  }
  if (portText === undefined) return { host };
  if (!/^[0-9]{1,5}$/.test(portText)) return { reason: `port ${portText} is not a number` };
  const port = Number(portText);
  const min = allowZeroPort ? 0 : 1;
  if (port < min || port > 65535) return { reason: `port ${port} is outside ${min}-65535` };
  return { host, port };
}

/** Hosts that are this machine (a simulated crate must listen on one of them). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(host);
}
