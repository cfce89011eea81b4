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

/**
 * A scripted "crate" in its own process (so that a test blocked in a synchronous library call does not
 * stall it): TCP 2527 of a random loopback address that, for each connection, closes it at once
 * ('close') or holds it without a word ('silent').
 */
export async function scriptedCrate(behaviour: 'close' | 'silent'): Promise<{ address: string; stop(): Promise<void> }> {
  const script = `
    const net = require('node:net');
    const held = [];
    const tryListen = (n) => {
      const a = '127.' + (100 + Math.floor(Math.random() * 155)) + '.' + Math.floor(Math.random() * 256) + '.' + (1 + Math.floor(Math.random() * 254));
      const s = net.createServer((c) => { c.on('error', () => {}); if (${JSON.stringify(behaviour)} === 'close') c.destroy(); else held.push(c); });
      s.once('error', (e) => { if (e.code === 'EADDRINUSE' && n < 50) tryListen(n + 1); else { console.error(String(e)); process.exit(2); } });
      s.listen(${CRATE_PORT}, a, () => console.log(a));
    };
    tryListen(0);
    process.stdin.on('end', () => process.exit(0));
    process.stdin.resume();`;
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!.setEncoding('utf8'), 'data')) as [string];
  return {
    address: line.trim(),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin!.end();
      await exited;
    },
  };
}
