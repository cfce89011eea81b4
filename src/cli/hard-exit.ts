// Ending the process: after a stop (src/cli/start.ts), and when a worker thread may be inside a native
// call (a CAEN library call that does not return). process.exit() and process.reallyExit() both join every worker thread before exiting,
// and a thread inside C code is never joined: the process hangs at 100 % of nothing, forever
// (test/daemon/stuck-stop.test.ts shows it). libc's _exit() ends every thread at once with the code
// given; koffi (already a dependency, loaded here only for this) calls it. Where that is impossible
// the process kills itself (SIGKILL), which a supervisor (pm2, systemd) sees as a failure too.
// stdout and stderr are synchronous for files, pipes and terminals on Linux: lines written before
// are not lost; close the logger first so its file is complete.

/** Ends the process now through libc's _exit(code); returns only where that is impossible (no glibc, no koffi). */
export async function libcExit(code: number): Promise<void> {
  try {
    const { default: koffi } = await import('koffi');
    const exit = koffi.load('libc.so.6').func('void _exit(int)');
    exit(code);
  } catch {
    // no glibc, koffi missing: the caller decides
  }
}

/** Ends the process now with `code`, whatever a worker thread is doing. Never returns. */
export async function hardExit(code: number): Promise<never> {
  await libcExit(code);
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL is delivered before this line runs again; keep TypeScript's `never` honest
  for (;;) await new Promise(() => undefined);
}
