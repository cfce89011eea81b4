// Every exported function through the real C ABI (koffi): types, list layouts, freeing, handle rules.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import koffi from 'koffi';
import { randomLoopback, sameCrateArg, startSim, type SimHandle } from '../helpers/sim.js';
import { bytes, getFloats, getUints, login, loadCaen, packedStrings, records, RC, setFloat, SY1527, SY4527, TCPIP, u16list, type CaenFfi } from './caen-ffi.js';

let sim: SimHandle;
let ffi: CaenFfi;
let h: number;

before(async () => {
  sim = await startSim({ seed: 7 });
  ffi = loadCaen(sim.libraryPath);
  h = login(ffi, sim.address);
});

after(async () => {
  if (ffi && h >= 0) ffi.DeinitSystem(h);
  await sim?.stop();
});

function cString(buf: Buffer): string {
  const end = buf.indexOf(0);
  return buf.toString('latin1', 0, end < 0 ? buf.length : end);
}

describe('version and handles', () => {
  test('CAENHVLibSwRel answers digits and dots', () => {
    assert.match(ffi.LibSwRel(), /^\d+(\.\d+)+$/);
  });

  test('a second InitSystem with the same arguments answers DEVALREADYOPEN (24) and writes -1', () => {
    const h2 = [123];
    assert.equal(ffi.InitSystem(SY4527, TCPIP, sim.address, 'admin', 'admin', h2), RC.DEVALREADYOPEN);
    assert.equal(h2[0], -1);
  });

  test('bad credentials answer USERPASSFAILED (0x1007) and -1', async () => {
    const before = (await sim.control.counters()).loginFailures;
    const h2 = [123];
    assert.equal(ffi.InitSystem(SY4527, TCPIP, sameCrateArg(sim.address), 'admin', 'wrong', h2), RC.USERPASSFAILED);
    assert.equal(h2[0], -1);
    assert.equal((await sim.control.counters()).loginFailures, before + 1);
  });

  test('a system type other than the crate\'s answers LOGINFAILED (0x1004)', () => {
    const h2 = [0];
    assert.equal(ffi.InitSystem(SY1527, TCPIP, sameCrateArg(sim.address), 'admin', 'admin', h2), RC.LOGINFAILED);
  });

  test('links as the real 6.0 answers an SY4527: USB LOGINFAILED, RS232 LINKNOTSUPPORTED; nobody listening LOGINFAILED', () => {
    const h2 = [0];
    assert.equal(ffi.InitSystem(SY4527, 3, '0_0_33110000', 'admin', 'admin', h2), RC.LOGINFAILED);
    assert.equal(ffi.InitSystem(SY4527, 1, 'ttyS0_9600_8_1_0_0', 'admin', 'admin', h2), RC.LINKNOTSUPPORTED);
    assert.equal(ffi.InitSystem(SY4527, TCPIP, randomLoopback(), 'admin', 'admin', h2), RC.LOGINFAILED);
    assert.equal(h2[0], -1);
  });

  test('handles 0..100 are in range: out-of-range handles answer 26, unused ones 0x1002, and GetError says " Connection failed "', () => {
    assert.equal(ffi.DeinitSystem(101), RC.INVALIDPARAMETER);
    assert.equal(ffi.DeinitSystem(-1), RC.INVALIDPARAMETER);
    assert.equal(ffi.DeinitSystem(100), RC.NOTCONNECTED);
    assert.equal(ffi.DeinitSystem(99), RC.NOTCONNECTED);
    assert.equal(ffi.GetError(-1), ' Connection failed ');
    assert.equal(ffi.GetError(99), ' Connection failed ');
    assert.equal(ffi.GetError(101), ' Connection failed ');
    const buf = Buffer.alloc(4);
    assert.equal(ffi.GetChParam(77, 0, 'VMon', 1, u16list([0]), buf), RC.NOTCONNECTED);
  });

  test('GetError holds the text of the handle\'s last error', () => {
    const buf = Buffer.alloc(4);
    assert.equal(ffi.GetChParam(h, 0, 'Vmon', 1, u16list([0]), buf), RC.PARAMNOTFOUND);
    assert.match(ffi.GetError(h), /Vmon/);
  });

  test('Deinit frees the handle: the same address can be opened again, the old number is unused', () => {
    const h2 = login(ffi, sameCrateArg(sim.address));
    assert.notEqual(h2, h);
    assert.equal(ffi.DeinitSystem(h2), RC.OK);
    assert.equal(ffi.DeinitSystem(h2), RC.NOTCONNECTED);
    const h3 = login(ffi, sameCrateArg(sim.address));
    assert.equal(ffi.DeinitSystem(h3), RC.OK);
  });
});

