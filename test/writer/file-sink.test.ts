// The file sink: exact bytes, one file per UTC day of the points' timestamps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SinkConfig } from '../../src/config/types.js';
import { FileSink } from '../../src/writer/sinks/file/file-sink.js';
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

test('a partial write (ENOSPC) is cut back: the retry leaves no torn line', async (t) => {
  const dir = tempDir(t);
  const T = Date.UTC(2024, 5, 1, 10, 0, 0);
  const file = join(dir, 'gemcaen-2024-06-01.lp');
  writeFileSync(file, `HV,ChannelName=Drift VMon=1 ${T - 1000}\n`);
  let full = false;
  const sink = new FileSink({
    id: 'f',
    directory: dir,
    writeSync: (fd, buf, off, len) => {
      if (!full) return writeSync(fd, buf, off, len);
      if (len > 10) return writeSync(fd, buf, off, Math.floor(len / 2)); // half a line reaches the disk
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    },
  });
  const lines = [`HV,ChannelName=G3Bot VMon=700.5 ${T}`, `HV,ChannelName=G3Top VMon=650 ${T}`];
  full = true;
  const failed = await sink.write(lines);
  assert.equal(failed.status, 500);
  assert.match(failed.message ?? '', /^ENOSPC/);
  assert.equal(readFileSync(file, 'utf8'), `HV,ChannelName=Drift VMon=1 ${T - 1000}\n`, 'cut back to its size before the batch');
  full = false;
  assert.equal((await sink.write(lines)).status, 204);
  assert.equal(readFileSync(file, 'utf8'), `HV,ChannelName=Drift VMon=1 ${T - 1000}\n${lines.join('\n')}\n`);
});

test('a batch over two days is all or nothing: the 2nd file failing does not write the 1st twice on retry', async (t) => {
  const dir = tempDir(t);
  const day1 = Date.UTC(2024, 5, 1, 23, 59, 59);
  const day2 = Date.UTC(2024, 5, 2, 0, 0, 1);
  const file1 = join(dir, 'gemcaen-2024-06-01.lp');
  const file2 = join(dir, 'gemcaen-2024-06-02.lp');
  writeFileSync(file1, `HV,ChannelName=Drift VMon=1 ${day1 - 1000}\n`);
  mkdirSync(file2); // the 2nd day's file cannot be opened (EISDIR)
  const sink = new FileSink({ id: 'f', directory: dir });
  const lines = [`HV,ChannelName=G3Bot VMon=700 ${day1}`, `HV,ChannelName=G3Bot VMon=701 ${day2}`];
  const failed = await sink.write(lines);
  assert.equal(failed.status, 500);
  assert.equal(readFileSync(file1, 'utf8'), `HV,ChannelName=Drift VMon=1 ${day1 - 1000}\n`, 'the 1st file cut back');
  rmdirSync(file2);
  assert.equal((await sink.write(lines)).status, 204);
  assert.equal(readFileSync(file1, 'utf8'), `HV,ChannelName=Drift VMon=1 ${day1 - 1000}\nHV,ChannelName=G3Bot VMon=700 ${day1}\n`);
  assert.equal(readFileSync(file2, 'utf8'), `HV,ChannelName=G3Bot VMon=701 ${day2}\n`);
  // a file created by the failed batch is removed again
  const fresh = join(dir, 'new');
  mkdirSync(join(fresh, 'gemcaen-2024-06-02.lp'), { recursive: true });
  assert.equal((await new FileSink({ id: 'g', directory: fresh }).write(lines)).status, 500);
  assert.deepEqual(readdirSync(fresh), ['gemcaen-2024-06-02.lp']);
});
