// A spool on a disk that is really full (a small tmpfs, filled): lines still reach a database that
// answers, the sink says its spool is degraded, and every line is either stored or counted as dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Secret } from '../../src/config/secret.js';
import type { SinkConfig } from '../../src/config/types.js';
import { mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';
import { startVictoria, sampleCount, type VictoriaServer } from '../helpers/victoria.js';
import { collectLogs, f, makeWriter, msg, point, waitFor } from './util.js';

const T0 = Date.UTC(2026, 0, 1);

function tmpfsOrSkip(t: { after(fn: () => void): void; skip(m: string): void }, size = 256 * 1024): Tmpfs | undefined {
  const fs = mountTmpfs(t, size);
  if (typeof fs === 'string') {
    t.skip(fs);
    return undefined;
  }
  return fs;
}

const sinkOf = (vm: VictoriaServer): SinkConfig => ({ kind: 'influx-v2', id: 'db', url: vm.url, token: new Secret('t'), org: 'o', bucket: 'b' });

type WriterSettings = NonNullable<Parameters<typeof makeWriter>[2]>['settings'];

/** A started writer with its spool on a small tmpfs and a VictoriaMetrics behind it (undefined: skipped). */
async function writerOnTmpfs(t: Parameters<typeof tmpfsOrSkip>[0], settings?: WriterSettings) {
  const disk = tmpfsOrSkip(t);
  if (!disk) return undefined;
  const vm = await startVictoria();
  t.after(() => vm.dispose());
  const logs = collectLogs();
  const w = makeWriter([sinkOf(vm)], disk.dir, { log: logs.log, ...(settings ? { settings } : {}) });
  await w.start();
  return { disk, vm, logs, w };
}

async function stored(vm: VictoriaServer, measurement: string, atLeast: number): Promise<number[]> {
  const s = await vm.exportSeries(`{__name__="${measurement}_seq"}`, (x) => sampleCount(x) >= atLeast, 15_000);
  return s.flatMap((x) => x.values).sort((a, b) => a - b);
}

test('spool disk full, database up: every line is stored, the sink reports its degraded spool (path, fix) until the disk has room again', async (t) => {
  const run = await writerOnTmpfs(t);
  if (!run) return;
  const { disk, vm, logs, w } = run;
  t.after(() => w.stop(1000));
  const send = (seq: number) => w.accept(msg('db', [point({ ch: '0' }, { seq: f(seq) }, T0 + seq * 1000, 'full')]));
  disk.fill(0);
  assert.equal(disk.available(), 0, 'the tmpfs is full');
  const N = 40;
  for (let seq = 0; seq < N; seq++) send(seq);
  assert.ok(await waitFor(() => w.status()[0].writtenLines === N, 15_000), `written ${w.status()[0].writtenLines} of ${N}: ${JSON.stringify(w.status()[0])}`);
  assert.deepEqual(await stored(vm, 'full', N), Array.from({ length: N }, (_, i) => i), 'every line is in the database');
  const st = w.status()[0];
  assert.equal(st.droppedLines, 0);
  assert.equal(st.state, 'ok');
  assert.match(st.spoolError ?? '', /ENOSPC/);
  assert.ok(st.spoolError?.includes(join(disk.dir, 'db')), `the path is named: ${st.spoolError}`);
  assert.match(st.spoolError ?? '', /Settings\.spoolDirectory/);
  const errors = logs.lines.filter((l) => l.level === 'error' && /cannot append to the spool/.test(l.message));
  assert.equal(errors.length, 1, 'said once, not per batch');
  // room again: the next lines are spooled, the degraded state ends
  disk.free();
  send(N);
  assert.ok(await waitFor(() => w.status()[0].writtenLines === N + 1 && w.status()[0].spoolError === undefined, 10_000), JSON.stringify(w.status()[0]));
  assert.ok(logs.lines.some((l) => l.level === 'info' && /spool in .* takes lines again/.test(l.message)), JSON.stringify(logs.lines));
});

test('spool disk full, database down: lines wait in memory up to the cap, the oldest beyond it are counted and logged as dropped; nothing stalls once the database is back', async (t) => {
  const cap = 50;
  const run = await writerOnTmpfs(t, { maxUnspooledLines: cap, dropLogEveryMs: 60_000 });
  if (!run) return;
  const { disk, vm, logs, w } = run;
  t.after(() => w.stop(1000));
  await vm.stop();
  // a few lines reach the spool before the disk fills: they must be replayed too
  const send = (seq: number) => w.accept(msg('db', [point({ ch: '0' }, { seq: f(seq) }, T0 + seq * 1000, 'capped')]));
  for (let seq = 0; seq < 5; seq++) send(seq);
  assert.ok(await waitFor(() => w.status()[0].state === 'failing' && w.status()[0].spooledLines === 5), JSON.stringify(w.status()[0]));
  disk.fill(0);
  // the last page of the segment may still take a few lines (tmpfs allocates whole pages): those are
  // spooled, the rest is held in memory up to the cap
  const N = 125;
  for (let seq = 5; seq < N; seq++) {
    send(seq);
    if (seq % 20 === 0) await waitFor(() => w.status()[0].spooledLines === seq + 1 - w.status()[0].droppedLines);
  }
  assert.ok(await waitFor(() => w.status()[0].spooledLines + w.status()[0].droppedLines === N && w.status()[0].unspooledLines === cap, 5000), JSON.stringify(w.status()[0]));
  const spooled = w.status()[0].spooledLines - cap;
  assert.equal(w.status()[0].droppedLines, N - spooled - cap, 'only what does not fit in memory is dropped');
  assert.ok(w.status()[0].droppedLines > 0);
  const st = w.status()[0];
  assert.equal(st.unspooledLines, cap);
  assert.equal(st.state, 'failing');
  assert.match(st.spoolError ?? '', /ENOSPC/);
  const dropLogs = logs.lines.filter((l) => l.level === 'error' && /dropped the oldest \d+ lines held in memory/.test(l.message));
  assert.ok(dropLogs.length >= 1 && dropLogs.length <= 2, `the first drop is logged at once, the rest at most once a minute: ${JSON.stringify(dropLogs)}`);
  await vm.start();
  assert.ok(await waitFor(() => w.status()[0].spooledLines === 0 && w.status()[0].state === 'ok', 20_000), `no stall: ${JSON.stringify(w.status()[0])}`);
  const kept = await stored(vm, 'capped', spooled + cap);
  console.log(`spool full + database down, memory cap ${cap}: produced ${N} lines, ${spooled} in the spool before it filled, stored ${kept.length}, counted as dropped ${w.status()[0].droppedLines}, stored + dropped = produced: ${kept.length + w.status()[0].droppedLines === N}`);
  assert.equal(kept.length + w.status()[0].droppedLines, N, 'every line is stored or counted as dropped');
  assert.deepEqual(kept, [...Array.from({ length: spooled }, (_, i) => i), ...Array.from({ length: cap }, (_, i) => N - cap + i)], 'the spooled lines and the newest in memory are stored');
  const dropped = w.status()[0].droppedLines;
  await w.stop(1000);
  assert.ok(logs.lines.some((l) => l.level === 'error' && new RegExp(`dropped the oldest \\d+ lines held in memory.*; ${dropped} dropped in total`).test(l.message)), 'the stop logs the drops not yet logged');
});

test('a stop with the spool full and the database down says how many lines held in memory are lost, and counts them', async (t) => {
  const run = await writerOnTmpfs(t);
  if (!run) return;
  const { disk, vm, logs, w } = run;
  await vm.stop();
  disk.fill(0);
  for (let seq = 0; seq < 7; seq++) w.accept(msg('db', [point({ ch: '0' }, { seq: f(seq) }, T0 + seq * 1000, 'lost')]));
  assert.ok(await waitFor(() => w.status()[0].unspooledLines === 7 && w.status()[0].state === 'failing'), JSON.stringify(w.status()[0]));
  await w.stop(500);
  const st = w.status()[0];
  assert.equal(st.droppedLines, 7);
  assert.equal(st.spooledLines, 0);
  const line = logs.lines.find((l) => l.level === 'error' && /stopping: 7 lines held in memory are lost/.test(l.message));
  assert.ok(line, JSON.stringify(logs.lines));
  assert.ok(line.message.includes(join(disk.dir, 'db')), 'names the spool');
});
