// The channel physics: ramps, status bits, over-current and trips, SVMax, determinism of the noise.
// Unit tests drive ChannelPhysics with an explicit clock; the last tests go through the library.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChannelPhysics, noise, type ChannelSettings } from '../../sim/mainframe/physics.js';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { getFloats, getUints, login, loadCaen, RC, setFloat, setUint, type CaenFfi } from './caen-ffi.js';

const ON = 1, RUP = 2, RDW = 4, OVC = 8, INTTRIP = 1 << 9;

function settings(over: Partial<ChannelSettings> = {}): ChannelSettings {
  return { V0Set: 100, I0Set: 50, V1Set: 0, I1Set: 0, RUp: 50, RDWn: 25, Trip: 0.5, SVMax: 1000, Pw: 0, POn: 0, PDwn: 0, TripInt: 0, TripExt: 0, ...over };
}

describe('ChannelPhysics (explicit clock)', () => {
  test('VMon ramps up at RUp with ON|RUP, then holds with ON; off ramps down at RDWn with RDW', () => {
    const p = new ChannelPhysics(settings(), 1000, 0);
    assert.equal(p.voltage(0), 0);
    p.set('Pw', 1, 0);
    assert.equal(p.voltage(1), 50);
    assert.equal(p.status(1), ON | RUP);
    assert.equal(p.voltage(2), 100);
    assert.equal(p.status(2), ON);
    assert.equal(p.voltage(10), 100);
    p.set('Pw', 0, 10);
    assert.equal(p.voltage(11), 75);
    assert.equal(p.status(11), RDW);
    assert.equal(p.voltage(14), 0);
    assert.equal(p.status(14), 0);
  });

  test('a new V0Set while on ramps from where VMon is; IMon = VMon / load', () => {
    const p = new ChannelPhysics(settings({ Pw: 1 }), 10, 0);
    assert.equal(p.voltage(0), 100);
    assert.equal(p.currentUa(0), 10);
    p.set('V0Set', 50, 0);
    assert.equal(p.voltage(1), 75);
    assert.equal(p.status(1), ON | RDW);
    assert.equal(p.voltage(3), 50);
  });

  test('IMon above I0Set: OVC at the crossing, trip after Trip s; PDwn Kill drops VMon at once', () => {
    // load 10 MOhm, I0Set 5 uA: the threshold is 50 V, crossed at t = 1 s while ramping at 50 V/s
    const p = new ChannelPhysics(settings({ I0Set: 5 }), 10, 0);
    p.set('Pw', 1, 0);
    assert.equal(p.status(0.9), ON | RUP);
    assert.equal(p.status(1.2), ON | RUP | OVC);
    assert.equal(p.status(1.49), ON | RUP | OVC);
    assert.equal(p.status(1.51), INTTRIP);
    assert.equal(p.voltage(1.51), 0);
    assert.equal(p.settings.Pw, 0);
  });

  test('PDwn Ramp: after the trip VMon ramps down at RDWn; OVC clears below the threshold', () => {
    const p = new ChannelPhysics(settings({ I0Set: 5, PDwn: 1, RDWn: 100 }), 10, 0);
    p.set('Pw', 1, 0);
    // trips at 1.5 s with VMon 75 V, then 100 V/s down: 50 V (the threshold) at 1.75 s
    assert.ok(Math.abs(p.voltage(1.6) - 65) < 1e-6);
    assert.equal(p.status(1.6), RDW | OVC | INTTRIP);
    assert.equal(p.status(1.8), RDW | INTTRIP);
    assert.equal(p.voltage(3), 0);
    assert.equal(p.status(3), INTTRIP);
    p.set('Pw', 1, 3);
    assert.equal(p.status(3), ON | RUP, 'Pw On clears INTTRIP');
  });

  test('an over-current shorter than Trip does not trip; Trip 1000 s never trips', () => {
    const p = new ChannelPhysics(settings({ I0Set: 5, Pw: 1 }), 10, 0);
    p.set('V0Set', 100, 0);
    assert.equal(p.status(0.3), ON | OVC);
    p.set('I0Set', 20, 0.3);
    assert.equal(p.status(5), ON);
    const q = new ChannelPhysics(settings({ I0Set: 5, Pw: 1, Trip: 1000 }), 10, 0);
    assert.equal(q.status(5000), ON | OVC);
  });

  test('lowering SVMax clamps V0Set and V1Set; a trip by hand and ClearAlarm', () => {
    const p = new ChannelPhysics(settings({ Pw: 1, V1Set: 90 }), 1000, 0);
    p.set('SVMax', 60, 0);
    assert.equal(p.settings.V0Set, 60);
    assert.equal(p.settings.V1Set, 60);
    assert.equal(p.voltage(1), 75);
    assert.equal(p.voltage(10), 60);
    p.trip();
    assert.equal(p.status(10), INTTRIP);
    p.clearAlarm();
    assert.equal(p.status(10), 0);
  });

  test('noise is a pure function of the seed and its keys', () => {
    assert.equal(noise(1, 3, 0, 5, 17), noise(1, 3, 0, 5, 17));
    assert.notEqual(noise(1, 3, 0, 5, 17), noise(2, 3, 0, 5, 17));
    for (let i = 0; i < 100; i++) {
      const n = noise(9, i);
      assert.ok(n >= -1 && n < 1);
    }
  });
});

