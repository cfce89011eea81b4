// Several threads on different handles at once, and two processes sharing one crate's state.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { getFloats, login, loadCaen, setFloat } from './caen-ffi.js';

const CRATES = ['a', 'b', 'c', 'd'];
let sim: SimHandle;

before(async () => {
  const yaml = ['crates:', ...CRATES.flatMap((n) => [`  - name: ${n}`, '    system: SY4527', '    slots:', '      2: { model: A1535 }'])].join('\n');
  sim = await startSim({ cratesYaml: yaml });
});

after(async () => {
  await sim?.stop();
});

interface WorkerResult {
  handle: number;
  errors: string[];
  deinit: number;
}

test('four worker threads, each with its own koffi.load and handle, run at the same time without mixing answers', async () => {
  const worker = fileURLToPath(new URL('./fixtures/caen-worker.js', import.meta.url));
  await sim.control.resetCounters('a');
  // this thread keeps the library loaded, as the daemon's supervisor does: the handle table lives in it
  loadCaen(sim.libraryPath);
  const loggedIn = new Int32Array(new SharedArrayBuffer(4));
  const results = await Promise.all(
    CRATES.map(
      (name, i) =>
        new Promise<WorkerResult>((resolve, reject) => {
          const w = new Worker(worker, { workerData: { libraryPath: sim.libraryPath, address: sim.crates[name], iterations: 150, base: 100 * (i + 1), loggedIn, threads: CRATES.length } });
          w.once('message', (m: WorkerResult) => resolve(m));
          w.once('error', reject);
          w.once('exit', (code) => code !== 0 && reject(new Error(`worker exit ${code}`)));
        }),
    ),
  );
  for (const r of results) {
    assert.deepEqual(r.errors, []);
    assert.equal(r.deinit, 0);
  }
  assert.equal(new Set(results.map((r) => r.handle)).size, 4, 'distinct handles from one shared table');
  const a = await sim.control.counters('a');
  assert.equal(a.calls.CAENHV_SetChParam, 150);
  assert.equal(a.calls.CAENHV_GetChParam, 150);
  assert.equal(a.openSessions, 0);
  // the last value each thread wrote is in its own crate only
  const ffi = loadCaen(sim.libraryPath);
  for (const [i, name] of CRATES.entries()) {
    const h = login(ffi, sim.crates[name]);
    assert.deepEqual(getFloats(ffi, h, 2, 'V0Set', [0, 3]), [100 * (i + 1) + 149, 100 * (i + 1) + 149]);
    ffi.DeinitSystem(h);
  }
});

test('two processes connected to the same crate see each other\'s sets: the state lives in the mainframe', () => {
  const script = fileURLToPath(new URL('./fixtures/set-v0.js', import.meta.url));
  const ffi = loadCaen(sim.libraryPath);
  const h = login(ffi, sim.crates.b);
  try {
    const out = execFileSync(process.execPath, [script, sim.libraryPath, sim.crates.b, '2', '11', '777'], { encoding: 'utf8' });
    assert.equal(out.trim(), '777');
    assert.deepEqual(getFloats(ffi, h, 2, 'V0Set', [11]), [777], 'this process sees the other process\'s set');
    assert.equal(setFloat(ffi, h, 2, 'V0Set', [11], 555), 0);
    const back = execFileSync(process.execPath, [script, sim.libraryPath, sim.crates.b, '2', '11'], { encoding: 'utf8' });
    assert.equal(back.trim(), '555', 'the other process sees this one\'s set');
  } finally {
    ffi.DeinitSystem(h);
  }
});
