// Waiting on a condition, never on a fixed sleep: polls `cond` every 25 ms, fails with `what` after timeoutMs.
import { setTimeout as sleep } from 'node:timers/promises';

export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(25);
  }
}
