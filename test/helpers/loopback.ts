// Loopback addresses for crates started side by side: every crate (simulated or a scripted listener)
// listens on TCP 2527 of its own 127.x.y.z address, as a real crate does on its own IP.
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { CRATE_PORT, randomLoopback } from '../../sim/mainframe/crate-spec.js';

export { CRATE_PORT, randomLoopback };

/**
 * Another spelling of the same 127.x.y.z address that inet_aton() accepts (the first number in octal
 * with `n` extra leading zeros): a distinct InitSystem Arg, hence a distinct handle, for the same crate.
 */
export function sameCrateArg(address: string, n = 1): string {
  const [first, ...rest] = address.split('.');
  if (first !== '127') throw new Error(`sameCrateArg: ${address} is not 127.x.y.z`);
  return [`0${'0'.repeat(n)}177`, ...rest].join('.');
}

export interface LoopbackListener {
  address: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * A TCP listener on port 2527 of a random free loopback address (retrying on EADDRINUSE), calling
 * `onConnection` for each accepted socket: a scripted "crate" (e.g. one that closes at once or never answers).
 */
export async function listenOnLoopback(onConnection: (socket: Socket) => void): Promise<LoopbackListener> {
  const sockets = new Set<Socket>();
  for (let attempt = 0; ; attempt++) {
    const address = randomLoopback();
    const server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
      onConnection(s);
    });
    try {
      server.listen(CRATE_PORT, address);
      await once(server, 'listening');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 50) continue;
      throw err;
    }
    return {
      address,
      server,
      close: async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => server.close(() => r()));
      },
    };
  }
}
