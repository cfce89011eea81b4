// The TCP server a CAEN mainframe connects back to in event mode (WRAPPER.md §10), made of plain libc
// calls through koffi: CAENHV_GetEventData needs a socket file descriptor that no event loop touches.
// Nothing here blocks: readiness is asked with poll() and a time-out of 0, so the owning thread checks
// for a stop request (and does its other work) between two looks.
import koffi from 'koffi';
import { GemcaenError } from '../errors.js';

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  listen(fd: number, backlog: number): number;
  accept(fd: number, addr: null, len: null): number;
  getsockname(fd: number, addr: Buffer, len: [number]): number;
  poll(fds: Buffer, n: number, timeoutMs: number): number;
  close(fd: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
}

const AF_INET = 2;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const POLLIN = 1;

let libc: Libc | null = null;

function c(): Libc {
  if (libc) return libc;
  const l = koffi.load('libc.so.6');
  libc = {
    socket: l.func('int socket(int domain, int type, int protocol)') as Libc['socket'],
    bind: l.func('int bind(int fd, const void *addr, uint32_t len)') as Libc['bind'],
    listen: l.func('int listen(int fd, int backlog)') as Libc['listen'],
    accept: l.func('int accept(int fd, void *addr, void *len)') as Libc['accept'],
    getsockname: l.func('int getsockname(int fd, void *addr, _Inout_ uint32_t *len)') as Libc['getsockname'],
    poll: l.func('int poll(void *fds, uint64_t nfds, int timeout)') as Libc['poll'],
    close: l.func('int close(int fd)') as Libc['close'],
    setsockopt: l.func('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)') as Libc['setsockopt'],
  };
  return libc;
}

function sockaddr(host: string, port: number): Buffer {
  const parts = host.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new GemcaenError('EVENTS_LISTEN_INVALID', `event listen address "${host}" is not an IPv4 address; set EVENTS_LISTEN to the address of this machine the crate can reach`);
  }
  const a = Buffer.alloc(16);
  a.writeUInt16LE(AF_INET, 0);
  a.writeUInt16BE(port, 2);
  Buffer.from(parts).copy(a, 4);
  return a;
}

/** True when `fd` has something to read (or is closed) now; never waits. */
export function readable(fd: number): boolean {
  const pfd = Buffer.alloc(8);
  pfd.writeInt32LE(fd, 0);
  pfd.writeInt16LE(POLLIN, 4);
  return c().poll(pfd, 1, 0) > 0;
}

/** Closes a descriptor this module gave out; never throws. */
export function closeFd(fd: number): void {
  if (fd >= 0) c().close(fd);
}

/** A listening socket on `host`, on the first free port of [first, last]. */
export class EventServer {
  private constructor(
    readonly fd: number,
    readonly host: string,
    readonly port: number,
  ) {}

  /** Throws GemcaenError EVENTS_LISTEN_FAILED when no port of the range can be bound. */
  static open(host: string, first: number, last: number): EventServer {
    const libc = c();
    for (let port = first; port <= last; port++) {
      const fd = libc.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) break;
      libc.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, Buffer.from([1, 0, 0, 0]), 4);
      if (libc.bind(fd, sockaddr(host, port), 16) === 0 && libc.listen(fd, 4) === 0) {
        const addr = Buffer.alloc(16);
        libc.getsockname(fd, addr, [16]);
        return new EventServer(fd, host, addr.readUInt16BE(2));
      }
      libc.close(fd);
    }
    throw new GemcaenError('EVENTS_LISTEN_FAILED', `cannot listen for the crate's event connection on ${host} ports ${first}-${last}: all in use or not this machine's address; change EVENTS_LISTEN`);
  }

  /** The mainframe's connection, when it is waiting; null otherwise (never blocks). */
  acceptReady(): number | null {
    if (!readable(this.fd)) return null;
    const fd = c().accept(this.fd, null, null);
    return fd >= 0 ? fd : null;
  }

  close(): void {
    closeFd(this.fd);
  }
}
