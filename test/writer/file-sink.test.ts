// The file sink: exact bytes, one file per UTC day of the points' timestamps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SinkConfig } from '../../src/config/types.js';
import { f, i, makeWriter, msg, point, tempDir } from './util.js';

test('line protocol bytes exactly as expected, rotated at UTC midnight, deduplicated with the setup heartbeat', async (t) => {
  const dir = tempDir(t);
  const sink: SinkConfig = { kind: 'file', id: 'lab files', directory: join(dir, 'lp') };
  let clock = 0;
  const w = makeWriter([sink], join(dir, 'spool'), { policies: { GEM: { heartbeatSeconds: 60, deadbands: { VMon: 0.5 } } }, now: () => clock });
  await w.start();
  t.after(() => w.stop(500));
  const before = Date.UTC(2024, 2, 31, 23, 59, 30);
  const tags = { ChannelName: 'G3Bot', Board: 'A1515 slot 0' };
  const send = (v: number, s: number, at: number) => w.accept(msg('lab files', [point(tags, { VMon: f(v), Status: i(s) }, at)], 'GEM'));
  send(700, 1, before); // written
  send(700.2, 1, before + 10_000); // inside deadband, same status: nothing
  send(700.6, 1, before + 20_000); // 0.6 from the last written: VMon only
  send(700.6, 1, before + 60_000); // 2024-04-01 00:00:30, heartbeat of Status (written at `before`) due; VMon not
  send(700.6, 1, before + 80_000); // VMon heartbeat due (last written at +20 s)
  clock = 42;
  await w.flush();
  const files = readdirSync(join(dir, 'lp')).sort();
  assert.deepEqual(files, ['gemcaen-2024-03-31.lp', 'gemcaen-2024-04-01.lp']);
  const head = 'HV,Board=A1515\\ slot\\ 0,ChannelName=G3Bot';
  assert.equal(
    readFileSync(join(dir, 'lp', files[0]), 'utf8'),
    `${head} Status=1i,VMon=700 ${before}\n${head} VMon=700.6 ${before + 20_000}\n`,
  );
  assert.equal(readFileSync(join(dir, 'lp', files[1]), 'utf8'), `${head} Status=1i ${before + 60_000}\n${head} VMon=700.6 ${before + 80_000}\n`);
  const st = w.status()[0];
  assert.equal(st.kind, 'file');
  assert.equal(st.writtenLines, 4);
  assert.equal(st.lastWriteAt, 42, 'status times come from the injected clock');
  assert.deepEqual(readdirSync(join(dir)).sort(), ['lp'], 'the file sink uses no spool directory');
});
