// The simulator's library is memory-safe on replies it cannot use (issue 17's reproductions): every copy
// stays within the size the API documents (guard bytes after it stay untouched), a line that never ends
// and a flood of wrong-sequence lines end in an error code within the call's time-out, and a fuzz over
// the reply grammar never crashes the process. Odd replies come from the simulator's fault mode
// (control API `oddReply`), through the real C ABI (koffi).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sameCrateArg, startSim, type SimHandle } from '../helpers/sim.js';
import { loadCaen, login, RC, u16list, type CaenFfi } from './caen-ffi.js';
import { prng } from '../helpers/prng.js';

/** the library's call time-out for this file (read at InitSystem; 5 s by default) */
const CALL_TIMEOUT_MS = 1000;
const GUARD = 0xee;

let sim: SimHandle;
let ffi: CaenFfi;
let h: number;
let spelling = 1;

before(async () => {
  process.env.CAENHV_SIM_TIMEOUT_MS = String(CALL_TIMEOUT_MS);
  sim = await startSim({ seed: 3 });
  ffi = loadCaen(sim.libraryPath);
  h = login(ffi, sim.address);
});

after(async () => {
  delete process.env.CAENHV_SIM_TIMEOUT_MS;
  ffi?.DeinitSystem(h);
  await sim?.stop();
});

/** A fresh session (a new Arg spelling each time), after one that an odd reply closed or flooded. */
function relogin(): void {
  ffi.DeinitSystem(h);
  h = login(ffi, sameCrateArg(sim.address, spelling++));
}

/** A caller buffer of `size` bytes followed by 256 guard bytes. */
function guarded(size: number): Buffer {
  return Buffer.alloc(size + 256, GUARD);
}

function assertGuard(buf: Buffer, size: number, what: string): void {
  const past = buf.subarray(size);
  assert.ok(past.every((b) => b === GUARD), `${what}: nothing written past byte ${size} (first: ${past.findIndex((b) => b !== GUARD)})`);
}

test('GetChParam typed STRING with long values: written within the 4 x N bytes of the caller buffer', async () => {
  await sim.control.oddReply('GetChParam', { text: `0\t5\t${'A'.repeat(70_000)}\t${'B'.repeat(70_000)}` });
  const buf = guarded(8);
  const rc = ffi.GetChParam(h, 2, 'VMon', 2, u16list([0, 1]), buf);
  assert.equal(rc, RC.OK);
  assert.equal(buf.subarray(0, 8).toString('latin1'), 'AAAAAAA\0');
  assertGuard(buf, 8, 'STRING values');
});

test('GetSysProp: a 300 kB STR value is cut to the 1024 bytes the API documents', async () => {
  await sim.control.oddReply('GetSysProp', { text: `0\t0\t${'S'.repeat(300_000)}` });
  const buf = guarded(1024);
  assert.equal(ffi.GetSysProp(h, 'ModelName', buf), RC.OK);
  assert.equal(buf[1023], 0);
  assert.equal(buf.indexOf(0), 1023);
  assertGuard(buf, 1024, 'STR property');
  await sim.control.oddReply('GetSysProp', { text: '0\t9\t1' });
  assert.equal(ffi.GetSysProp(h, 'ModelName', guarded(1024)), RC.COMMUNICATIONERROR, 'unknown property type');
});

test('GetChParamProp Enum with 5000 strings: refused (29) when Maxval - Minval + 1 is 4; 2 strings are written', async () => {
  const room = ['f32\t0', 'f32\t3'];
  for (const text of [...room, `enum\t5000\t${Array.from({ length: 5000 }, (_, i) => `E${i}`).join('\t')}`]) await sim.control.oddReply('GetChParamProp', { text: `0\t${text}` });
  const buf = guarded(60);
  assert.equal(ffi.GetChParamProp(h, 2, 0, 'Pw', 'Enum', buf), RC.COMMUNICATIONERROR);
  assertGuard(buf, 0, 'refused Enum');
  for (const text of [...room, `enum\t2\tLow\t${'H'.repeat(40)}`]) await sim.control.oddReply('GetChParamProp', { text: `0\t${text}` });
  assert.equal(ffi.GetChParamProp(h, 2, 0, 'Pw', 'Enum', buf), RC.OK);
  assert.equal(buf.subarray(0, 15).toString('latin1').replace(/\0+$/, ''), 'Low');
  assert.equal(buf.subarray(15, 30).toString('latin1'), `${'H'.repeat(14)}\0`);
  assertGuard(buf, 30, 'two Enum strings');
});

