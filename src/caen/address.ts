// The InitSystem Arg for an address as written in the config (docs/caen-wrapper.md §7): CAEN's library wants an
// IP address for TCPIP, so host names are resolved first (asynchronously, before the synchronous login).
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { GemcaenError } from '../errors.js';

export type Lookup = (host: string) => Promise<string>;

const lookupIPv4: Lookup = async (host) => (await dnsLookup(host, { family: 4 })).address;

/**
 * For TCPIP, `address` (an IPv4 address or a host name; the library always uses TCP 2527) as an IPv4
 * address; other link types' Args are returned unchanged. Throws GemcaenError ADDRESS_UNRESOLVED naming
 * the host when it cannot be resolved.
 */
export async function initArg(linkType: string, address: string, lookup: Lookup = lookupIPv4): Promise<string> {
  if (linkType !== 'TCPIP') return address;
  const host = address.trim();
  if (isIP(host)) return host;
  try {
    return await lookup(host);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new GemcaenError('ADDRESS_UNRESOLVED', `cannot resolve the mainframe host name "${host}" (${reason}); check CAENHV_BOARD_ADDRESS or use the IP address`, {
      cause: err,
      details: { host },
    });
  }
}
