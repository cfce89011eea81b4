// Counters of wrapper calls (by function and by session) and of sessions, for tests and benchmarks.

import type { EventCounters } from './events.js';

export interface SessionCounters {
  id: number;
  user: string;
  /** process id and handle index the client library reported at login */
  pid: number;
  clientHandle: number;
  peer: string;
  open: boolean;
  openedAt: string;
  closedAt?: string;
  /** why the crate side closed it: logout, client, idle, down, dropped */
  closeReason?: string;
  calls: Record<string, number>;
  total: number;
  /** event mode counts, once the session subscribed something */
  events?: EventCounters;
}

export interface CountersSnapshot {
  crate: string;
  totalCalls: number;
  /** by wrapper function name, e.g. CAENHV_GetChParam */
  calls: Record<string, number>;
  openSessions: number;
  sessionsOpened: number;
  sessionsDropped: number;
  loginFailures: number;
  sessions: SessionCounters[];
}

export class Counters {
  private totalCalls = 0;
  private calls: Record<string, number> = {};
  private sessionsOpened = 0;
  private sessionsDropped = 0;
  private loginFailures = 0;
  private readonly sessions = new Map<number, SessionCounters>();

  constructor(private readonly crate: string) {}

  call(fn: string, session: SessionCounters | undefined): void {
    this.totalCalls++;
    this.calls[fn] = (this.calls[fn] ?? 0) + 1;
    if (session) {
      session.calls[fn] = (session.calls[fn] ?? 0) + 1;
      session.total++;
    }
  }

  opened(s: Omit<SessionCounters, 'open' | 'openedAt' | 'calls' | 'total'>): SessionCounters {
    const entry: SessionCounters = { ...s, open: true, openedAt: new Date().toISOString(), calls: {}, total: 0 };
    this.sessions.set(s.id, entry);
    this.sessionsOpened++;
    return entry;
  }

  closed(entry: SessionCounters, reason: string): void {
    if (!entry.open) return;
    entry.open = false;
    entry.closedAt = new Date().toISOString();
    entry.closeReason = reason;
    if (reason !== 'logout' && reason !== 'client') this.sessionsDropped++;
  }

  loginFailed(): void {
    this.loginFailures++;
  }

  openSessions(): SessionCounters[] {
    return [...this.sessions.values()].filter((s) => s.open);
  }

  snapshot(): CountersSnapshot {
    const sessions = [...this.sessions.values()].map((s) => ({ ...s, calls: { ...s.calls }, ...(s.events ? { events: { ...s.events } } : {}) }));
    return {
      crate: this.crate,
      totalCalls: this.totalCalls,
      calls: { ...this.calls },
      openSessions: sessions.filter((s) => s.open).length,
      sessionsOpened: this.sessionsOpened,
      sessionsDropped: this.sessionsDropped,
      loginFailures: this.loginFailures,
      sessions,
    };
  }

  /** Zeroes every count; closed sessions are forgotten, open ones keep their identity. */
  reset(): void {
    this.totalCalls = 0;
    this.calls = {};
    this.sessionsOpened = 0;
    this.sessionsDropped = 0;
    this.loginFailures = 0;
    for (const [id, s] of this.sessions) {
      if (!s.open) this.sessions.delete(id);
      else {
        s.calls = {};
        s.total = 0;
        if (s.events) Object.assign(s.events, { connections: 0, connectFailures: 0, batches: 0, parameter: 0, keepalive: 0, lost: 0 });
      }
    }
  }
}
