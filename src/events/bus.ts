// The typed event bus of the supervisor (main thread). Listeners are called synchronously, in the
// order they subscribed; a listener that throws is reported to onError and does not stop the others
// nor the emitter (an extension's bug must not stop the logging).
import type { DaemonEventMap, DaemonEventType, Listener } from './types.js';

export class DaemonEvents {
  /** per type, the listeners in the order they subscribed: a new array on each on/off (rare), so that an
   *  emit (every scan) iterates the array it found without copying it, whatever its listeners subscribe */
  readonly #listeners = new Map<DaemonEventType, readonly ((e: never) => void)[]>();
  readonly #onError: (type: DaemonEventType, err: unknown) => void;

  constructor(onError: (type: DaemonEventType, err: unknown) => void = () => {}) {
    this.#onError = onError;
  }

  on<K extends DaemonEventType>(type: K, fn: Listener<K>): this {
    const list = this.#listeners.get(type) ?? [];
    if (!list.includes(fn as (e: never) => void)) this.#listeners.set(type, [...list, fn as (e: never) => void]);
    return this;
  }

  off<K extends DaemonEventType>(type: K, fn: Listener<K>): this {
    const list = this.#listeners.get(type);
    if (list?.includes(fn as (e: never) => void)) this.#listeners.set(type, list.filter((f) => f !== fn));
    return this;
  }

  emit<K extends DaemonEventType>(type: K, event: DaemonEventMap[K]): void {
    const list = this.#listeners.get(type);
    if (!list) return;
    for (let i = 0; i < list.length; i++) {
      try {
        (list[i] as Listener<K>)(event);
      } catch (err) {
        this.#onError(type, err);
      }
    }
  }

  /** number of listeners of a type (tests, leak checks) */
  listenerCount(type: DaemonEventType): number {
    return this.#listeners.get(type)?.length ?? 0;
  }
}
