// Each injected fault, seen by a client through the library while it is connected, and the counters.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import koffi from 'koffi';
import { setTimeout as sleep } from 'node:timers/promises';
import { sameCrateArg, startSim, type SimHandle } from '../helpers/sim.js';
import { getFloats, getUints, login, loadCaen, RC, setFloat, u16list, type CaenFfi } from './caen-ffi.js';

let sim: SimHandle;
let ffi: CaenFfi;
const open: number[] = [];

/** A logged-in handle; `other` spells the address differently, so that two handles of one crate may coexist (24 otherwise). */
function session(other = false): number {
  const h = login(ffi, other ? sameCrateArg(sim.address) : sim.address);
  open.push(h);
  return h;
}

function vmon(h: number): number {
  const buf = Buffer.alloc(4);
  const rc = ffi.GetChParam(h, 0, 'VMon', 1, u16list([0]), buf) as number;
  return rc === RC.OK ? buf.readFloatLE(0) : -rc - 1e6;
}

function call(h: number): number {
  return ffi.GetChParam(h, 0, 'VMon', 1, u16list([0]), Buffer.alloc(4)) as number;
}

before(async () => {
  process.env.CAENHV_SIM_TIMEOUT_MS = '400';
  sim = await startSim({ seed: 5 });
  ffi = loadCaen(sim.libraryPath);
});

afterEach(async () => {
  while (open.length) ffi.DeinitSystem(open.pop() as number);
  await sim.control.crateUp();
  await sim.control.latency(0);
  await sim.control.idleDrop(null);
  await sim.control.refuseLogins(false);
  await sim.control.failNext(0, 0);
});

after(async () => {
  await sim?.stop();
});

test('crate down: the open session gets DOWN then NOTCONNECTED, logins fail; up again, a new login works', async () => {
  const h = session();
  assert.equal(call(h), RC.OK);
  await sim.control.crateDown();
  assert.equal(call(h), RC.DOWN);
  assert.match(ffi.GetError(h), /CFE server down/);
  assert.equal(call(h), RC.NOTCONNECTED);
  const h2 = [0];
  assert.equal(ffi.InitSystem(2, 0, sameCrateArg(sim.address), 'admin', 'admin', h2), RC.USERPASSFAILED, 'a crate that accepts and closes: 0x1007, as the real library');
  assert.equal(h2[0], -1);
  await sim.control.crateUp();
  assert.equal(call(h), RC.NOTCONNECTED, 'a dropped handle stays dropped until Deinit/Init');
  assert.equal(ffi.DeinitSystem(open.pop() as number), RC.OK);
  const h3 = session();
  assert.equal(call(h3), RC.OK);
  const c = await sim.control.counters();
  assert.equal(c.openSessions, 1);
  assert.ok(c.sessions.some((s) => s.closeReason === 'down'));
});

test('idle drop: a session silent longer than N s is closed (COMMUNICATIONERROR, then NOTCONNECTED); a busy one lives', async () => {
  await sim.control.idleDrop(0.3);
  const idle = session();
  const busy = session(true);
  for (let i = 0; i < 8; i++) {
    await sleep(100);
    assert.equal(call(busy), RC.OK);
  }
  assert.equal(call(idle), RC.COMMUNICATIONERROR);
  assert.equal(call(idle), RC.NOTCONNECTED);
  const c = await sim.control.counters();
  assert.ok(c.sessionsDropped >= 1);
  assert.ok(c.sessions.some((s) => s.closeReason === 'idle'));
});

test('latency: each call waits; beyond the library time-out the call is TIMEERR and the session recovers', async () => {
  const h = session();
  assert.equal(setFloat(ffi, h, 2, 'V0Set', [7], 123), RC.OK);
  await sim.control.latency(60);
  const t0 = performance.now();
  assert.equal(call(h), RC.OK);
  assert.ok(performance.now() - t0 >= 55, 'latency applied');
  await sim.control.latency(700);
  assert.equal(call(h), RC.TIMEERR);
  assert.match(ffi.GetError(h), /Timeout/);
  await sim.control.latency(0);
  await sleep(400); // the late answer arrives and must be skipped, not taken for the next call
  assert.deepEqual(getFloats(ffi, h, 2, 'V0Set', [7]), [123]);
  assert.deepEqual(getUints(ffi, h, 2, 'Pw', [7]), [0]);
});

