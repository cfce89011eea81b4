// Starts the extensions in order and stops them in reverse order, each stop in its own try/catch
// and bounded, so that one extension that hangs or throws does not keep the others (nor the
// writer, stopped after them) from stopping.
import { setTimeout as sleep } from 'node:timers/promises';
import { GemcaenError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Extension, ExtensionContext } from './types.js';

export class Extensions {
  readonly #list: readonly Extension[];
  readonly #started: Extension[] = [];

  constructor(list: readonly Extension[]) {
    const names = new Set<string>();
    for (const e of list) {
      if (names.has(e.name)) throw new RangeError(`extension "${e.name}" given twice`);
      names.add(e.name);
    }
    this.#list = list;
  }

  get names(): string[] {
    return this.#list.map((e) => e.name);
  }

  /**
   * Starts each extension with its own context (a logger labelled with its name). A start that
   * fails ends the start: the error goes to the caller; those already started stop with stop().
   */
  async start(contextFor: (e: Extension) => ExtensionContext, shouldGoOn: () => boolean = () => true): Promise<void> {
    for (const e of this.#list) {
      if (!shouldGoOn()) return;
      this.#started.push(e);
      await e.start(contextFor(e));
    }
  }

  /** Stops the started extensions, last first; returns one line per failure (empty when all stopped). */
  async stop(log: Logger, timeoutMs: number): Promise<string[]> {
    const failures: string[] = [];
    while (this.#started.length > 0) {
      const e = this.#started.pop()!;
      try {
        const first = await Promise.race([e.stop().then(() => 'stopped' as const), sleep(timeoutMs, 'timeout' as const, { ref: false })]);
        if (first === 'timeout') throw new GemcaenError('SHUTDOWN_TIMEOUT', `did not stop within ${timeoutMs} ms`);
      } catch (err) {
        const line = `extension ${e.name}: ${err instanceof Error ? err.message : String(err)}`;
        log.error(`stopping ${line}`);
        failures.push(line);
      }
    }
    return failures;
  }
}
