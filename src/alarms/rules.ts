// Which status bits are alarms and how grave they are, and the words of an alarm's line.
import type { AlarmSeverity } from '../events/types.js';

/** Bits (and crate states) that need a person: an error. The rest warn (a crate in back-off reconnects by itself). */
const ERROR_BITS = new Set(['INTTRIP', 'EXTTRIP', 'EXTDIS', 'OVV', 'OVVPROT', 'POWERFAIL', 'auth-failed', 'library-error']);

export function severityOf(bits: readonly string[]): AlarmSeverity {
  return bits.some((b) => ERROR_BITS.has(b)) ? 'error' : 'warning';
}

/** Crate states that mean the crate is lost (not connected and not on its way to it). */
export const LOST_STATES = new Set(['backoff', 'auth-failed', 'library-error', 'restarting']);

export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** "channel GEM1_G3BOT (setup DemoGEM, slot 0 ch 03 on 127.0.0.1:7900)" */
export function channelWhere(a: { name?: string; setup?: string; slot?: number; channel?: number; mainframe: string }): string {
  return `channel ${a.name || '(unnamed)'} (setup ${a.setup ?? '?'}, slot ${a.slot ?? '?'} ch ${pad2(a.channel ?? 0)} on ${a.mainframe})`;
}
