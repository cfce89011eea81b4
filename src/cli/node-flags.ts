// The V8 flags the daemon's process is started with: by `npm start`, bin/gemcaen.js, pm2's
// ecosystem.config.cjs and deploy/gemcaen.service (test/architecture/node-flags.test.ts checks that they
// all say this), and by the benchmark and the tests that start the daemon.
//
// The worker threads' heaps are sized from inside the process (src/supervisor/thread-heaps.ts); the main
// thread's cannot be: its young generation is fixed when node starts. Left to V8's default it grew to
// ~30 MB under the supervisor's per-scan work (4 full crates); with 2 MB semi-spaces the daemon's RSS
// was 132 instead of 150 MiB at the same CPU (BENCHMARKS.md, "Memory (issue 16, 2026-12-07)").
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
