// Builds everything `npm install` must leave ready: the simulator's drop-in
// libcaenhvwrapper.so (C, with the machine's cc), the TypeScript in dist/ and the config schema's
// compiled validator (scripts/build-validator.mjs).
import { spawnSync } from 'node:child_process';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.error) { console.error(`build: cannot run ${cmd}: ${r.error.message}`); process.exit(1); }
  if (r.status !== 0) { console.error(`build: ${cmd} ${args.join(' ')} failed with exit ${r.status}`); process.exit(r.status ?? 1); }
}

run(process.execPath, ['scripts/build-sim-lib.mjs']);
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
run(process.execPath, ['scripts/build-validator.mjs']);