describe('handle table', () => {
  test('101 handles (0..100) at most: the next InitSystem answers TOOMANYDEVICEOPEN (25); Deinit frees them', async () => {
    const opened: number[] = [];
    try {
      // distinct Arg strings for one crate: the first number in octal with more and more leading zeros
      for (let i = 1; opened.length < 100; i++) opened.push(login(ffi, sameCrateArg(sim.address, i)));
      assert.ok(opened.includes(100), 'handle 100 is used');
      const extra = [0];
      assert.equal(ffi.InitSystem(SY4527, TCPIP, sameCrateArg(sim.address, 120), 'admin', 'admin', extra), 25);
      assert.equal(extra[0], -1);
      assert.equal((await sim.control.counters()).openSessions, 101);
    } finally {
      for (const x of opened) assert.equal(ffi.DeinitSystem(x), RC.OK);
    }
    assert.equal((await sim.control.counters()).openSessions, 1);
  });
});

describe('crate map and boards', () => {
  test('GetCrateMap: six lib-alloc lists, packed model/description strings, empty slots empty', () => {
    const n = [0];
    const out = [[null], [null], [null], [null], [null], [null]] as unknown[][];
    assert.equal(ffi.GetCrateMap(h, n, ...out), RC.OK);
    assert.equal(n[0], 16);
    const [nch, models, descs, ser, fmin, fmax] = out.map((o) => o[0]);
    const channels = [...new Uint16Array(bytes(nch, 2 * 16).buffer.slice(0))];
    const modelList = packedStrings(models, 16);
    const descList = packedStrings(descs, 16);
    const serials = [...new Uint16Array(bytes(ser, 2 * 16).buffer.slice(0))];
    assert.equal(modelList[0], 'A1515TG');
    assert.equal(modelList[2], 'A1535');
    assert.equal(modelList[5], 'A1536');
    assert.equal(modelList[1], '');
    assert.equal(descList[1], '');
    assert.match(descList[0], /14 Ch/);
    assert.deepEqual([channels[0], channels[1], channels[2], channels[5]], [14, 0, 24, 36]);
    assert.equal(serials[0], 1515);
    assert.equal(bytes(fmin, 16).length, 16);
    assert.equal(bytes(fmax, 16)[0], 1);
    for (const p of [nch, models, descs, ser, fmin, fmax]) assert.equal(ffi.Free(p), RC.OK);
  });

  test('TestBdPresence: channels, malloc\'d model and description, serial, firmware; an empty slot is SLOTNOTPRES', () => {
    const nch = [0], model = [null], desc = [null], ser = [0], fmin = [0], fmax = [0];
    assert.equal(ffi.TestBdPresence(h, 2, nch, model, desc, ser, fmin, fmax), RC.OK);
    assert.equal(nch[0], 24);
    assert.equal(koffi.decode(model[0], 'char', -1), 'A1535');
    assert.match(koffi.decode(desc[0], 'char', -1) as string, /24 Ch/);
    assert.equal(ser[0], 1535);
    assert.equal(fmax[0], 1);
    ffi.Free(model[0]);
    ffi.Free(desc[0]);
    assert.equal(ffi.TestBdPresence(h, 1, nch, model, desc, ser, fmin, fmax), RC.SLOTNOTPRES);
  });

  test('GetBdParamInfo: 10-byte records ending with an empty record', () => {
    const list = [null];
    assert.equal(ffi.GetBdParamInfo(h, 0, list), RC.OK);
    const names = records(bytes(list[0], 40), 10, 4);
    assert.deepEqual(names, ['BdStatus', 'HVMax', 'Temp', '']);
    ffi.Free(list[0]);
  });

  test('GetBdParam reads one value per slot; GetBdParamProp gives types; SetBdParam refuses read-only', () => {
    const buf = Buffer.alloc(12);
    assert.equal(ffi.GetBdParam(h, 3, u16list([0, 2, 5]), 'HVMax', buf), RC.OK);
    assert.deepEqual([0, 1, 2].map((i) => buf.readFloatLE(4 * i)), [1000, 3500, 1500]);
    assert.equal(ffi.GetBdParam(h, 3, u16list([0, 2, 5]), 'Temp', buf), RC.OK);
    const temps = [0, 1, 2].map((i) => buf.readFloatLE(4 * i));
    [31.5, 29.0, 30.2].forEach((t, i) => assert.ok(Math.abs(temps[i] - t) <= 0.31, `slot temp ${temps[i]} vs ${t}`));
    assert.equal(ffi.GetBdParam(h, 1, u16list([0]), 'BdStatus', buf), RC.OK);
    assert.equal(buf.readUInt32LE(0), 0);
    const u32 = Buffer.alloc(4);
    assert.equal(ffi.GetBdParamProp(h, 0, 'Temp', 'Type', u32), RC.OK);
    assert.equal(u32.readUInt32LE(0), 0);
    assert.equal(ffi.GetBdParamProp(h, 0, 'Temp', 'Unit', u32), RC.OK);
    assert.equal(u32.readUInt16LE(0), 4);
    assert.equal(ffi.GetBdParamProp(h, 0, 'BdStatus', 'Type', u32), RC.OK);
    assert.equal(u32.readUInt32LE(0), 3);
    assert.equal(ffi.GetBdParamProp(h, 0, 'BdStatus', 'Unit', u32), RC.PARAMPROPNOTFOUND);
    u32.writeFloatLE(40, 0);
    assert.equal(ffi.SetBdParam(h, 1, u16list([0]), 'Temp', u32), RC.NOTSETPROP);
    assert.equal(ffi.GetBdParam(h, 1, u16list([1]), 'Temp', buf), RC.SLOTNOTPRES);
  });
});

