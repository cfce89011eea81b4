// The writer thread dying unasked is not silent: every sink turns failing in the daemon state, so
// GET /health and `gemcaen health` report it instead of the sinks' last "ok".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GemcaenConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import { DaemonState } from '../../src/supervisor/state.js';
import { WriterThread } from '../../src/supervisor/writer-thread.js';
import { tempDir } from './run-daemon.js';

const FIXTURE = new URL('./fixtures/writer-dies.worker.js', import.meta.url);

test('a writer thread that exits unasked turns every sink failing and health not ok', async (t) => {
  const dir = tempDir(t);
  const state = new DaemonState();
  state.phase = 'running';
  state.sinks.set('files', { id: 'files', kind: 'file', target: dir, state: 'ok' });
  const config = {
    settings: { logLevel: 'error', logDirectory: dir, spoolDirectory: join(dir, 'spool'), spoolMaxMegabytes: 10, healthListen: '', batchMaxLines: 1000, batchMaxMilliseconds: 100 },
    sinks: new Map([['files', { kind: 'file' as const, id: 'files', directory: join(dir, 'lp') }]]),
    setups: new Map(),
  } as unknown as GemcaenConfig;
  const writer = new WriterThread(createLogger({ level: 'error', console: false }), state);
  await writer.start(config, ['files'], 5000, FIXTURE);
  assert.equal(state.report().ok, true, 'ok while the writer runs');
  for (let i = 0; i < 50 && state.sinks.get('files')?.state !== 'failing'; i++) await sleep(50);
  const sink = state.sinks.get('files');
  assert.equal(sink?.state, 'failing');
  assert.match(sink?.lastError ?? '', /writer thread exited \(code 7\): no point is written/);
  const report = state.report();
  assert.equal(report.ok, false);
  assert.ok(report.problems.some((p) => /^sink files: writer thread exited/.test(p)), report.problems.join('; '));
  // the stop does not wait for a thread that is gone, and fails so that the daemon exits non-zero
  await assert.rejects(writer.stop('test', 5000), (err: Error & { code?: string }) => err.code === 'WRITER_EXITED');
});