describe('physics through the library', () => {
  let sim: SimHandle;
  let ffi: CaenFfi;
  let h: number;
  before(async () => {
    sim = await startSim({ seed: 3 });
    ffi = loadCaen(sim.libraryPath);
    h = login(ffi, sim.address);
  });
  after(async () => {
    if (ffi) ffi.DeinitSystem(h);
    await sim?.stop();
  });

  test('ramp: 200 V at 400 V/s takes about 0.5 s with RUP set meanwhile', async () => {
    const ch = [20];
    assert.equal(setFloat(ffi, h, 2, 'RUp', ch, 400), RC.OK);
    assert.equal(setFloat(ffi, h, 2, 'V0Set', ch, 200), RC.OK);
    const t0 = performance.now();
    assert.equal(setUint(ffi, h, 2, 'Pw', ch, 1), RC.OK);
    await sleep(200);
    const mid = getFloats(ffi, h, 2, 'VMon', ch)[0];
    assert.ok(mid > 20 && mid < 190, `VMon mid-ramp ${mid}`);
    assert.equal(getUints(ffi, h, 2, 'Status', ch)[0], ON | RUP);
    let done = 0;
    while (performance.now() - t0 < 3000) {
      if (getUints(ffi, h, 2, 'Status', ch)[0] === ON) {
        done = performance.now() - t0;
        break;
      }
      await sleep(10);
    }
    assert.ok(done >= 450 && done < 1500, `ramp took ${done} ms`);
    assert.ok(Math.abs(getFloats(ffi, h, 2, 'VMon', ch)[0] - 200) <= 0.3);
  });

  test('trip: IMon above I0Set for Trip s sets OVC, then INTTRIP with Pw off and VMon 0 (Kill)', async () => {
    const ch = [21];
    await sim.control.setChannel(2, 21, 'LoadMOhm', 10);
    assert.equal(setFloat(ffi, h, 2, 'Trip', ch, 0.4), RC.OK);
    assert.equal(setFloat(ffi, h, 2, 'I0Set', ch, 5), RC.OK);
    assert.equal(setFloat(ffi, h, 2, 'RUp', ch, 500), RC.OK);
    assert.equal(setFloat(ffi, h, 2, 'V0Set', ch, 100), RC.OK);
    assert.equal(setUint(ffi, h, 2, 'Pw', ch, 1), RC.OK);
    await sleep(200);
    const st = getUints(ffi, h, 2, 'Status', ch)[0];
    assert.equal(st & (ON | OVC | INTTRIP), ON | OVC, `status ${st}`);
    assert.ok(getFloats(ffi, h, 2, 'IMon', ch)[0] > 5);
    await sleep(500);
    assert.equal(getUints(ffi, h, 2, 'Status', ch)[0], INTTRIP);
    assert.equal(getUints(ffi, h, 2, 'Pw', ch)[0], 0);
    assert.equal(getFloats(ffi, h, 2, 'VMon', ch)[0], 0);
    assert.equal(ffi.ExecComm(h, 'ClearAlarm'), RC.OK);
    assert.equal(getUints(ffi, h, 2, 'Status', ch)[0], 0);
  });

  test('SVMax clamps V0Set through the library; Kill switches everything off at once', () => {
    const ch = [22];
    assert.equal(setFloat(ffi, h, 2, 'V0Set', ch, 900), RC.OK);
    assert.equal(setFloat(ffi, h, 2, 'SVMax', ch, 700), RC.OK);
    assert.deepEqual(getFloats(ffi, h, 2, 'V0Set', ch), [700]);
    assert.equal(ffi.ExecComm(h, 'Kill'), RC.OK);
    const all = Array.from({ length: 14 }, (_, i) => i);
    assert.deepEqual(getUints(ffi, h, 0, 'Pw', all), all.map(() => 0));
    assert.deepEqual(getFloats(ffi, h, 0, 'VMon', all), all.map(() => 0));
  });
});
