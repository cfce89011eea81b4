// Opening the library and logging in: the only place the poller touches the binding's classes.
import { CaenLibrary, findCaenLibrary } from '../caen/library.js';
import { CaenMainframe } from '../caen/mainframe.js';
import type { MainframeWire } from '../protocol.js';
import type { CaenSession } from './session.js';

/** Returns a connect function for one mainframe; the library is opened (koffi.load) on first use. */
export function connector(mf: MainframeWire, env: NodeJS.ProcessEnv = process.env): () => CaenSession {
  let lib: CaenLibrary | undefined;
  return () => {
    lib ??= CaenLibrary.open(findCaenLibrary(mf.library, env));
    const session: CaenSession = CaenMainframe.connect(lib, {
      systemType: mf.systemType,
      linkType: mf.linkType,
      address: mf.address,
      user: mf.user,
      password: mf.password,
    });
    return session;
  };
}
