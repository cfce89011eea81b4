// A daemon runs for months: repeated list calls (crate map, property names) must not grow the process.
// The leaky version (koffi.view / array / string decodes) grew ~2 KB per crateMap+sysPropList pair.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { CaenLibrary } from '../../src/caen/library.js';
import { CaenMainframe } from '../../src/caen/mainframe.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let sim: SimHandle;
let mf: CaenMainframe;

before(async () => {
  sim = await startSim({ seed: 11 });
  mf = CaenMainframe.connect(CaenLibrary.open(sim.libraryPath), {
    systemType: 'SY4527', linkType: 'TCPIP', address: sim.address, user: 'admin', password: 'admin',
  });
});

after(async () => {
  mf?.deinit();
  await sim?.stop();
});

test('20000 crate maps and property lists do not grow the resident memory', () => {
  const round = (n: number): void => {
    for (let i = 0; i < n; i++) {
      mf.crateMap();
      mf.sysPropList();
      mf.chParamNames(0, 0);
    }
    gc();
  };
  round(3000);
  const before = process.memoryUsage().rss;
  round(20000);
  const grownMB = (process.memoryUsage().rss - before) / 1e6;
  assert.ok(grownMB < 12, `resident memory grew ${grownMB.toFixed(1)} MB over 20000 rounds`);
});
