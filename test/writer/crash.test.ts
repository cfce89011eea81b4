// SIGKILL of a writer process mid-run: the spool replays on the next start; nothing accepted is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Secret } from '../../src/config/secret.js';
import { startVictoria, sampleCount } from '../helpers/victoria.js';
import { makeWriter, tempDir, waitFor } from './util.js';

const CHILD = fileURLToPath(new URL('./fixtures/crash-child.js', import.meta.url));

test('SIGKILL mid-run: after restart every line the killed writer had accepted arrives; duplicates at most one batch', async (t) => {
  const vm = await startVictoria();
  t.after(() => vm.dispose());
  const spool = tempDir(t);
  const child = spawn(process.execPath, [CHILD, spool, vm.url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let lastAccepted = -1;
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const l of lines) if (l.startsWith('A ')) lastAccepted = Number(l.slice(2));
  });
  assert.ok(await waitFor(() => lastAccepted > 2000, 10_000));
  // stop the database for a moment so the spool holds a backlog when the kill comes
  await vm.stop();
  await sleep(500);
  await vm.start();
  await sleep(150);
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
  const accepted = lastAccepted + 1;

  const w = makeWriter([{ kind: 'influx-v2', id: 'crash', url: vm.url, token: new Secret('t'), org: 'o', bucket: 'b' }], spool);
  await w.start();
  t.after(() => w.stop(1000));
  assert.ok(await waitFor(() => w.status()[0].spooledLines === 0, 20_000));
  const series = await vm.exportSeries('{__name__="crash_seq"}', (s) => sampleCount(s) >= accepted, 10_000);
  const values = series.flatMap((s) => s.values);
  const distinct = new Set(values);
  for (let k = 0; k < accepted; k++) assert.ok(distinct.has(k), `line ${k} of ${accepted} accepted before the kill is missing`);
  const duplicates = values.length - distinct.size;
  t.diagnostic(`accepted ${accepted} before SIGKILL, ${distinct.size} distinct delivered, ${duplicates} duplicates (replayed in-flight batch)`);
  assert.ok(duplicates <= 5000, `${duplicates} duplicates: more than one in-flight batch`);
});
