// Alarms of the running daemon, kept from the events of its state: a channel whose Status has an
// alarm bit (gemcaen.Alarms.ChannelBits), a board whose BdStatus has one (BoardBits), a crate that
// is lost. One alarm per channel, board or crate: raised when its first bit sets (again when a new
// bit joins it, e.g. OVC then INTTRIP), cleared when its last bit clears. Each transition is one
// log line and one `alarm` event; the active alarms are in state.alarms (health lists them).
// Acknowledging marks an alarm seen; only the crate clears it (ClearAlarm is a control request).
import type { AlarmSettings } from '../config/types.js';
import type { DaemonEvents } from '../events/bus.js';
import type { Alarm, AlarmAction, AlarmEvent, CrateStateEvent, ScanEvent, StatusChangeEvent } from '../events/types.js';
import type { Logger } from '../log.js';
import { BDSTATUS_BITS, decodeBdStatus, decodeChStatus } from '../status-bits.js';
import type { DaemonState } from '../supervisor/state.js';
import { channelWhere, LOST_STATES, severityOf } from './rules.js';

export class Alarms {
  readonly #state: DaemonState;
  readonly #events: DaemonEvents;
  readonly #log: Logger;
  readonly #channelBits: ReadonlySet<string>;
  readonly #boardBits: ReadonlySet<string>;
  /** the BdStatus bits of #boardBits as a mask: a scan whose word has none, while no alarm is active, changes nothing */
  readonly #boardMask: number;
  readonly #now: () => number;

  constructor(state: DaemonState, settings: Pick<AlarmSettings, 'channelBits' | 'boardBits'>, log: Logger, now: () => number = Date.now) {
    this.#state = state;
    this.#events = state.events;
    this.#log = log;
    this.#channelBits = new Set(settings.channelBits);
    this.#boardBits = new Set(settings.boardBits);
    let mask = 0;
    for (let bit = 0; bit < 32; bit++) if (this.#boardBits.has(BDSTATUS_BITS[bit]?.name ?? `BIT${bit}`)) mask |= 1 << bit;
    this.#boardMask = mask >>> 0;
    this.#now = now;
    this.#events.on('status-change', (e) => this.#onStatus(e));
    this.#events.on('scan', (e) => this.#onScan(e));
    this.#events.on('crate-state', (e) => this.#onCrate(e));
  }

  /** Marks an active alarm acknowledged by `who`; false when no active alarm has that id. */
  acknowledge(id: string, who: string): boolean {
    const a = this.#state.alarms.get(id);
    if (!a) return false;
    if (a.acknowledged) return true;
    a.acknowledged = { who, timeMs: this.#now() };
    this.#log.info(`alarm acknowledged by ${who}: ${a.text}`);
    this.#emit(a, 'acknowledged', a.acknowledged.timeMs);
    return true;
  }

  #onStatus(e: StatusChangeEvent): void {
    const bits = decodeChStatus(e.after).filter((b) => this.#channelBits.has(b));
    const where = channelWhere(e);
    this.#update(`channel:${e.mainframe}/${e.slot}/${e.channel}`, bits, e.timeMs, (b) => ({
      source: 'channel', mainframe: e.mainframe, setup: e.setup, slot: e.slot, channel: e.channel, name: e.name,
      text: `${where}: ${b.join(' ')}`,
    }), `${where}`);
  }

  #onScan(e: ScanEvent): void {
    const word = e.board.BdStatus;
    if (word === undefined || !Number.isFinite(word)) return;
    // every scan of every setup comes here: the usual case (no alarm bit, no alarm active) decodes nothing
    if (((word >>> 0) & this.#boardMask) === 0 && this.#state.alarms.size === 0) return;
    const bits = decodeBdStatus(word >>> 0).filter((b) => this.#boardBits.has(b));
    const where = `board in slot ${e.slot} on ${e.mainframe} (setup ${e.setup})`;
    this.#update(`board:${e.mainframe}/${e.slot}`, bits, e.timeMs, (b) => ({
      source: 'board', mainframe: e.mainframe, setup: e.setup, slot: e.slot, text: `${where}: ${b.join(' ')}`,
    }), where);
  }

  #onCrate(e: CrateStateEvent): void {
    if (e.after === 'stopped' || this.#state.phase === 'stopping' || this.#state.phase === 'stopped') return;
    const id = `crate:${e.mainframe}`;
    if (e.after === 'connected') {
      this.#update(id, [], e.timeMs, () => ({ source: 'crate', mainframe: e.mainframe, text: '' }), `crate ${e.mainframe}`);
      return;
    }
    if (!LOST_STATES.has(e.after) || this.#state.alarms.has(id)) return;
    this.#update(id, [e.after], e.timeMs, () => ({
      source: 'crate', mainframe: e.mainframe, text: `crate ${e.mainframe} lost: ${e.after}${e.detail ? ` (${e.detail})` : ''}`,
    }), `crate ${e.mainframe}`);
  }

  /** One transition at most: raised (first bit, or a new bit), cleared (no bit left), else nothing. */
  #update(id: string, bits: readonly string[], timeMs: number, make: (bits: readonly string[]) => Omit<Alarm, 'id' | 'bits' | 'severity' | 'sinceMs'>, where: string): void {
    const active = this.#state.alarms.get(id);
    if (bits.length === 0) {
      if (!active) return;
      this.#state.alarms.delete(id);
      const cleared: Alarm = { ...active, text: `${where}: alarm cleared (was ${active.bits.join(' ')})` };
      this.#log.info(cleared.text);
      this.#emit(cleared, 'cleared', timeMs);
      return;
    }
    if (active && bits.every((b) => active.bits.includes(b))) {
      // bits left, none new: the same alarm goes on (the list shows what is set now)
      if (bits.length !== active.bits.length) Object.assign(active, { bits: [...bits], text: make(bits).text });
      return;
    }
    const alarm: Alarm = { id, bits: [...bits], severity: severityOf(bits), sinceMs: active?.sinceMs ?? timeMs, ...make(bits) };
    this.#state.alarms.set(id, alarm);
    if (alarm.severity === 'error') this.#log.error(`ALARM ${alarm.text}`);
    else this.#log.warn(`ALARM ${alarm.text}`);
    this.#emit(alarm, 'raised', timeMs);
  }

  #emit(a: Alarm, action: AlarmAction, timeMs: number): void {
    const e: AlarmEvent = { ...a, bits: [...a.bits], action, timeMs };
    this.#events.emit('alarm', e);
  }
}