test('failNext: the next N calls (of one function) answer the chosen code, negative codes included', async () => {
  const h = session();
  await sim.control.failNext(2, -3, 'GetChParam');
  assert.equal(call(h), -3);
  assert.match(ffi.GetError(h), /-3/);
  const n = [0], list = [null];
  assert.equal(ffi.GetExecCommList(h, n, list), RC.OK, 'other functions are not affected');
  ffi.Free(list[0]);
  assert.equal(call(h), -3);
  assert.equal(call(h), RC.OK);
  await sim.control.failNext(1, RC.TIMEERR);
  assert.equal(ffi.ExecComm(h, 'ClearAlarm'), RC.TIMEERR);
  assert.equal(call(h), RC.OK);
  assert.equal((await sim.control.state()).faults.failNext, null);
});

test('removing a board: its slot reads SLOTNOTPRES and is empty in the crate map; re-inserted, it is back and off', async () => {
  const h = session();
  assert.equal(getUints(ffi, h, 2, 'Pw', [0])[0], 1);
  await sim.control.removeBoard(2);
  assert.equal(ffi.GetChParam(h, 2, 'VMon', 1, u16list([0]), Buffer.alloc(4)), RC.SLOTNOTPRES);
  const nch = [null], models = [null], descs = [null], ser = [null], fmin = [null], fmax = [null], n = [0];
  assert.equal(ffi.GetCrateMap(h, n, nch, models, descs, ser, fmin, fmax), RC.OK);
  assert.equal(Buffer.from(ffiView(nch[0], 32)).readUInt16LE(4), 0);
  for (const p of [nch, models, descs, ser, fmin, fmax]) ffi.Free(p[0]);
  await sim.control.insertBoard(2);
  assert.equal(getUints(ffi, h, 2, 'Pw', [0])[0], 0);
  assert.equal(getFloats(ffi, h, 2, 'V0Set', [0])[0], 1500, 'set points survive');
});

test('trip by the control API: INTTRIP set and Pw off as the client reads it', async () => {
  const h = session();
  assert.equal(getUints(ffi, h, 0, 'Pw', [3])[0], 1);
  await sim.control.trip(0, 3);
  assert.equal(getUints(ffi, h, 0, 'Status', [3])[0] & (1 << 9), 1 << 9);
  assert.equal(getUints(ffi, h, 0, 'Pw', [3])[0], 0);
  await sim.control.setChannel(0, 3, 'Pw', 1);
});

test('refused logins answer USERPASSFAILED (0x1007, as CAEN\'s 6.0); open sessions keep working', async () => {
  const h = session();
  await sim.control.refuseLogins(true);
  const h2 = [0];
  assert.equal(ffi.InitSystem(2, 0, sameCrateArg(sim.address), 'admin', 'admin', h2), RC.USERPASSFAILED);
  assert.equal(call(h), RC.OK);
  await sim.control.refuseLogins(false);
  assert.equal(ffi.InitSystem(2, 0, sameCrateArg(sim.address), 'admin', 'admin', h2), RC.OK);
  open.push(h2[0]);
});

test('an operator change mid-run is what the next read returns', async () => {
  const h = session();
  await sim.control.setChannel(2, 9, 'V0Set', 321);
  assert.deepEqual(getFloats(ffi, h, 2, 'V0Set', [9]), [321]);
  const state = await sim.control.getChannel(2, 9);
  assert.equal(state.params.V0Set, 321);
  await assert.rejects(sim.control.setChannel(2, 9, 'V0Set', 99999), (e: Error & { code?: number }) => e.code === RC.OUTOFRANGE);
});

test('counters: calls by function and by session, open sessions, totals, reset', async () => {
  await sim.control.resetCounters();
  const a = session();
  const b = session(true);
  for (let i = 0; i < 3; i++) call(a);
  call(b);
  assert.ok(vmon(b) > 0);
  const c = await sim.control.counters();
  assert.equal(c.openSessions, 2);
  assert.equal(c.calls.CAENHV_GetChParam, 5);
  assert.equal(c.calls.CAENHV_InitSystem, 2);
  assert.equal(c.totalCalls, 7);
  const open2 = c.sessions.filter((s) => s.open);
  assert.deepEqual(open2.map((s) => s.calls.CAENHV_GetChParam).sort(), [2, 3]);
  assert.ok(open2.every((s) => s.pid === process.pid));
  assert.deepEqual(open2.map((s) => s.clientHandle).sort(), [a, b].sort());
  ffi.DeinitSystem(open.pop() as number);
  await sleep(50);
  const d = await sim.control.counters();
  assert.equal(d.openSessions, 1);
  assert.equal(d.calls.CAENHV_DeinitSystem, 1);
  await sim.control.resetCounters();
  const e = await sim.control.counters();
  assert.equal(e.totalCalls, 0);
  assert.equal(e.openSessions, 1);
});

function ffiView(ptr: unknown, len: number): ArrayBuffer {
  return koffi.view(ptr, len);
}
