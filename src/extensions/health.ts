// The health endpoint as an extension: GET /health, /readings and the routes other extensions add
// (/metrics), on Settings.healthListen (127.0.0.1:8765 by default; "" disables it).
import { HealthServer } from '../web/health-server.js';
import type { Extension, ExtensionContext } from './types.js';

export class HealthExtension implements Extension {
  readonly name = 'health';
  #server: HealthServer | null = null;
  /** "host:port" it listens on, once started (null when disabled) */
  address: string | null = null;

  async start(ctx: ExtensionContext): Promise<void> {
    const listen = ctx.config.settings.healthListen;
    if (!listen) return;
    this.#server = new HealthServer(ctx.state, ctx.routes);
    this.address = await this.#server.start(listen);
    ctx.log.info(`health: GET http://${this.address}/health (or: gemcaen health)`);
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    await server?.stop();
  }
}
