// Opening the library and logging in: the only place the poller touches the binding's classes.
import { CaenLibrary, findCaenLibrary } from '../caen/library.js';
import { CaenMainframe } from '../caen/mainframe.js';
import { initArg } from '../caen/address.js';
import { explainLoginFailure } from '../caen/reachable.js';
import { closeFd, EventServer, readable } from '../caen/event-socket.js';
import type { EventSockets } from './event-feed.js';
import type { MainframeWire } from '../protocol.js';
import type { CaenSession } from './session.js';

/**
 * Logs out handles that an earlier worker thread of this mainframe left open when it died (the
 * wrapper's handle table belongs to the process, so a new login to the same crate would otherwise
 * fail with DEVALREADYOPEN). Returns the result code per handle.
 */
export function releaseStaleHandles(mf: MainframeWire, handles: readonly number[], env: NodeJS.ProcessEnv = process.env): Map<number, number> {
  const results = new Map<number, number>();
  if (handles.length === 0) return results;
  const lib = CaenLibrary.open(findCaenLibrary(mf.library, env));
  for (const h of handles) results.set(h, lib.releaseHandle(h));
  return results;
}

/**
 * Returns a connect function for one mainframe; the library is opened (koffi.load) on first use.
 * A TCPIP host name is resolved at every login (the wrapper wants an IP; a crate's DNS entry may move).
 * A login that fails with LOGINFAILED/USERPASSFAILED while TCP 2527 does not answer throws
 * CRATE_UNREACHABLE (a connection cause: normal back-off) instead of the ambiguous CaenError.
 */
export function connector(mf: MainframeWire, env: NodeJS.ProcessEnv = process.env): () => Promise<CaenMainframe> {
  let lib: CaenLibrary | undefined;
  return async () => {
    lib ??= CaenLibrary.open(findCaenLibrary(mf.library, env));
    const address = await initArg(mf.linkType, mf.address);
    try {
      const session: CaenMainframe & CaenSession = CaenMainframe.connect(lib, {
        systemType: mf.systemType,
        linkType: mf.linkType,
        address,
        user: mf.user,
        password: mf.password,
      });
      return session;
    } catch (err) {
      throw await explainLoginFailure(err, mf.linkType, address, mf.address);
    }
  };
}

/** The listening socket of event mode and the readiness checks of its accepted connection. */
export const eventSockets: EventSockets = {
  openServer: (host, first, last) => EventServer.open(host, first, last),
  readable,
  closeFd,
};
