// The benchmark's own pieces (scripts/bench): its crates and configs are valid for the simulator and the
// real config loader, its synthetic points are the daemon's schema, /proc figures and the results section.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, setupsByMainframe } from '../../src/config/load.js';
import { parseCrates } from '../../sim/mainframe/crates-file.js';
import { configYaml, cratesYaml, MONITORABLES } from '../../scripts/bench/fixtures.js';
import { benchSetups, roundMessages, roundReadingsMessages } from '../../scripts/bench/points-fixture.js';
import { expandReadings } from '../../src/readings.js';
import { sampleProc, summarise } from '../../scripts/bench/proc-stats.js';
import { RESULTS_END, RESULTS_START, writeResults } from '../../scripts/bench/report.js';

test('crates file: N full SY4527 crates of 16 A1535, every channel on at 1500 V', () => {
  const crates = parseCrates(cratesYaml(3), 'bench-crates.yml');
  assert.equal(crates.length, 3);
  for (const c of crates) {
    assert.equal(c.system, 'SY4527');
    const slots = Object.entries(c.slots);
    assert.equal(slots.length, 16);
    for (const [, s] of slots) {
      assert.equal(s.model, 'A1535');
      assert.equal(s.channelDefaults?.Pw, 1, 'Pw On');
      assert.equal(s.channelDefaults?.V0Set, 1500);
    }
  }
});

test('config: one setup per slot and crate, all 24 channels, six monitorables, grouped per mainframe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gemcaen-bench-test-'));
  try {
    const text = configYaml({ addresses: ['127.0.0.1', '127.0.0.2'], library: '/x/libcaenhvwrapper.so', dir, sink: { kind: 'file', directory: join(dir, 'data') } });
    const config = parseConfig(text, join(dir, 'config.yml'));
    assert.equal(config.setups.size, 32);
    const groups = setupsByMainframe(config, [...config.setups.values()]);
    assert.deepEqual([...groups.values()].map((l) => l.length), [16, 16]);
    for (const s of config.setups.values()) {
      assert.deepEqual(s.monitorables, MONITORABLES);
      assert.equal(s.channels.length, 24);
      assert.equal(s.holdOffSeconds, 1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('synthetic round: one message per setup, 24 channel points of 22 fields plus a board point', () => {
  const msgs = roundMessages(benchSetups(2, 'vm'), 1_700_000_000_000, 3);
  assert.equal(msgs.length, 32);
  const m = msgs[0];
  assert.equal(m.points.length, 25);
  assert.equal(Object.keys(m.points[0].fields).length, 6 + 16);
  assert.equal(m.points[0].measurement, 'CAEN_Board_Monitor');
  assert.deepEqual(m.points[24].fields.BdStatus, { type: 'int', value: 0 });
  assert.equal(m.points[0].timeMs, 1_700_000_000_000);
});

test('synthetic round as a worker sends it: the compact readings expand to the same points; the layout only when asked', () => {
  const setups = benchSetups(1, 'vm');
  const points = roundMessages(setups, 1_700_000_000_000, 3);
  const first = roundReadingsMessages(setups, 1_700_000_000_000, 3, true);
  assert.deepEqual(
    first.map((m) => ({ type: 'points', setup: m.setup, sink: m.sink, points: expandReadings(m.layout!, m.values, m.timeMs) })),
    points,
  );
  assert.ok(roundReadingsMessages(setups, 1_700_000_000_000, 3, false).every((m) => m.layout === undefined));
});

test('/proc figures: this process has CPU time and RSS; summary of two samples', () => {
  const a = sampleProc(process.pid);
  let x = 0;
  for (let i = 0; i < 2e7; i++) x += i;
  const b = sampleProc(process.pid);
  assert.ok(x > 0);
  assert.ok(a.rssKiB > 1000, `RSS ${a.rssKiB} KiB`);
  assert.ok(a.rssFileKiB > 0 && a.rssFileKiB < a.rssKiB, `RssFile ${a.rssFileKiB} KiB`);
  assert.ok(b.cpuSeconds >= a.cpuSeconds);
  const s = summarise([
    { atMs: 0, cpuSeconds: 1, rssKiB: 1024, rssFileKiB: 512 },
    { atMs: 1000, cpuSeconds: 1.5, rssKiB: 3072, rssFileKiB: 1024 },
    { atMs: 2000, cpuSeconds: 1.6, rssKiB: 2048, rssFileKiB: 1536 },
  ]);
  assert.ok(Math.abs(s.cpuMeanPercent - 30) < 1e-9, `mean ${s.cpuMeanPercent}`);
  assert.ok(Math.abs(s.cpuMaxPercent - 50) < 1e-9, `max ${s.cpuMaxPercent}`);
  assert.equal(s.rssMaxMiB, 3);
  assert.equal(s.rssMeanMiB, 2);
  assert.equal(s.rssFileMeanMiB, 1);
});

test('results section: replaced between the markers, appended when missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gemcaen-bench-test-'));
  try {
    const file = join(dir, 'B.md');
    writeFileSync(file, `# B\n\n${RESULTS_START}\nold\n${RESULTS_END}\n\ntail\n`);
    writeResults(file, 'new figures');
    assert.equal(readFileSync(file, 'utf8'), `# B\n\n${RESULTS_START}\nnew figures\n${RESULTS_END}\n\ntail\n`);
    const other = join(dir, 'C.md');
    writeFileSync(other, '# C\n');
    writeResults(other, 'x');
    assert.equal(readFileSync(other, 'utf8'), `# C\n\n${RESULTS_START}\nx\n${RESULTS_END}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