describe('channels', () => {
  test('GetChParamInfo: ParNumber and 10-byte records ending with an empty record', () => {
    const list = [null], num = [0];
    assert.equal(ffi.GetChParamInfo(h, 0, 3, list, num), RC.OK);
    assert.equal(num[0], 16);
    const names = records(bytes(list[0], 10 * 17), 10, 17);
    assert.deepEqual(names.slice(0, 4), ['V0Set', 'I0Set', 'V1Set', 'I1Set']);
    for (const p of ['VMon', 'IMon', 'Status', 'Pw', 'POn', 'PDwn', 'RUp', 'RDWn', 'Trip', 'SVMax', 'TripInt', 'TripExt']) assert.ok(names.includes(p), p);
    assert.equal(names[16], '');
    ffi.Free(list[0]);
  });

  test('GetChParamProp: Type, Mode, Minval, Maxval, Unit, Exp, Decimal, Onstate, Offstate', () => {
    const b = Buffer.alloc(32);
    const prop = (par: string, p: string) => {
      b.fill(0);
      const rc = ffi.GetChParamProp(h, 2, 0, par, p, b) as number;
      assert.equal(rc, RC.OK, `${par}.${p}: ${ffi.GetError(h)}`);
      return b;
    };
    assert.equal(prop('V0Set', 'Type').readUInt32LE(0), 0);
    assert.equal(prop('V0Set', 'Mode').readUInt32LE(0), 2);
    assert.equal(prop('VMon', 'Mode').readUInt32LE(0), 0);
    assert.equal(prop('V0Set', 'Minval').readFloatLE(0), 0);
    assert.equal(prop('V0Set', 'Maxval').readFloatLE(0), 3500);
    assert.equal(prop('I0Set', 'Maxval').readFloatLE(0), 3000);
    assert.equal(prop('V0Set', 'Unit').readUInt16LE(0), 2);
    assert.equal(prop('IMon', 'Unit').readUInt16LE(0), 1);
    assert.equal(prop('IMon', 'Exp').readInt16LE(0), -6);
    assert.equal(prop('VMon', 'Decimal').readInt16LE(0), 1);
    assert.equal(prop('Status', 'Type').readUInt32LE(0), 2);
    assert.equal(prop('Pw', 'Type').readUInt32LE(0), 1);
    assert.equal(cString(prop('Pw', 'Onstate')), 'On');
    assert.equal(cString(prop('Pw', 'Offstate')), 'Off');
    assert.equal(cString(prop('PDwn', 'Onstate')), 'Ramp');
    assert.equal(ffi.GetChParamProp(h, 2, 0, 'Pw', 'Minval', b), RC.PARAMPROPNOTFOUND);
    assert.equal(ffi.GetChParamProp(h, 2, 0, 'V0Set', 'Colour', b), RC.PARAMPROPNOTFOUND);
    assert.equal(ffi.GetChParamProp(h, 2, 0, 'Nope', 'Type', b), RC.PARAMNOTFOUND);
  });

  test('GetChName fills caller-allocated 12-byte records and an empty one after the last; SetChName sets one name on listed channels', () => {
    const names = Buffer.alloc(12 * 9, 0xff);
    assert.equal(ffi.GetChName(h, 0, 7, u16list([0, 1, 2, 3, 4, 5, 6]), names), RC.OK);
    const got = records(names, 12, 7);
    assert.ok(names.subarray(12 * 7, 12 * 8).every((b) => b === 0), 'record N is empty (why callers allocate (N + 1) x 12)');
    assert.ok(names.subarray(12 * 8).every((b) => b === 0xff), 'nothing past record N');
    assert.deepEqual(got.map((n) => n.split('_').pop()), ['G3BOT', 'G3TOP', 'G2BOT', 'G2TOP', 'G1BOT', 'G1TOP', 'G0BOT']);
    assert.ok(got.every((n) => n.length <= 11));
    assert.equal(ffi.SetChName(h, 2, 2, u16list([10, 11]), 'CATHODE'), RC.OK);
    const two = Buffer.alloc(36);
    assert.equal(ffi.GetChName(h, 2, 2, u16list([10, 11]), two), RC.OK);
    assert.deepEqual(records(two, 12, 2), ['CATHODE', 'CATHODE']);
    assert.equal(ffi.SetChName(h, 2, 1, u16list([10]), 'TWELVE_CHARS'), RC.INVALIDPARAMETER);
  });

  test('GetChParam reads a whole channel list: float32 for NUMERIC, uint32 for Pw/Status', () => {
    const chs = [0, 1, 2, 3, 4, 5, 6];
    const v0 = getFloats(ffi, h, 0, 'V0Set', chs);
    const vmon = getFloats(ffi, h, 0, 'VMon', chs);
    chs.forEach((i) => assert.ok(Math.abs(vmon[i] - v0[i]) <= 0.3, `VMon ${vmon[i]} vs V0Set ${v0[i]}`));
    assert.deepEqual(getUints(ffi, h, 0, 'Pw', chs), [1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(getUints(ffi, h, 0, 'Status', chs), [1, 1, 1, 1, 1, 1, 1]);
    const imon = getFloats(ffi, h, 0, 'IMon', [0]);
    assert.ok(Math.abs(imon[0] - v0[0] / 2000) < 0.01, `IMon ${imon[0]}`);
    assert.deepEqual(getUints(ffi, h, 2, 'Pw', [20, 21]), [0, 0]);
  });

  test('SetChParam on an SY4527 uses the first element for every listed channel', () => {
    const buf = Buffer.alloc(4);
    buf.writeFloatLE(12.5, 0);
    assert.equal(ffi.SetChParam(h, 2, 'I0Set', 3, u16list([12, 13, 14]), buf), RC.OK);
    assert.deepEqual(getFloats(ffi, h, 2, 'I0Set', [12, 13, 14]), [12.5, 12.5, 12.5]);
  });

  test('read-only parameters, values outside Minval/Maxval and unknown channels are refused', () => {
    assert.equal(setFloat(ffi, h, 2, 'VMon', [12], 10), RC.NOTSETPROP);
    assert.equal(setFloat(ffi, h, 2, 'V0Set', [12], 3600), RC.OUTOFRANGE);
    assert.equal(setFloat(ffi, h, 2, 'V0Set', [12], -1), RC.OUTOFRANGE);
    assert.match(ffi.GetError(h), /out of range/i);
    assert.equal(setFloat(ffi, h, 2, 'V0Set', [24], 100), RC.INVALIDPARAMETER);
    assert.equal(setFloat(ffi, h, 9, 'V0Set', [0], 100), RC.SLOTNOTPRES);
    assert.deepEqual(getFloats(ffi, h, 2, 'V0Set', [12]), [0]);
  });
});

describe('system properties and commands', () => {
  test('GetSysPropList is packed and freeable with libc free; GetSysPropInfo gives mode and type', () => {
    const n = [0], list = [null];
    assert.equal(ffi.GetSysPropList(h, n, list), RC.OK);
    const names = packedStrings(list[0], n[0]);
    for (const p of ['ModelName', 'SwRelease', 'Sessions', 'IPAddr', 'CPULoad', 'MemoryStatus', 'HVFanStat', 'HVFanSpeed', 'PWFanStat', 'SymbolicName', 'CMDExecMode'])
      assert.ok(names.includes(p), p);
    // the SY4527 column of CAEN's manual (docs/caen-wrapper.md §9): [mode, type] with RDONLY 0 / RDWR 2, STR 0 / UINT2 2 / INT2 4
    const manual: Record<string, [number, number]> = {
      HVFanSpeed: [2, 2], CMDExecMode: [2, 2], ClkFreq: [0, 4], FrontPanOutLevel: [2, 2], CommandQStatus: [0, 2],
      DummyReg: [2, 2], HvPwSM: [0, 0], HVClkConf: [0, 0], RS232Par: [2, 0], IPNetMsk: [2, 0], IPGw: [2, 0],
    };
    for (const [p, expected] of Object.entries(manual)) {
      const m = [9], ty = [9];
      assert.equal(ffi.GetSysPropInfo(h, p, m, ty), RC.OK, p);
      assert.deepEqual([m[0], ty[0]], expected, p);
    }
    const libc = koffi.load('libc.so.6');
    libc.func('void free(void *p)')(list[0]);
    const mode = [9], type = [9];
    assert.equal(ffi.GetSysPropInfo(h, 'ModelName', mode, type), RC.OK);
    assert.deepEqual([mode[0], type[0]], [0, 0]);
    assert.equal(ffi.GetSysPropInfo(h, 'GenSignCfg', mode, type), RC.OK);
    assert.deepEqual([mode[0], type[0]], [2, 2]);
    assert.equal(ffi.GetSysPropInfo(h, 'NoSuch', mode, type), RC.NOTSYSPROP);
  });

  test('GetSysProp / SetSysProp by property type (STR, UINT2); read-only properties are refused', () => {
    const buf = Buffer.alloc(1024);
    assert.equal(ffi.GetSysProp(h, 'ModelName', buf), RC.OK);
    assert.equal(cString(buf), 'SY4527');
    assert.equal(ffi.GetSysProp(h, 'SwRelease', buf), RC.OK);
    assert.match(cString(buf), /^\d+\.\d+/);
    assert.equal(ffi.SetSysProp(h, 'SymbolicName', Buffer.from('GE11 stand\0', 'latin1')), RC.OK);
    assert.equal(ffi.GetSysProp(h, 'SymbolicName', buf), RC.OK);
    assert.equal(cString(buf), 'GE11 stand');
    const u16 = Buffer.alloc(2);
    u16.writeUInt16LE(513, 0);
    assert.equal(ffi.SetSysProp(h, 'GenSignCfg', u16), RC.OK);
    u16.fill(0);
    assert.equal(ffi.GetSysProp(h, 'GenSignCfg', u16), RC.OK);
    assert.equal(u16.readUInt16LE(0), 513);
    assert.equal(ffi.SetSysProp(h, 'ModelName', Buffer.from('X\0')), RC.NOTSETPROP);
    assert.equal(ffi.GetSysProp(h, 'Sessions', buf), RC.OK);
    assert.match(cString(buf), /admin/);
    const i16 = Buffer.alloc(2);
    assert.equal(ffi.GetSysProp(h, 'ClkFreq', i16), RC.OK, 'INT2');
    assert.equal(i16.readInt16LE(0), 100);
    assert.equal(ffi.SetSysProp(h, 'ClkFreq', i16), RC.NOTSETPROP);
    u16.writeUInt16LE(65535, 0);
    assert.equal(ffi.SetSysProp(h, 'DummyReg', u16), RC.OK);
    u16.fill(0);
    assert.equal(ffi.GetSysProp(h, 'DummyReg', u16), RC.OK);
    assert.equal(u16.readUInt16LE(0), 65535);
    assert.equal(ffi.SetSysProp(h, 'RS232Par', Buffer.from('19200_8_1_0_0\0', 'latin1')), RC.OK);
    assert.equal(ffi.GetSysProp(h, 'RS232Par', buf), RC.OK);
    assert.equal(cString(buf), '19200_8_1_0_0');
  });

  test('GetExecCommList lists the SYx527 commands; an unknown command is EXECNOTFOUND', () => {
    const n = [0], list = [null];
    assert.equal(ffi.GetExecCommList(h, n, list), RC.OK);
    assert.deepEqual(packedStrings(list[0], n[0]), ['Kill', 'ClearAlarm', 'EnMsg', 'DisMsg', 'Format', 'RS232CmdOff']);
    for (const c of ['EnMsg', 'DisMsg']) assert.equal(ffi.ExecComm(h, c), RC.OK, c);
    ffi.Free(list[0]);
    assert.equal(ffi.ExecComm(h, 'Reboot'), RC.EXECNOTFOUND);
    assert.equal(ffi.ExecComm(h, 'ClearAlarm'), RC.OK);
  });
});

describe('event mode', () => {
  test('GetEventData on a bad socket answers READERR (3) and leaves its outputs untouched; FreeEventData and Free accept NULL', () => {
    const status = Buffer.alloc(68, 0xaa), data = Buffer.alloc(8, 0xbb), num = Buffer.alloc(4, 0xcc);
    assert.equal(ffi.GetEventData(-1, status, data, num), 3);
    assert.ok(status.every((b) => b === 0xaa) && data.every((b) => b === 0xbb) && num.every((b) => b === 0xcc));
    const codes = Buffer.alloc(1);
    assert.equal(ffi.SubscribeSystemParams(101, 4000, 'Sessions', 1, codes), RC.INVALIDPARAMETER);
    const ev = Buffer.alloc(8);
    assert.equal(ffi.FreeEventData(ev), RC.OK, 'a NULL array');
    assert.equal(ffi.FreeEventData(null), RC.OK);
    assert.equal(ffi.Free(null), RC.OK);
  });
});

describe('legacy and helper symbols', () => {
  test('CAENHVGetError is CAENHV_GetError; Sleep waits the given milliseconds', () => {
    const legacy = ffi.lib.func('const char *CAENHVGetError(int handle)') as (h: number) => string;
    assert.equal(legacy(h), ffi.GetError(h));
    assert.equal(legacy(-1), ' Connection failed ');
    const sleepMs = ffi.lib.func('void Sleep(uint32_t ms)') as (ms: number) => void;
    const t0 = performance.now();
    sleepMs(30);
    assert.ok(performance.now() - t0 >= 29);
  });
});

describe('other system types', () => {
  test('SetChParam on an SY1527 takes one value per channel', async () => {
    const old = await startSim({
      cratesYaml: 'crates:\n  - name: old\n    system: SY1527\n    slots:\n      3: { model: A1535 }\n',
    });
    try {
      const h1 = login(ffi, old.address, 'admin', 'admin', SY1527);
      try {
        const buf = Buffer.alloc(12);
        [100, 200, 300].forEach((v, i) => buf.writeFloatLE(v, 4 * i));
        assert.equal(ffi.SetChParam(h1, 3, 'V0Set', 3, u16list([0, 1, 2]), buf), RC.OK);
        assert.deepEqual(getFloats(ffi, h1, 3, 'V0Set', [0, 1, 2]), [100, 200, 300]);
        const model = Buffer.alloc(64);
        assert.equal(ffi.GetSysProp(h1, 'ModelName', model), RC.OK);
        assert.equal(cString(model), 'SY1527');
      } finally {
        ffi.DeinitSystem(h1);
      }
    } finally {
      await old.stop();
    }
  });
});
