// The local control endpoint as an extension: per mainframe of the daemon a Unix socket and a token
// file in gemcaen.ControlDirectory (src/web/control-endpoint.ts), onto the daemon's control door.
// `gemcaen set` and `gemcaen ieq --set` find it there and go through the daemon's session.
import { controlDirectoryOf } from '../config/paths.js';
import { parseControlRequest } from '../supervisor/control.js';
import { ControlEndpoint } from '../web/control-endpoint.js';
import type { Extension, ExtensionContext } from './types.js';

export class ControlEndpointExtension implements Extension {
  readonly name = 'control-endpoint';
  #endpoint: ControlEndpoint | null = null;

  async start(ctx: ExtensionContext): Promise<void> {
    const door = ctx.control;
    if (!door) return;
    const mainframes = new Map<string, string[]>();
    for (const s of ctx.setups) mainframes.set(s.mainframe, [...(mainframes.get(s.mainframe) ?? []), s.name]);
    const endpoint = new ControlEndpoint({
      directory: controlDirectoryOf(ctx.config.settings),
      mainframes,
      door,
      parseRequest: parseControlRequest,
      warn: (message) => ctx.log.warn(message),
    });
    this.#endpoint = endpoint;
    try {
      await endpoint.start();
    } catch (err) {
      // logging goes on without it: set points then need --direct
      ctx.log.error(`${err instanceof Error ? err.message : String(err)}; until it is fixed, gemcaen set needs --direct`);
      return;
    }
    if (endpoint.sockets.length > 0) ctx.log.info(`control endpoint: ${endpoint.sockets.join(', ')} (gemcaen set and ieq --set go through it)`);
  }

  async stop(): Promise<void> {
    const endpoint = this.#endpoint;
    this.#endpoint = null;
    await endpoint?.stop();
  }
}
