// The binding's event calls against the simulated mainframe: the six (Un)Subscribe methods (codes per name,
// a port above 32767 through the C short), GetEventData records decoded by type and freed, READERR.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { CaenLibrary } from '../../src/caen/library.js';
import { CaenMainframe } from '../../src/caen/mainframe.js';
import { CaenError } from '../../src/caen/caen-error.js';
import { closeFd, EventServer, readable } from '../../src/caen/event-socket.js';
import { EVENT_TYPE, type CaenEvent, type EventValueKind } from '../../src/caen/events.js';

let sim: SimHandle;
let lib: CaenLibrary;

before(async () => {
  sim = await startSim({ seed: 5 });
  lib = CaenLibrary.open(sim.libraryPath);
});
after(async () => {
  await sim?.stop();
});

const KINDS: Record<string, EventValueKind> = { V0Set: 'float', VMon: 'float', Temp: 'float', Status: 'int', Pw: 'int', Name: 'string', ModelName: 'string', GenSignCfg: 'int' };
const kindOf = (_b: number, _c: number, item: string) => KINDS[item];

/** Waits (event loop free) until `fd` is readable; false after the deadline. */
async function whenReadable(fd: number, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (readable(fd)) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

test('subscribe channel, board and system items; events decoded by type; unsubscribe; READERR after logout', async () => {
  const mf = CaenMainframe.connect(lib, { systemType: 'SY4527', linkType: 'TCPIP', address: sim.address, user: 'admin', password: 'admin' });
  const server = EventServer.open('127.0.0.1', 0, 0);
  let fd = -1;
  try {
    assert.ok(server.port > 32767, `an OS-chosen port (${server.port}) above 32767 goes through the short`);
    assert.deepEqual(mf.subscribeChannelParams(server.port, 2, 0, ['V0Set', 'Status', 'Pw', 'Name', 'Nope']), [0, 0, 0, 0, 22]);
    assert.deepEqual(mf.subscribeBoardParams(server.port, 2, ['Temp']), [0]);
    assert.deepEqual(mf.subscribeSystemParams(server.port, ['ModelName', 'GenSignCfg']), [0, 0]);
    for (let i = 0; i < 500 && fd < 0; i++) {
      fd = server.acceptReady() ?? -1;
      if (fd < 0) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(fd >= 0, 'the crate connected back');
    const events: CaenEvent[] = [];
    const has = (item: string) => events.some((e) => e.item === item);
    while (!(has('V0Set') && has('Name') && has('Temp') && has('ModelName') && has('GenSignCfg'))) {
      assert.ok(await whenReadable(fd), 'a batch arrives');
      events.push(...mf.readEvents(fd, kindOf).events);
    }
    const get = (item: string) => events.find((e) => e.item === item)!;
    const ch0 = await sim.control.getChannel(2, 0);
    assert.deepEqual(get('V0Set'), { type: EVENT_TYPE.PARAMETER, systemHandle: mf.handle, board: 2, channel: 0, item: 'V0Set', value: ch0.params.V0Set });
    assert.equal(get('Status').value, ch0.params.Status);
    assert.equal(get('Pw').value, ch0.params.Pw);
    assert.equal(get('Name').value, ch0.name);
    assert.equal(get('Temp').channel, -1);
    assert.equal(typeof get('Temp').value, 'number');
    assert.deepEqual([get('ModelName').board, get('ModelName').channel, get('ModelName').value], [-1, -1, 'SY4527']);
    assert.equal(get('GenSignCfg').value, 0);
    assert.ok(mf.callsByFunction().CAENHV_GetEventData! >= 1);

    assert.deepEqual(mf.unsubscribeChannelParams(server.port, 2, 0, ['V0Set', 'Nope']), [0, 22]);
    assert.deepEqual(mf.unsubscribeBoardParams(server.port, 2, ['Temp']), [0]);
    assert.deepEqual(mf.unsubscribeSystemParams(server.port, ['ModelName', 'GenSignCfg']), [0, 0]);
    events.length = 0;
    await sim.control.setChannel(2, 0, 'V0Set', 321);
    await sim.control.setChannel(2, 0, 'name', 'BINDTEST');
    while (!events.some((e) => e.item === 'Name' && e.value === 'BINDTEST')) {
      assert.ok(await whenReadable(fd));
      events.push(...mf.readEvents(fd, kindOf).events);
    }
    assert.equal(events.filter((e) => e.item === 'V0Set').length, 0, 'no event for an unsubscribed item');

    assert.equal(mf.deinit(), undefined);
    assert.ok(await whenReadable(fd));
    for (;;) {
      try {
        mf.readEvents(fd, kindOf); // batches still buffered, then the end
      } catch (err) {
        assert.ok(err instanceof CaenError);
        assert.equal(err.result, 3, 'READERR once the link is lost');
        break;
      }
      assert.ok(await whenReadable(fd));
    }
  } finally {
    mf.deinit();
    closeFd(fd);
    server.close();
  }
});

test('a refused call throws CaenError with its code; ports outside 0..65535 are refused before any call', () => {
  const mf = CaenMainframe.connect(lib, { systemType: 'SY4527', linkType: 'TCPIP', address: sim.address, user: 'admin', password: 'admin' });
  try {
    assert.throws(() => mf.subscribeChannelParams(4000, 3, 0, ['V0Set']), (e: unknown) => e instanceof CaenError && e.result === 7);
    assert.throws(() => mf.subscribeChannelParams(70000, 2, 0, ['V0Set']), RangeError);
    assert.throws(() => mf.subscribeSystemParams(4000, []), RangeError);
  } finally {
    mf.deinit();
  }
});
