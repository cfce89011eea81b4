// Compiles the simulator's drop-in CAEN HV wrapper library with the machine's cc.
// Output: build/sim/libcaenhvwrapper.so (plus a versioned name, as CAEN ships it).
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const outDir = join('build', 'sim');
mkdirSync(outDir, { recursive: true });
const so = join(outDir, 'libcaenhvwrapper.so.6.1');
const cc = process.env.CC ?? 'cc';
const args = ['-std=c11', '-D_GNU_SOURCE', '-O2', '-g', '-Wall', '-Wextra', '-fPIC', '-shared', '-fvisibility=hidden',
  '-Wl,-soname,libcaenhvwrapper.so', '-o', so, 'sim/lib/caenhvwrapper.c', '-lpthread'];
if (!existsSync('sim/lib/caenhvwrapper.c')) { console.log('build-sim-lib: sim/lib/caenhvwrapper.c not present yet, skipped'); process.exit(0); }
const r = spawnSync(cc, args, { stdio: 'inherit' });
if (r.error) { console.error(`build-sim-lib: cannot run ${cc}: ${r.error.message}; install a C compiler (apt-get install gcc)`); process.exit(1); }
if (r.status !== 0) process.exit(r.status ?? 1);
const link = join(outDir, 'libcaenhvwrapper.so');
rmSync(link, { force: true });
symlinkSync('libcaenhvwrapper.so.6.1', link);
console.log(`build-sim-lib: ${link}`);
