// Every channel Status bit (all 16) and every BdStatus bit, produced by the simulated crate and decoded
// by the binding: by physics where it is natural (on, ramping up and down, over-current, a set point
// above SVMax, a trip, board temperature), by fault injection through the control API otherwise
// (interlock, power fail, calibration errors, ...).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CaenLibrary } from '../../src/caen/library.js';
import { CaenMainframe } from '../../src/caen/mainframe.js';
import { BDSTATUS_BITS, CHSTATUS_BITS, decodeBdStatus, decodeChStatus } from '../../src/caen/status-bits.js';
import { startSim, type SimHandle } from '../helpers/sim.js';

let sim: SimHandle;
let mf: CaenMainframe;

before(async () => {
  sim = await startSim({ seed: 11 });
  mf = CaenMainframe.connect(CaenLibrary.open(sim.libraryPath), { systemType: 'SY4527', linkType: 'TCPIP', address: sim.address, user: 'admin', password: 'admin' });
});

after(async () => {
  mf?.deinit();
  await sim?.stop();
});

/** slot 5 is an A1536 (36 channels, all off but 18): one channel per bit */
const SLOT = 5;

test('each of the 16 channel Status bits, produced by the crate, is decoded by name', async () => {
  const c = sim.control;
  const set = (ch: number, p: string, v: number | string) => c.setChannel(SLOT, ch, p, v);
  const made = new Map<string, number>();
  // physics
  made.set('ON', 18); // LV_CH18 is on and ramped
  await set(1, 'RUp', 1);
  await set(1, 'V0Set', 1000);
  await set(1, 'Pw', 'On'); // 1 V/s towards 1000 V
  made.set('RUP', 1);
  await set(2, 'RDWn', 1);
  await set(2, 'V0Set', 100);
  await set(2, 'RUp', 500);
  await set(2, 'Pw', 'On');
  await set(2, 'LoadMOhm', 1000);
  // ramped up at once? wait for it through the library, then switch off to ramp down at 1 V/s
  for (let i = 0; i < 100 && mf.readChParam(SLOT, 'VMon', [2])[0] < 99; i++) await new Promise((r) => setTimeout(r, 20));
  await set(2, 'Pw', 'Off');
  made.set('RDW', 2);
  await set(3, 'Trip', 1000); // never trips
  await set(3, 'LoadMOhm', 0.1);
  await set(3, 'RUp', 500);
  await set(3, 'V0Set', 50);
  await set(3, 'Pw', 'On'); // 50 V / 0.1 MOhm = 500 uA > I0Set 100 uA
  made.set('OVC', 3);
  await set(7, 'SVMax', 100);
  await set(7, 'V0Set', 100);
  await set(7, 'RUp', 500);
  await set(7, 'Pw', 'On');
  for (let i = 0; i < 100 && mf.readChParam(SLOT, 'VMon', [7])[0] < 99.5; i++) await new Promise((r) => setTimeout(r, 20));
  await set(7, 'V0Set', 150); // asked for more than SVMax: held at 100 V
  made.set('MAXV', 7);
  await c.trip(SLOT, 9);
  made.set('INTTRIP', 9);
  // fault injection for what a crate shows without a cause the simulator models
  for (const name of ['OVV', 'UNV', 'EXTTRIP', 'EXTDIS', 'CALIBERR', 'UNPLUGGED', 'UNC', 'OVVPROT', 'POWERFAIL', 'TEMPERR']) {
    const bit = CHSTATUS_BITS.find((b) => b.name === name)!.bit;
    const ch = 20 + bit;
    await c.channelStatusFault(SLOT, ch, 1 << bit);
    made.set(name, ch);
  }
  assert.equal(made.size, 16, 'every bit has a channel');
  const channels = [...made.values()];
  const words = mf.readChParam(SLOT, 'Status', channels);
  for (const [i, [name, ch]] of [...made.entries()].entries()) {
    const decoded = decodeChStatus(words[i]);
    assert.ok(decoded.includes(name), `channel ${ch}: ${name} expected, Status ${words[i]} = ${decoded.join(' ')}`);
  }
  const all = words.reduce((m, w) => m | w, 0) & 0xffff;
  assert.equal(all, 0xffff, 'all 16 bits seen');
  // injection is undone by 0
  await c.channelStatusFault(SLOT, 28, 0);
  assert.deepEqual(decodeChStatus(mf.readChParam(SLOT, 'Status', [28])[0]), []);
});

test('each BdStatus bit, produced by the crate, is decoded by name (temperature by the board Temp)', async () => {
  const c = sim.control;
  for (const b of BDSTATUS_BITS.filter((x) => x.bit <= 3)) {
    await c.boardStatusFault(2, 1 << b.bit);
    assert.deepEqual(decodeBdStatus(mf.readBdParam([2], 'BdStatus')[0]), [b.name]);
  }
  await c.boardStatusFault(2, 0);
  assert.deepEqual(decodeBdStatus(mf.readBdParam([2], 'BdStatus')[0]), []);
  await c.setBoardTemperature(0, 70);
  await c.setBoardTemperature(2, 0);
  const [hot, cold, normal] = mf.readBdParam([0, 2, 5], 'BdStatus');
  assert.deepEqual(decodeBdStatus(hot), ['OVERTEMP']);
  assert.deepEqual(decodeBdStatus(cold), ['UNDERTEMP']);
  assert.deepEqual(decodeBdStatus(normal), []);
  assert.equal(BDSTATUS_BITS.length, 6, 'every board bit covered above');
});
