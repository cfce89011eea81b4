// The typed event bus of the supervisor (main thread). Listeners are called synchronously, in the
// order they subscribed; a listener that throws is reported to onError and does not stop the others
// nor the emitter (an extension's bug must not stop the logging).
import type { DaemonEventMap, DaemonEventType, Listener } from './types.js';

export class DaemonEvents {
  readonly #listeners = new Map<DaemonEventType, Set<(e: never) => void>>();
  readonly #onError: (type: DaemonEventType, err: unknown) => void;

  constructor(onError: (type: DaemonEventType, err: unknown) => void = () => {}) {
    this.#onError = onError;
  }

  on<K extends DaemonEventType>(type: K, fn: Listener<K>): this {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(fn as (e: never) => void);
    return this;
  }

  off<K extends DaemonEventType>(type: K, fn: Listener<K>): this {
    this.#listeners.get(type)?.delete(fn as (e: never) => void);
    return this;
  }

  emit<K extends DaemonEventType>(type: K, event: DaemonEventMap[K]): void {
    const set = this.#listeners.get(type);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as Listener<K>)(event);
      } catch (err) {
        this.#onError(type, err);
      }
    }
  }

  /** number of listeners of a type (tests, leak checks) */
  listenerCount(type: DaemonEventType): number {
    return this.#listeners.get(type)?.size ?? 0;
  }
}
