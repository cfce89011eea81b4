// Where the local control endpoint of a mainframe lives: one Unix socket and one token file per
// mainframe in gemcaen.ControlDirectory. The daemon creates them; `gemcaen set`/`ieq --set` look here
// for a daemon that serves the crate of their setup.
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export interface EndpointPaths {
  socket: string;
  token: string;
}

/** Socket paths are limited to 107 bytes: a long directory or address falls back to a hash of the address. */
const MAX_SOCKET_PATH = 100;

export function endpointPaths(controlDirectory: string, mainframe: string): EndpointPaths {
  let base = `mainframe-${mainframe.replace(/[^A-Za-z0-9.-]/g, '_')}`;
  if (join(controlDirectory, `${base}.sock`).length > MAX_SOCKET_PATH) base = `mainframe-${createHash('sha256').update(mainframe).digest('hex').slice(0, 16)}`;
  return { socket: join(controlDirectory, `${base}.sock`), token: join(controlDirectory, `${base}.token`) };
}

/** The version prefix of the endpoint's paths. */
export const CONTROL_API = '/v1';
