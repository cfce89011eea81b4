// Telling an unreachable crate from a refused login (docs/caen-wrapper.md §11). CAEN's library answers
// LOGINFAILED (0x1004) when nothing listens and USERPASSFAILED (0x1007) when the crate accepts and closes
// or stays silent: the same codes as for bad credentials. So after either, ask whether TCP 2527 of the
// crate accepts a connection at all. Nothing there: CRATE_UNREACHABLE (retry at the normal back-off).
// It answers: the login itself failed (credentials, or a crate still booting), except after LOGINFAILED:
// CAEN's 6.0 answers that when the connection is refused (nothing listened at the login; a refused login
// is USERPASSFAILED), so a port that answers now means the crate started listening in between: retried
// at the normal back-off as a connection cause, not held back as refused credentials. Works the same on
// a real crate and on the simulator: it only opens and closes a TCP connection.
import { Socket } from 'node:net';
import { GemcaenError } from '../errors.js';
import { CaenError } from './caen-error.js';
import { CAENHVResult } from './codes.js';

/** The TCP port CAEN's library always connects to. */
export const CAEN_TCP_PORT = 2527;
/** How long the probe waits for TCP 2527 to accept (a switched-off crate never answers the SYN). */
export const PROBE_TIMEOUT_MS = 3000;

/** True when TCP CAEN_TCP_PORT of `host` (an IPv4 address) accepts a connection within `timeoutMs`. */
export function answersOnCaenPort(host: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (answered: boolean): void => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(CAEN_TCP_PORT, host);
  });
}

/** A failed InitSystem whose code cannot tell an absent crate from refused credentials. */
export function isAmbiguousLoginFailure(err: unknown): err is CaenError {
  return err instanceof CaenError && err.fn === 'CAENHV_InitSystem' && (err.result === CAENHVResult.LOGINFAILED || err.result === CAENHVResult.USERPASSFAILED);
}

/**
 * After a failed InitSystem over TCPIP: a GemcaenError CRATE_UNREACHABLE ("no answer from the crate at
 * ADDRESS (TCP 2527): is it on and reachable?") when TCP 2527 of `ip` does not answer; otherwise `err`
 * unchanged (a refused login). `shown` is the address as the config writes it.
 */
export async function explainLoginFailure(err: unknown, linkType: string, ip: string, shown: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<unknown> {
  if (linkType !== 'TCPIP' || !isAmbiguousLoginFailure(err)) return err;
  if (await answersOnCaenPort(ip, timeoutMs)) {
    if (err.result !== CAENHVResult.LOGINFAILED) return err;
    return new GemcaenError('CRATE_UNREACHABLE', `the crate at ${shown} refused the connection on TCP ${CAEN_TCP_PORT} at the login and accepts one now: it is probably starting (or CAENHV_BOARD_TYPE is not the crate's); retrying`, {
      cause: err,
      details: { address: shown, result: err.result, resultName: err.resultName, probe: `TCP ${CAEN_TCP_PORT} accepted after the login failed` },
    });
  }
  return new GemcaenError('CRATE_UNREACHABLE', `no answer from the crate at ${shown} (TCP ${CAEN_TCP_PORT}): is it on and reachable?`, {
    cause: err,
    details: { address: shown, result: err.result, resultName: err.resultName, probe: `TCP ${CAEN_TCP_PORT} did not accept within ${timeoutMs} ms` },
  });
}