test('a long str property (Onstate) is cut to 30 bytes', async () => {
  await sim.control.oddReply('GetChParamProp', { text: `0\tstr\t${'O'.repeat(100_000)}` });
  const buf = guarded(30);
  assert.equal(ffi.GetChParamProp(h, 2, 0, 'Pw', 'Onstate', buf), RC.OK);
  assert.equal(buf.indexOf(0), 29);
  assertGuard(buf, 30, 'Onstate');
});

test('channel names longer than 11 characters stay within their 12-byte records', async () => {
  await sim.control.oddReply('GetChName', { text: `0\t${'N'.repeat(500)}\tSHORT` });
  const buf = guarded(36);
  assert.equal(ffi.GetChName(h, 2, 2, u16list([0, 1]), buf), RC.OK);
  assert.equal(buf.subarray(0, 12).toString('latin1'), `${'N'.repeat(11)}\0`);
  assertGuard(buf, 36, 'names');
});

test('a reply line that never ends: COMMUNICATIONERROR at 1 MiB, the session closed, not unbounded growth', async () => {
  await sim.control.oddReply('GetChParam', { stream: 'endless' });
  const rss0 = process.memoryUsage().rss;
  const rc = ffi.GetChParam(h, 2, 'VMon', 1, u16list([0]), Buffer.alloc(4));
  assert.equal(rc, RC.COMMUNICATIONERROR);
  assert.match(ffi.GetError(h), /longer than/);
  assert.ok(process.memoryUsage().rss - rss0 < 64 * 2 ** 20, 'memory stayed bounded');
  assert.equal(ffi.GetChParam(h, 2, 'VMon', 1, u16list([0]), Buffer.alloc(4)), RC.NOTCONNECTED);
  relogin();
});

test('an endless stream of wrong-sequence lines: TIMEERR once the call time-out is spent, counted per call', async () => {
  await sim.control.oddReply('GetChParam', { stream: 'stale' });
  const t0 = Date.now();
  const rc = ffi.GetChParam(h, 2, 'VMon', 1, u16list([0]), Buffer.alloc(4));
  const took = Date.now() - t0;
  assert.equal(rc, RC.TIMEERR);
  assert.ok(took >= CALL_TIMEOUT_MS - 50, `gave up after the call time-out (${took} ms)`);
  relogin();
  assert.equal(ffi.GetChParam(h, 2, 'VMon', 1, u16list([0]), Buffer.alloc(4)), RC.OK, 'a new session works');
});

