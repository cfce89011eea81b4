// Mainframe addresses (an IPv4 address or host name, no port) and listen addresses (`host:port`).
import { isIP } from 'node:net';
import type { ConfigIssueCode } from './issues.js';

/** The TCP port CAEN's library always connects to (docs/caen-wrapper.md §11); no config can change it. */
export const CAEN_TCP_PORT = 2527;

const HOST_NAME = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

/**
 * Checks a TCPIP mainframe address: an IPv4 address (four numbers 0-255) or a host name, nothing else.
 * CAEN's library parses its Arg like inet_addr() and always uses TCP 2527: a `:port` suffix would turn
 * into 255.255.255.255, so it is refused with that reason.
 */
export function parseMainframeHost(text: string): { host: string } | { reason: string; code: ConfigIssueCode } {
  if (/:[0-9]*$/.test(text) && !text.startsWith('[')) {
    return { code: 'CONFIG_ADDRESS_WITH_PORT', reason: `no :port here: CAEN's library always connects to TCP port ${CAEN_TCP_PORT}; write the address alone (${text.slice(0, text.lastIndexOf(':'))})` };
  }
  const bad = (reason: string) => ({ code: 'CONFIG_BAD_ADDRESS' as const, reason });
  if (text.includes(':')) return bad(`${text} is not an IPv4 address or host name (CAEN's library takes IPv4 only)`);
  if (/^[0-9.]+$/.test(text)) {
    if (isIP(text) !== 4) return bad(`${text} is not an IPv4 address (four numbers 0-255)`);
  } else if (!HOST_NAME.test(text)) {
    return bad(`${text} is not a host name`);
  }
  return { host: text };
}

export interface HostPort {
  host: string;
  port?: number;
}

/**
 * Parses listen addresses such as `127.0.0.1:8765` or `[::1]:8765` (a missing port is reported by the caller). Returns a reason when it is not an
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
    } else if (!HOST_NAME.test(host)) {
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

/** An IPv4 loopback address (all of 127.0.0.0/8): where a simulated crate can listen. */
export function isLoopbackIPv4(host: string): boolean {
  return isIP(host) === 4 && host.startsWith('127.');
}
