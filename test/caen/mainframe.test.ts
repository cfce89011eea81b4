// The binding against the simulated mainframe: every function, the call counts of a scan, errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { CaenLibrary } from '../../src/caen/library.js';
import { CaenMainframe, type LoginOptions } from '../../src/caen/mainframe.js';
import { CaenError } from '../../src/caen/caen-error.js';
import { explainLoginFailure } from '../../src/caen/reachable.js';
import { classify } from '../../src/poll/session.js';
import { decodeChStatus } from '../../src/caen/status-bits.js';
import { GemcaenError, UsageError } from '../../src/errors.js';

let sim: SimHandle;
let lib: CaenLibrary;
let mf: CaenMainframe;

function login(address: string, over: Partial<LoginOptions> = {}): LoginOptions {
  return { systemType: 'SY4527', linkType: 'TCPIP', address, user: 'admin', password: 'admin', ...over };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function caught(fn: () => unknown): CaenError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CaenError, `CaenError expected, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a CaenError');
}

async function calls(): Promise<Record<string, number>> {
  return (await sim.control.counters()).calls;
}

before(async () => {
  sim = await startSim({ seed: 3 });
  lib = CaenLibrary.open(sim.libraryPath);
  mf = CaenMainframe.connect(lib, login(sim.address));
});

after(async () => {
  mf?.deinit();
  await sim?.stop();
});

describe('reads', () => {
  test('library release and the same object for the same path', () => {
    assert.equal(lib.swRelease(), '6.1');
    assert.equal(CaenLibrary.open(sim.libraryPath), lib);
    assert.equal(mf.handle >= 0, true);
  });

  test('crate map: occupied slots with model, description, channels, serial, firmware; all six lists read', async () => {
    await sim.control.resetCounters();
    const boards = mf.crateMap();
    assert.deepEqual(
      boards.map((b) => [b.slot, b.model, b.channels, b.serial, b.firmware]),
      [
        [0, 'A1515TG', 14, 1515, '1.04'],
        [2, 'A1535', 24, 1535, '1.03'],
        [5, 'A1536', 36, 1536, '1.02'],
      ],
    );
    assert.equal(boards[0]?.description, '14 Ch Float 1KV/20uA');
    const all = mf.crateMap({ includeEmpty: true });
    assert.equal(all.length, 16);
    assert.deepEqual(all[1], { slot: 1, model: '', description: '', channels: 0, serial: 0, firmware: '0.00' });
    assert.equal((await calls()).CAENHV_GetCrateMap, 2);
  });

  test('board presence: a board, and undefined for an empty slot', () => {
    assert.deepEqual(mf.boardPresence(2), { slot: 2, model: 'A1535', description: '24 Ch 3.5KV/3mA', channels: 24, serial: 1535, firmware: '1.03' });
    assert.equal(mf.boardPresence(1), undefined);
  });

  test('system properties by type: list, info, values', () => {
    const names = mf.sysPropList();
    for (const n of ['ModelName', 'SwRelease', 'Sessions', 'IPAddr', 'CPULoad', 'SymbolicName']) assert.ok(names.includes(n), n);
    assert.equal(mf.sysProp('ModelName'), 'SY4527');
    assert.equal(mf.sysProp('SwRelease'), '1.4.1');
    const all = mf.sysProps();
    assert.equal(all.SymbolicName, 'demo');
    assert.equal(typeof all.GenSignCfg, 'number');
    assert.deepEqual(Object.keys(all).sort(), [...names].sort());
  });

  test('parameter names: channel (10-byte records + count) and board (up to the empty record)', () => {
    assert.deepEqual(mf.chParamNames(0, 0), [
      'V0Set', 'I0Set', 'V1Set', 'I1Set', 'RUp', 'RDWn', 'Trip', 'SVMax', 'VMon', 'IMon', 'Status', 'Pw', 'POn', 'PDwn', 'TripInt', 'TripExt',
    ]);
    assert.deepEqual(mf.bdParamNames(5), ['BdStatus', 'HVMax', 'Temp']);
  });

  test('parameter metadata: type, mode, range, unit, exponent, decimals, on/off texts', () => {
    assert.deepEqual(mf.paramMeta(0, 'V0Set'), {
      name: 'V0Set', type: 'NUMERIC', typeCode: 0, mode: 'RDWR', min: 0, max: 1000, unitCode: 2, unit: 'V', exp: 0, decimal: 1,
    });
    const imon = mf.paramMeta(0, 'IMon');
    assert.equal(imon.mode, 'RDONLY');
    assert.equal(imon.unit, 'A');
    assert.equal(imon.exp, -6);
    assert.equal(imon.decimal, 3);
    assert.deepEqual(mf.paramMeta(0, 'PDwn'), { name: 'PDwn', type: 'ONOFF', typeCode: 1, mode: 'RDWR', onState: 'Ramp', offState: 'Kill' });
    assert.deepEqual(mf.paramMeta(0, 'Status'), { name: 'Status', type: 'CHSTATUS', typeCode: 2, mode: 'RDONLY' });
    assert.equal(mf.paramMeta(0, 'TripInt').type, 'BINARY');
    assert.equal(mf.bdParamMeta(0, 'Temp').unit, '°C');
    assert.equal(mf.bdParamMeta(0, 'BdStatus').type, 'BDSTATUS');
  });

  test('metadata is read once per board and parameter: the second read makes no GetChParamProp call', async () => {
    mf.clearMetaCache();
    await sim.control.resetCounters();
    mf.readChParam(2, 'IMon', range(0, 23));
    const first = await calls();
    assert.ok((first.CAENHV_GetChParamProp ?? 0) >= 2, 'properties read on the first use');
    mf.readChParam(2, 'IMon', range(0, 23));
    mf.readChParam(2, 'IMon', [3]);
    const second = await calls();
    assert.equal(second.CAENHV_GetChParamProp, first.CAENHV_GetChParamProp);
    assert.equal(second.CAENHV_GetChParam, 3);
    // another slot is another board: its own metadata
    mf.readChParam(5, 'IMon', [0]);
    assert.ok(((await calls()).CAENHV_GetChParamProp ?? 0) > (first.CAENHV_GetChParamProp ?? 0));
    // forgetting one slot re-reads only that slot
    mf.clearMetaCache(2);
    const before3 = (await calls()).CAENHV_GetChParamProp ?? 0;
    mf.readChParam(5, 'IMon', [0]);
    assert.equal((await calls()).CAENHV_GetChParamProp, before3);
    mf.readChParam(2, 'IMon', [0]);
    assert.ok(((await calls()).CAENHV_GetChParamProp ?? 0) > before3);
  });

  test('one GetChParam per (slot, parameter) for all 36 channels; values match the crate', async () => {
    mf.paramMeta(5, 'V0Set');
    await sim.control.resetCounters();
    const before = mf.calls;
    const v0 = mf.readChParam(5, 'V0Set', range(0, 35));
    const st = mf.readChParam(5, 'Status', range(0, 35));
    mf.paramMeta(5, 'Status');
    const counted = await calls();
    assert.equal(counted.CAENHV_GetChParam, 2);
    assert.equal(v0.length, 36);
    assert.equal(v0[18], 120);
    const crate18 = await sim.control.getChannel(5, 18);
    assert.equal(v0[18], crate18.params.V0Set);
    assert.equal(st[18], crate18.params.Status);
    assert.ok(decodeChStatus(st[18] as number).includes('ON'));
    // the handle's own count agrees with the crate's (Status metadata: the crate counted those too)
    assert.equal(mf.calls - before, (await sim.control.counters()).totalCalls);
  });

  test('readChParams: one call per parameter', async () => {
    await sim.control.resetCounters();
    const r = mf.readChParams(0, ['V0Set', 'Pw'], range(0, 6));
    assert.deepEqual(r.V0Set, [438, 368, 612, 385, 307, 392, 788]);
    assert.deepEqual(r.Pw, [1, 1, 1, 1, 1, 1, 1]);
    assert.equal((await calls()).CAENHV_GetChParam, 2);
  });

  test('channel names: one GetChName for the list (12-byte caller records)', async () => {
    await sim.control.resetCounters();
    assert.deepEqual(mf.channelNames(0, range(0, 13)), [
      'GEM1_G3BOT', 'GEM1_G3TOP', 'GEM1_G2BOT', 'GEM1_G2TOP', 'GEM1_G1BOT', 'GEM1_G1TOP', 'GEM1_G0BOT',
      'GEM2_G3BOT', 'GEM2_G3TOP', 'GEM2_G2BOT', 'GEM2_G2TOP', 'GEM2_G1BOT', 'GEM2_G1TOP', 'GEM2_G0BOT',
    ]);
    assert.deepEqual(mf.channelNames(2, [3, 1]), ['DRIFT3', 'DRIFT1']);
    assert.equal((await calls()).CAENHV_GetChName, 2);
  });

  test('board parameters: one GetBdParam for a list of slots', async () => {
    mf.bdParamMeta(0, 'Temp');
    mf.bdParamMeta(0, 'BdStatus');
    await sim.control.setBoardTemperature(5, 77);
    await sim.control.resetCounters();
    const temps = mf.readBdParam([0, 2, 5], 'Temp');
    const status = mf.readBdParam([0, 2, 5], 'BdStatus');
    assert.equal((await calls()).CAENHV_GetBdParam, 2);
    assert.equal(temps.length, 3);
    assert.ok(Math.abs((temps[0] as number) - 31.5) < 1, `slot 0 ~31.5 °C, got ${temps[0]}`);
    assert.ok(Math.abs((temps[2] as number) - 77) < 1, `slot 5 ~77 °C, got ${temps[2]}`);
    assert.equal(status[0], 0);
  });

  test('commands: list and execute', () => {
    assert.deepEqual(mf.commands(), ['Kill', 'ClearAlarm', 'EnMsg', 'DisMsg', 'Format', 'RS232CmdOff']);
    mf.execComm('ClearAlarm');
    const e = caught(() => mf.execComm('Reboot'));
    assert.equal(e.fn, 'CAENHV_ExecComm');
    assert.equal(e.connectionLost, false);
  });
});

describe('lib-alloc lists', () => {
  test('every list the library allocates is freed once with CAENHV_Free; a failed call frees nothing', async () => {
    const freed: bigint[] = [];
    const original = lib.free.bind(lib);
    lib.free = (p) => {
      if (p !== null && p !== 0n) freed.push(p);
      original(p);
    };
    try {
      const count = (fn: () => unknown): number => {
        freed.length = 0;
        fn();
        return freed.length;
      };
      assert.equal(count(() => mf.crateMap()), 6);
      assert.equal(count(() => mf.boardPresence(0)), 2);
      assert.equal(count(() => mf.sysPropList()), 1);
      assert.equal(count(() => mf.commands()), 1);
      assert.equal(count(() => mf.chParamNames(0, 3)), 1);
      assert.equal(count(() => mf.bdParamNames(0)), 1);
      assert.equal(new Set(freed).size, freed.length);
      // a failed call returns no list and frees nothing it did not get
      await sim.control.failNext(1, 4, 'CAENHV_GetCrateMap');
      freed.length = 0;
      assert.throws(() => mf.crateMap(), CaenError);
      assert.equal(freed.length, 0);
    } finally {
      lib.free = original;
    }
  });
});

describe('channel names', () => {
  test('SetChName gives the listed channels one name; longer than 11 characters is refused', async () => {
    mf.setChannelName(2, [20, 21], 'SPARE');
    assert.deepEqual(mf.channelNames(2, [20, 21]), ['SPARE', 'SPARE']);
    assert.equal((await sim.control.getChannel(2, 21)).name, 'SPARE');
    assert.throws(() => mf.setChannelName(2, [20], 'TWELVE_CHARS'), (e: unknown) => e instanceof UsageError && e.code === 'CHANNEL_NAME_TOO_LONG');
  });
});

describe('writes', () => {
  test('SetChParam sets every listed channel in one call (value repeated), read back from the crate', async () => {
    await sim.control.resetCounters();
    mf.writeChParam(2, 'V0Set', [0, 1, 2], 1234.5);
    assert.equal((await calls()).CAENHV_SetChParam, 1);
    for (const ch of [0, 1, 2]) assert.equal((await sim.control.getChannel(2, ch)).params.V0Set, 1234.5);
    assert.notEqual((await sim.control.getChannel(2, 3)).params.V0Set, 1234.5);
    assert.deepEqual(mf.readChParam(2, 'V0Set', [0, 1, 2]), [1234.5, 1234.5, 1234.5]);
  });

  test('ONOFF and BINARY are written as 32-bit unsigned', async () => {
    mf.writeChParam(2, 'Pw', [7, 8], 0);
    assert.equal((await sim.control.getChannel(2, 7)).params.Pw, 0);
    assert.deepEqual(mf.readChParam(2, 'Pw', [7, 8]), [0, 0]);
    mf.writeChParam(2, 'TripInt', [7], 0x81);
    assert.deepEqual(mf.readChParam(2, 'TripInt', [7]), [0x81]);
  });

  test('refused before any call: out of range, read-only, not on/off, not finite', async () => {
    mf.paramMeta(0, 'V0Set');
    mf.paramMeta(0, 'VMon');
    mf.paramMeta(0, 'Pw');
    await sim.control.resetCounters();
    const code = (fn: () => void): string => {
      try {
        fn();
      } catch (err) {
        assert.ok(err instanceof UsageError, String(err));
        return err.code;
      }
      return 'no error';
    };
    assert.equal(code(() => mf.writeChParam(0, 'V0Set', [0], 1000.5)), 'VALUE_OUT_OF_RANGE');
    assert.equal(code(() => mf.writeChParam(0, 'V0Set', [0], -1)), 'VALUE_OUT_OF_RANGE');
    assert.equal(code(() => mf.writeChParam(0, 'V0Set', [0], Number.NaN)), 'VALUE_INVALID');
    assert.equal(code(() => mf.writeChParam(0, 'VMon', [0], 10)), 'PARAM_READ_ONLY');
    assert.equal(code(() => mf.writeChParam(0, 'Pw', [0], 2)), 'VALUE_INVALID');
    assert.equal((await calls()).CAENHV_SetChParam, undefined);
    assert.equal((await sim.control.getChannel(0, 0)).params.V0Set, 438);
  });

  test('an SY1527 (one value per channel) gets the value on every channel', async () => {
    const old = await startSim({
      cratesYaml: 'crates:\n  - name: old\n    system: SY1527\n    slots:\n      3: { model: A1535 }\n',
    });
    try {
      const m = CaenMainframe.connect(lib, login(old.address, { systemType: 'SY1527' }));
      try {
        m.writeChParam(3, 'V0Set', [0, 5, 9, 23], 777);
        for (const ch of [0, 5, 9, 23]) assert.equal((await old.control.getChannel(3, ch)).params.V0Set, 777, `channel ${ch}`);
        assert.deepEqual(m.readChParam(3, 'V0Set', [0, 5, 9, 23]), [777, 777, 777, 777]);
      } finally {
        assert.equal(m.deinit(), undefined);
      }
    } finally {
      await old.stop();
    }
  });
});

describe('errors', () => {
  test('a negative result is a power-supply error with its number and the GetError text', async () => {
    await sim.control.failNext(1, -3, 'CAENHV_GetChParam');
    const e = caught(() => mf.readChParam(0, 'VMon', range(0, 6)));
    assert.equal(e.code, 'CAEN_POWER_SUPPLY_ERROR');
    assert.equal(e.result, -3);
    assert.equal(e.kind, 'power-supply');
    assert.equal(e.connectionLost, false);
    assert.equal(e.message, 'CAENHV_GetChParam failed: Mainframe error -3 (injected by the simulator) (power-supply error -3) [slot 0, parameter VMon, channels 0-6]');
    // the handle still works
    assert.equal(mf.readChParam(0, 'VMon', [0]).length, 1);
  });

  test('an unknown result is reported as such, with its number', async () => {
    await sim.control.failNext(1, 777, 'CAENHV_GetBdParam');
    const e = caught(() => mf.readBdParam([0], 'Temp'));
    assert.equal(e.code, 'CAEN_UNKNOWN');
    assert.equal(e.result, 777);
    assert.match(e.message, /^CAENHV_GetBdParam failed: Simulated failure 777 \(injected by the simulator\) \(unknown result 777\)/);
    assert.equal(e.connectionLost, true);
  });

  test('connection vs request: TIMEERR reconnects, PARAMNOTFOUND does not', async () => {
    await sim.control.failNext(1, 4, 'CAENHV_GetChParam');
    const t = caught(() => mf.readChParam(0, 'VMon', [0]));
    assert.equal(t.code, 'CAEN_TIMEERR');
    assert.match(t.message, /^CAENHV_GetChParam failed: .+ \(TIMEERR 4\)/);
    assert.equal(t.connectionLost, true);
    assert.equal(t.toWire().details?.connectionLost, true);
    const p = caught(() => mf.readChParam(0, 'Bogus', [0]));
    assert.equal(p.code, 'CAEN_PARAMNOTFOUND');
    assert.equal(p.result, 22);
    assert.match(p.message, /Bogus/);
    assert.equal(p.connectionLost, false);
    const s = caught(() => mf.readChParam(9, 'VMon', [0]));
    assert.equal(s.connectionLost, false);
  });

  test('a second InitSystem on the same mainframe is DEVALREADYOPEN 24', () => {
    const e = caught(() => CaenMainframe.connect(lib, login(sim.address)));
    assert.equal(e.code, 'CAEN_DEVALREADYOPEN');
    assert.equal(e.result, 24);
    assert.equal(e.fn, 'CAENHV_InitSystem');
  });

  test('unknown system or link type names are refused before any call', () => {
    assert.throws(() => CaenMainframe.connect(lib, login(sim.address, { systemType: 'SY9999' })), (e: unknown) => e instanceof UsageError && e.code === 'UNKNOWN_SYSTEM_TYPE');
    assert.throws(() => CaenMainframe.connect(lib, login(sim.address, { linkType: 'PIGEON' })), (e: unknown) => e instanceof UsageError && e.code === 'UNKNOWN_LINK_TYPE');
  });

  test('a crate that goes down: connection error; reconnect gives a fresh handle with fresh metadata', async () => {
    const other = await startSim({ seed: 9 });
    try {
      const m = CaenMainframe.connect(lib, login(other.address));
      m.readChParam(0, 'VMon', [0]);
      await other.control.crateDown();
      const e = caught(() => m.readChParam(0, 'VMon', [0]));
      assert.equal(e.connectionLost, true, e.message);
      await other.control.crateUp();
      m.deinit();
      assert.throws(() => m.readChParam(0, 'VMon', [0]), (err: unknown) => err instanceof GemcaenError && err.code === 'MAINFRAME_CLOSED');
      const again = CaenMainframe.connect(lib, login(other.address));
      await other.control.resetCounters();
      assert.equal(again.readChParam(0, 'V0Set', [0])[0], 438);
      assert.ok(((await other.control.counters()).calls.CAENHV_GetChParamProp ?? 0) > 0, 'metadata re-read after reconnect');
      assert.equal(again.deinit(), undefined);
    } finally {
      await other.stop();
    }
  });

  test('bad credentials: USERPASSFAILED naming the user, never the password', async () => {
    const other = await startSim({ seed: 4 });
    try {
      const e = caught(() => CaenMainframe.connect(lib, login(other.address, { password: 'S3cret-pw' })));
      assert.equal(e.code, 'CAEN_USERPASSFAILED');
      assert.equal(e.connectionLost, false);
      assert.match(e.message, /user admin/);
      assert.match(e.message, /CAENHV_PASSWORD/);
      assert.ok(!e.message.includes('S3cret-pw'));
      assert.ok(!JSON.stringify(e.toWire()).includes('S3cret-pw'));
      // the failed login left no handle behind: the right password works
      const m = CaenMainframe.connect(lib, login(other.address));
      assert.equal(m.deinit(), undefined);
    } finally {
      await other.stop();
    }
  });

  test('nothing listening: LOGINFAILED (0x1004, as the real library) naming the address; TCP 2527 then tells it is unreachable', async () => {
    const other = await startSim({ seed: 6 });
    const address = other.address;
    await other.stop();
    const e = caught(() => CaenMainframe.connect(lib, login(address)));
    assert.equal(e.fn, 'CAENHV_InitSystem');
    assert.equal(e.result, 0x1004);
    assert.ok(e.message.includes(address));
    const explained = await explainLoginFailure(e, 'TCPIP', address, address);
    assert.ok(explained instanceof GemcaenError);
    assert.equal(explained.code, 'CRATE_UNREACHABLE');
  });

  test('LOGINFAILED while nothing listened, TCP 2527 answering by the time it is probed (a crate that just started): a connection cause, not refused credentials', async () => {
    const other = await startSim({ seed: 7 });
    const address = other.address;
    try {
      await other.control.crateOff();
      const e = caught(() => CaenMainframe.connect(lib, login(address)));
      assert.equal(e.result, 0x1004);
      await other.control.crateOn();
      const explained = await explainLoginFailure(e, 'TCPIP', address, address);
      assert.ok(explained instanceof GemcaenError);
      assert.equal(explained.code, 'CRATE_UNREACHABLE');
      assert.equal(classify(explained), 'connection');
      // a refused login (USERPASSFAILED) with the port answering stays a refused login
      await other.control.refuseLogins(true);
      const refused = caught(() => CaenMainframe.connect(lib, login(address)));
      assert.equal(refused.result, 0x1007);
      assert.equal(await explainLoginFailure(refused, 'TCPIP', address, address), refused);
      assert.equal(classify(refused), 'credentials');
    } finally {
      await other.stop();
    }
  });

  test('deinit is idempotent and closes the session on the crate', async () => {
    const other = await startSim({ seed: 8 });
    try {
      const m = CaenMainframe.connect(lib, login(other.address));
      assert.equal((await other.control.counters()).openSessions, 1);
      assert.equal(m.deinit(), undefined);
      assert.equal(m.deinit(), undefined);
      assert.equal(m.isOpen, false);
      for (let i = 0; i < 50 && (await other.control.counters()).openSessions !== 0; i++) await sleep(20);
      assert.equal((await other.control.counters()).openSessions, 0);
    } finally {
      await other.stop();
    }
  });
});
