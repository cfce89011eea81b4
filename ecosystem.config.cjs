// pm2 process file for the logging daemon on a lab server:
//   pm2 start ecosystem.config.cjs -- <setups...>     (or edit `args` below)
//   pm2 logs gemcaen | pm2 stop gemcaen | pm2 save && pm2 startup
// pm2 stops with SIGINT, waits kill_timeout, then SIGKILLs. gemcaen's graceful stop (pollers log out,
// writer flushes or spools) is bounded at 10 s, so kill_timeout is 15 s: a SIGKILL would leave the
// crate sessions open and lose what the writer had not yet spooled.
module.exports = {
  apps: [
    {
      name: 'gemcaen',
      script: 'dist/src/cli/main.js',
      args: ['start', ...(process.env.GEMCAEN_SETUPS ?? 'demo').split(/\s+/).filter(Boolean)],
      cwd: __dirname,
      interpreter: 'node',
      // the main thread's young generation (src/cli/node-flags.ts)
      node_args: ['--max-semi-space-size=2'],
      exec_mode: 'fork', // one process: it owns the crate sessions; never cluster mode
      instances: 1,
      kill_timeout: 15000,
      // restart after a crash, but not in a tight loop (a bad config exits 2 at once)
      autorestart: true,
      min_uptime: '10s',
      max_restarts: 10,
      exp_backoff_restart_delay: 1000,
      stop_exit_codes: [0, 2],
      env: {
        NODE_ENV: 'production',
        // GEMCAEN_CONFIG: '/etc/gemcaen/config.yml',
        // secrets referenced as ${VAR} in the config come from here or from pm2's environment
      },
      // gemcaen rotates its own file log (Settings.logDirectory); pm2 keeps its console copy
      merge_logs: true,
      time: false,
    },
  ],
};