test('fuzz over the reply grammar: 400 odd replies to 12 functions, never a crash or a write past the documented size', async () => {
  const seed = Number(process.env.FUZZ_SEED ?? 20261206);
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const str = (): string => {
    const n = pick([0, 1, 9, 10, 11, 12, 15, 30, 1023, 1024, 5000]);
    return Array.from({ length: n }, () => pick(['a', 'Z', '%', '%4', '%41', '%G1', '%00', ' ', '\u00e9'])).join('').slice(0, n);
  };
  const field = (): string =>
    pick([
      () => String(Math.floor(rnd() * 20) - 5),
      () => pick(['0', '1', '2', '5', '6', '7', '99', '-1', '65535', '65536', '2147483648', '99999999999', '1e9', 'NaN', '', 'x']),
      () => pick(['u32', 'f32', 'u16', 'i16', 'str', 'enum', 'zz']),
      str,
    ])();
  const calls: Array<[string, () => { rc: number; check: () => void }]> = [
    ['GetChParam', () => { const b = guarded(8); return { rc: ffi.GetChParam(h, 2, 'VMon', 2, u16list([0, 1]), b) as number, check: () => assertGuard(b, 8, 'GetChParam') }; }],
    ['GetBdParam', () => { const b = guarded(8); return { rc: ffi.GetBdParam(h, 2, u16list([0, 2]), 'Temp', b) as number, check: () => assertGuard(b, 8, 'GetBdParam') }; }],
    ['GetSysProp', () => { const b = guarded(1024); return { rc: ffi.GetSysProp(h, 'ModelName', b) as number, check: () => assertGuard(b, 1024, 'GetSysProp') }; }],
    ['GetSysPropInfo', () => ({ rc: ffi.GetSysPropInfo(h, 'ModelName', [0], [0]) as number, check: () => undefined })],
    ['GetChParamProp', () => { const b = guarded(30); return { rc: ffi.GetChParamProp(h, 2, 0, 'Pw', pick(['Type', 'Onstate', 'Minval', 'Unit', 'Exp']), b) as number, check: () => assertGuard(b, 30, 'GetChParamProp') }; }],
    ['GetBdParamProp', () => { const b = guarded(30); return { rc: ffi.GetBdParamProp(h, 2, 'Temp', 'Unit', b) as number, check: () => assertGuard(b, 30, 'GetBdParamProp') }; }],
    ['GetChName', () => { const b = guarded(36); return { rc: ffi.GetChName(h, 2, 2, u16list([0, 1]), b) as number, check: () => assertGuard(b, 36, 'GetChName') }; }],
    ['GetCrateMap', () => { const out = [[null], [null], [null], [null], [null], [null]] as unknown[][]; const rc = ffi.GetCrateMap(h, [0], ...out) as number; if (rc === 0) for (const o of out) ffi.Free(o[0]); return { rc, check: () => undefined }; }],
    ['GetSysPropList', () => { const l = [null]; const rc = ffi.GetSysPropList(h, [0], l) as number; if (rc === 0) ffi.Free(l[0]); return { rc, check: () => undefined }; }],
    ['GetExecCommList', () => { const l = [null]; const rc = ffi.GetExecCommList(h, [0], l) as number; if (rc === 0) ffi.Free(l[0]); return { rc, check: () => undefined }; }],
    ['GetChParamInfo', () => { const l = [null]; const rc = ffi.GetChParamInfo(h, 2, 0, l, [0]) as number; if (rc === 0) ffi.Free(l[0]); return { rc, check: () => undefined }; }],
    ['TestBdPresence', () => { const m = [null], d = [null]; const rc = ffi.TestBdPresence(h, 2, [0], m, d, [0], [0], [0]) as number; if (rc === 0) { ffi.Free(m[0]); ffi.Free(d[0]); } return { rc, check: () => undefined }; }],
  ];
  const codes = new Map<number, number>();
  const deadline = Date.now() + 60_000;
  let n = 0;
  for (; n < 400 && Date.now() < deadline; n++) {
    const [fn, call] = pick(calls);
    const code = pick(['0', '0', '0', '0', String(Math.floor(rnd() * 40) - 5), 'x', '']);
    const fields = Array.from({ length: Math.floor(rnd() * 8) }, field);
    await sim.control.oddReply(fn, { text: [code, ...fields].join('\t') });
    const { rc, check } = call();
    assert.ok(Number.isInteger(rc), `${fn}: result ${rc} (seed ${seed}, case ${n})`);
    check();
    codes.set(rc, (codes.get(rc) ?? 0) + 1);
    if (rc === RC.NOTCONNECTED || rc === RC.COMMUNICATIONERROR || rc === RC.TIMEERR) relogin();
  }
  assert.ok(n >= 100, `${n} cases within the time bound`);
  assert.ok(codes.has(RC.OK) && codes.has(RC.COMMUNICATIONERROR), `results seen: ${[...codes].map(([c, k]) => `${c}×${k}`).join(' ')}`);
  // the session still works after the fuzz
  relogin();
  assert.equal(ffi.GetChParam(h, 2, 'V0Set', 1, u16list([0]), Buffer.alloc(4)), RC.OK);
});
