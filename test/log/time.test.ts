// One time format wherever a person reads a moment: ISO 8601 local time with its offset, to the ms.
import test from 'node:test';
import assert from 'node:assert/strict';
import { isoTime } from '../../src/time.js';
import { createLogger, closeLogger } from '../../src/log.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testTempDir } from '../helpers/temp-dir.js';

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/;

test('isoTime: local time with its UTC offset, parses back to the same instant', () => {
  for (const ms of [0, 1_700_000_000_123, Date.now()]) {
    const s = isoTime(ms);
    assert.match(s, ISO_WITH_OFFSET);
    assert.equal(Date.parse(s), ms);
  }
});

test('the log file line starts with that time format', async (t) => {
  const dir = testTempDir(t, 'gemcaen-log-');
  const log = createLogger({ level: 'info', console: false, directory: dir });
  log.info('hello');
  await closeLogger(log);
  const file = readdirSync(dir).find((f) => f.endsWith('.log'));
  assert.ok(file);
  const line = readFileSync(join(dir, file), 'utf8').trim();
  assert.match(line.split(' ')[0] as string, ISO_WITH_OFFSET);
});
