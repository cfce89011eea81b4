// The golden line-protocol test: the schema gemcaen writes, byte for byte. A fixed simulated crate (an
// SY4527 with a triple-GEM layer on an A1515TG, so Ieq appears, and an A1535 with drift channels, one of
// them off, one with injected status bits, and a board with BdStatus bits and a temperature) is logged by
// the real daemon (`gemcaen start`: the real mainframe worker and writer thread) into the FILE sink. The
// lines in the file must equal test/writer/fixtures/golden-lines.lp.
//
// The crate has `noise: false` (docs/simulator.md): every reading is exact, so later scans change
// nothing and the dedup writes each series once. Normalised, and only these:
//  - the timestamp at the end of each line (the time of the read) becomes `<ms>`; it must be 13 digits
//    (milliseconds), so a change of precision still fails;
//  - the lines are put in a fixed order by a stable sort: first the daemon's own points (`gemcaen_*`,
//    emitted by the main thread, in their order), then the readings by setup (the `setup=` tag): the
//    two setups are scanned independently and the main thread's points travel on another path, so
//    which reaches the writer first varies; the order within each group is kept as written.
//  - `gemcaen_sink` lines are left out: the daemon writes one when a sink changes state and every 60 s,
//    so whether one falls in the test's few seconds depends on timing (and its tag is the temp dir);
//  - the crate's address (a random loopback address, so that test runs side by side never collide: it
//    is the `mainframe` tag and part of alarm texts) becomes `<crate>`.
//
// Regenerate (after an intended schema change, to be reviewed in the diff):
//   GEMCAEN_UPDATE_GOLDEN=1 node scripts/run-tests.mjs writer/golden
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSim } from '../helpers/sim.js';
import { mainframeYaml, settingsYaml, startDaemon, tempDir, writeConfig } from '../daemon/run-daemon.js';

const GOLDEN = join(process.cwd(), 'test', 'writer', 'fixtures', 'golden-lines.lp');

const CRATES = `crates:
  - name: golden
    system: SY4527
    noise: false
    slots:
      0:
        model: A1515TG
        temperatureC: 31.5
        channelDefaults: { I0Set: 5, RUp: 20, RDWn: 50, SVMax: 900, LoadMOhm: 2000 }
        channels:
          0: { name: GEM1_G3BOT, V0Set: 438, Pw: On }
          1: { name: GEM1_G3TOP, V0Set: 368, Pw: On }
          2: { name: GEM1_G2BOT, V0Set: 612.5, Pw: On }
          3: { name: GEM1_G2TOP, V0Set: 385, Pw: On }
          4: { name: GEM1_G1BOT, V0Set: 307, Pw: On }
          5: { name: GEM1_G1TOP, V0Set: 392, Pw: On }
          6: { name: GEM1_G0BOT, V0Set: 788, Pw: On }
      2:
        model: A1535
        temperatureC: 28.4
        channels:
          0: { name: DRIFT0, V0Set: 1500, I0Set: 30, Pw: On, LoadMOhm: 1000 }
          1: { name: DRIFT1, V0Set: 2000.5, I0Set: 30, Pw: On, LoadMOhm: 3000 }
          2: { name: "A B,C=D", V0Set: 250, Pw: On, LoadMOhm: 7 }
          3: { name: DRIFT3, V0Set: 1200, Pw: Off }
`;

/** The lines of every file the FILE sink wrote, timestamps and the crate's address normalised, in a fixed order. */
function normalisedLines(dir: string, address: string): string[] {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.lp')).sort() : [];
  const lines = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('gemcaen_sink,')));
  const normalised = lines.map((l) => {
    const m = / (\d+)$/.exec(l);
    assert.ok(m && m[1].length === 13, `a line ends in a millisecond timestamp: ${l}`);
    return `${l.slice(0, m.index).split(address).join('<crate>')} <ms>`;
  });
  const group = (l: string): string => (l.startsWith('gemcaen_') ? '0' : `1 ${/,setup=([^,\s]*)/.exec(l)?.[1] ?? ''}`);
  return normalised
    .map((l, i) => ({ l, i, g: group(l) }))
    .sort((a, b) => (a.g < b.g ? -1 : a.g > b.g ? 1 : a.i - b.i))
    .map((x) => x.l);
}

test('golden line protocol: the lines the daemon writes for a fixed simulated crate, byte for byte', async (t) => {
  const sim = await startSim({ cratesYaml: CRATES });
  t.after(() => sim.stop());
  // a status word and board status bits the physics does not make: EXTDIS (1 << 8) | TEMPERR (1 << 15), power fail
  await sim.control.channelStatusFault(2, 1, (1 << 8) | (1 << 15));
  await sim.control.boardStatusFault(2, 1);

  const dir = tempDir(t, 'gemcaen-golden-');
  const data = join(dir, 'data');
  const mainframe = mainframeYaml({ address: sim.address, library: sim.libraryPath });
  const config = writeConfig(dir, [
    settingsYaml(dir),
    '',
    'GoldenGEM:',
    '  Monitorables: [VMon, IMon, V0Set, I0Set, Pw, Status, Ieq, Temp, BdStatus]',
    '  HoldOffTime: 1',
    '  isGEMDetector: true',
    mainframe,
    '  BOARD: { SLOT: 0, LAYER: 1 }',
    `  FILE: { DIRECTORY: "${data}" }`,
    '',
    'GoldenBoard:',
    '  Monitorables: [VMon, IMon, V0Set, I0Set, Pw, Status, Temp, BdStatus]',
    '  HoldOffTime: 1',
    '  isGEMDetector: false',
    mainframe,
    '  BOARD: { SLOT: 2, CHANNELS: [0, 1, 2, 3] }',
    `  FILE: { DIRECTORY: "${data}" }`,
  ].join('\n'));
  const d = startDaemon(['-c', config, 'start', 'GoldenGEM', 'GoldenBoard']);
  t.after(() => d.stop());
  // three scans of each setup: the second and third must add nothing (exact readings, dedup)
  await d.untilHealth('three scans of both setups', (h) => h.setups.length === 2 && h.setups.every((s) => s.scans >= 3), 30_000);
  assert.equal(await d.stop(), 0, 'the daemon stops cleanly (the writer flushes)');

  const got = normalisedLines(data, sim.address);
  assert.ok(got.length > 0, 'the FILE sink wrote lines');
  const text = `${got.join('\n')}\n`;
  if (process.env.GEMCAEN_UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
  const want = readFileSync(GOLDEN, 'utf8');
  assert.equal(text, want, 'the lines written differ from test/writer/fixtures/golden-lines.lp');
});
