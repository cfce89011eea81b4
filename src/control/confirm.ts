// Explicit intent before a set point changes: --yes, or "y" typed at the "Apply? [y/N]" prompt.
// The answer is read from stdin. When no answer can come (stdin ends first: no terminal, /dev/null,
// cron) the change is refused with CONFIRMATION_REQUIRED (exit 2) saying to add --yes; any answer
// other than y/yes is DECLINED (exit 3). While waiting, `keepalive` runs every few seconds so that the
// crate does not drop the idle session (SYx527 drop sessions silent for ~15 s).
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { GemcaenError, UsageError } from '../errors.js';

export interface ConfirmOptions {
  /** --yes: no question asked */
  yes: boolean;
  input: Readable;
  output: Writable;
  /** what to add to the refusal, e.g. "gemcaen set DemoGEM … --yes" */
  command: string;
  /** a cheap wrapper call made while the question waits */
  keepalive?: () => void;
  keepaliveMs?: number;
  /** aborts the wait (SIGINT/SIGTERM) */
  signal?: AbortSignal;
}

/** Resolves when the change may go ahead; throws CONFIRMATION_REQUIRED or DECLINED otherwise. */
export async function confirmChange(question: string, opts: ConfirmOptions): Promise<void> {
  if (opts.yes) return;
  const rl = createInterface({ input: opts.input, output: opts.output, terminal: false });
  const timer = opts.keepalive
    ? setInterval(() => {
        try {
          opts.keepalive?.();
        } catch {
          // the write after the answer reports a lost session
        }
      }, opts.keepaliveMs ?? 5000)
    : undefined;
  try {
    opts.output.write(`${question} [y/N] `);
    const answer = await new Promise<string | null>((resolve, reject) => {
      let settled = false;
      rl.once('line', (line) => {
        settled = true;
        resolve(line);
      });
      rl.once('close', () => {
        if (!settled) resolve(null);
      });
      opts.signal?.addEventListener('abort', () => reject(opts.signal?.reason as Error), { once: true });
    });
    if (answer === null) {
      opts.output.write('\n');
      throw new UsageError(
        'CONFIRMATION_REQUIRED',
        `no answer to "${question}" (stdin is not a terminal or was closed): nothing was changed; to apply without a question, add --yes: ${opts.command} --yes`,
      );
    }
    if (!/^\s*y(es)?\s*$/i.test(answer)) throw new GemcaenError('DECLINED', `not applied (answer "${answer.trim()}"); nothing was changed`);
  } finally {
    if (timer) clearInterval(timer);
    rl.close();
  }
}
