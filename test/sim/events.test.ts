// Event mode of the simulator through the real C ABI: the command calls run on this thread, the
// mainframe's event connection is accepted and read with CAENHV_GetEventData on a worker thread, and a
// second client (another process, or the operator API) makes the changes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { getFloats, login, loadCaen, RC, SY1527, type CaenFfi } from './caen-ffi.js';
import { EventType, type EventBatch, type EventRecord } from './event-records.js';
import type { ListenerMessage } from './fixtures/event-listener.js';

const READERR = 3;
const FUNCTIONNOTAVAILABLE = 27;
const INTTRIP = 1 << 9;

let sim: SimHandle;
let ffi: CaenFfi;
let legacyHandle = -1;
const setV0 = fileURLToPath(new URL('./fixtures/set-v0.js', import.meta.url));
const setName = fileURLToPath(new URL('./fixtures/set-name.js', import.meta.url));

before(async () => {
  sim = await startSim({
    cratesYaml: [
      'crates:',
      '  - name: demo',
      '    system: SY4527',
      '    slots:',
      '      2:',
      '        model: A1535',
      '        channelDefaults: { RUp: 500, RDWn: 500, LoadMOhm: 1000, I0Set: 2000, Trip: 1000 }',
      '        channels:',
      '          0: { name: DRIFT0, V0Set: 1500, Pw: On }',
      '          1: { name: DRIFT1, V0Set: 1000, Pw: On }',
      '          2: { name: DRIFT2, V0Set: 800, Pw: On }',
      '          3: { name: DRIFT3, V0Set: 700, Pw: On }',
      '      5: { model: A1536 }',
      '  - name: old',
      '    system: SY1527',
      '    slots:',
      '      1: { model: A1535 }',
    ].join('\n'),
  });
  ffi = loadCaen(sim.libraryPath);
  // a first handle on another crate, so that the event records' SystemHandle is not 0 by chance
  legacyHandle = login(ffi, sim.crates.old, 'admin', 'admin', SY1527);
});

after(async () => {
  if (legacyHandle >= 0) ffi.DeinitSystem(legacyHandle);
  await sim?.stop();
});

/** The worker thread that accepts the mainframe's connection and reads batches. */
class Listener {
  readonly batches: EventBatch[] = [];
  end: Extract<ListenerMessage, { kind: 'end' }> | null = null;
  port = 0;
  private readonly worker: Worker;
  private readonly stopFlag = new Int32Array(new SharedArrayBuffer(4));
  private wake: () => void = () => undefined;
  private failure: Error | null = null;
  private exited = false;

  constructor() {
    const file = fileURLToPath(new URL('./fixtures/event-listener.js', import.meta.url));
    this.worker = new Worker(file, { workerData: { libraryPath: sim.libraryPath, port: 0, stop: this.stopFlag } });
    this.worker.on('message', (m: ListenerMessage) => {
      if (m.kind === 'listening') this.port = m.port;
      else if (m.kind === 'batch') this.batches.push(m.batch);
      else if (m.kind === 'end') this.end = m;
      else if (m.kind === 'error') this.failure = new Error(m.message);
      this.wake();
    });
    this.worker.on('error', (err) => {
      this.failure = err;
      this.wake();
    });
    this.worker.on('exit', () => {
      this.exited = true;
      this.wake();
    });
  }

  /** The port as the C `short` carries it (CAEN's binding passes ports above 32767 this way). */
  get port16(): number {
    return this.port > 32767 ? this.port - 65536 : this.port;
  }

  records(): EventRecord[] {
    return this.batches.flatMap((b) => b.records);
  }

  /** Waits until `cond` holds after a message (deadline only against a hang). */
  async until<T>(what: string, cond: () => T | undefined | null | false, ms = 15_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = cond();
      if (v) return v;
      if (this.failure) throw this.failure;
      if (this.exited) throw new Error(`listener exited while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; ${this.batches.length} batches: ${JSON.stringify(this.records().slice(-8))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }

  async started(): Promise<this> {
    await this.until('listening', () => this.port > 0);
    return this;
  }

  /** Stops the worker (it polls its socket with a short time-out) and waits for it. */
  async stop(): Promise<void> {
    Atomics.store(this.stopFlag, 0, 1);
    if (!this.exited) await new Promise<void>((r) => this.worker.once('exit', () => r()));
  }
}

function item(r: EventRecord[], board: number, channel: number, name: string): EventRecord[] {
  return r.filter((e) => e.type === EventType.PARAMETER && e.board === board && e.channel === channel && e.item === name);
}

function last(r: EventRecord[], board: number, channel: number, name: string): EventRecord | undefined {
  return item(r, board, channel, name).at(-1);
}

function subscribeCh(h: number, port16: number, slot: number, ch: number, names: string[]): { rc: number; codes: number[] } {
  const codes = Buffer.alloc(names.length, 0x7f);
  const rc = ffi.SubscribeChannelParams(h, port16, slot, ch, names.join(':'), names.length, codes) as number;
  return { rc, codes: [...codes] };
}

function run(script: string, ...args: (string | number)[]): void {
  execFileSync(process.execPath, [script, sim.libraryPath, sim.address, ...args.map(String)], { encoding: 'utf8' });
}

async function sessionEvents(h: number) {
  const c = await sim.control.counters('demo');
  return c.sessions.find((s) => s.open && s.clientHandle === h && s.pid === process.pid)?.events;
}

describe('event mode', () => {
  test('channel, board and system items: the current values arrive on the worker thread with the right handle, types and indexes', async () => {
    const l = await new Listener().started();
    const h = login(ffi, sim.address);
    try {
      assert.notEqual(h, 0);
      assert.ok(l.port > 32767, `an OS-chosen port above 32767 (${l.port}) goes through the short as ${l.port16}`);
      const ch = subscribeCh(h, l.port16, 2, 0, ['V0Set', 'VMon', 'IMon', 'Status', 'Pw', 'Name', 'Bogus']);
      assert.equal(ch.rc, RC.OK);
      assert.deepEqual(ch.codes, [0, 0, 0, 0, 0, 0, RC.PARAMNOTFOUND], 'the unknown name is refused, the others accepted');
      const bd = Buffer.alloc(4, 0x7f);
      assert.equal(ffi.SubscribeBoardParams(h, l.port16, 2, 'Temp:BdStatus:HVMax:VMon', 4, bd), RC.OK);
      assert.deepEqual([...bd], [0, 0, 0, RC.PARAMNOTFOUND]);
      const sys = Buffer.alloc(3, 0x7f);
      assert.equal(ffi.SubscribeSystemParams(h, l.port16, 'ModelName:GenSignCfg:NoSuchProp', 3, sys), RC.OK);
      assert.deepEqual([...sys], [0, 0, RC.NOTSYSPROP]);
      await l.until('accepted and first values', () => last(l.records(), -1, -1, 'GenSignCfg'));
      const r = l.records();
      for (const e of r) {
        assert.equal(e.systemHandle, h, 'every record carries the client\'s own handle');
        assert.ok(e.item.length > 0);
      }
      assert.equal(last(r, 2, 0, 'V0Set')?.float, 1500);
      assert.ok(Math.abs((last(r, 2, 0, 'VMon')?.float ?? 0) - 1500) < 1);
      assert.ok((last(r, 2, 0, 'IMon')?.float ?? 0) > 1);
      assert.equal((last(r, 2, 0, 'Status')?.int ?? 0) & 1, 1, 'Status is an int with ON set');
      assert.equal(last(r, 2, 0, 'Pw')?.int, 1);
      assert.equal(last(r, 2, 0, 'Name')?.string, 'DRIFT0');
      assert.equal(last(r, 2, -1, 'HVMax')?.float, 3500, 'board items: channel index -1');
      assert.ok(Math.abs((last(r, 2, -1, 'Temp')?.float ?? 0) - 30) < 1);
      assert.equal(last(r, 2, -1, 'BdStatus')?.int, 0);
      assert.equal(last(r, -1, -1, 'ModelName')?.string, 'SY4527', 'system items: both indexes -1');
      assert.equal(last(r, -1, -1, 'GenSignCfg')?.int, 0);
      assert.equal(item(r, 2, 0, 'Bogus').length + item(r, 2, -1, 'VMon').length + item(r, -1, -1, 'NoSuchProp').length, 0);
      const b = l.batches[0];
      assert.equal(b.system, 0);
      assert.deepEqual([b.boards[0], b.boards[1], b.boards[2], b.boards[5]], [3, 3, 0, 0], 'board status: SYNC where a board is, NOTAVAIL elsewhere');
      assert.ok(b.boards.every((v) => v >= 0 && v <= 3));
      // the command path keeps working on the same handle while events flow on the other thread
      for (let i = 0; i < 50; i++) assert.equal(getFloats(ffi, h, 2, 'V0Set', [0])[0], 1500);
    } finally {
      ffi.DeinitSystem(h);
      await l.stop();
    }
  });

  test('changes by a second client arrive: V0Set (another process), a trip, a renamed channel; measured values at most once a second; unsubscribe stops an item', async () => {
    const l = await new Listener().started();
    const h = login(ffi, sim.address);
    try {
      assert.deepEqual(subscribeCh(h, l.port16, 2, 1, ['V0Set', 'VMon', 'Status', 'Pw', 'Name']).codes, [0, 0, 0, 0, 0]);
      await l.until('current values', () => last(l.records(), 2, 1, 'Name'));
      const t0 = Date.now();
      run(setV0, 2, 1, 1234);
      await l.until('V0Set 1234', () => last(l.records(), 2, 1, 'V0Set')?.float === 1234);
      await l.until('VMon ramps towards 1234', () => (last(l.records(), 2, 1, 'VMon')?.float ?? 0) > 1100);

      await sim.control.trip(2, 1);
      const trip = await l.until('the trip', () => {
        const s = last(l.records(), 2, 1, 'Status');
        return s && s.int & INTTRIP ? s : undefined;
      });
      assert.equal(trip.int & 1, 0, 'ON is cleared');
      await l.until('Pw off', () => last(l.records(), 2, 1, 'Pw')?.int === 0);

      run(setName, 2, 1, 'RENAMED');
      await l.until('the new name', () => last(l.records(), 2, 1, 'Name')?.string === 'RENAMED');

      // measured values are coalesced: at most one VMon per second (plus the first)
      const seconds = (Date.now() - t0) / 1000;
      assert.ok(item(l.records(), 2, 1, 'VMon').length <= seconds + 2, `${item(l.records(), 2, 1, 'VMon').length} VMon events in ${seconds} s`);

      // unsubscribe V0Set: a later set of V0Set sends nothing, while Name (set after it) still arrives
      const codes = Buffer.alloc(2, 0x7f);
      assert.equal(ffi.UnSubscribeChannelParams(h, l.port16, 2, 1, 'V0Set:Nope', 2, codes), RC.OK);
      assert.deepEqual([...codes], [0, RC.PARAMNOTFOUND]);
      const before = item(l.records(), 2, 1, 'V0Set').length;
      run(setV0, 2, 1, 999);
      run(setName, 2, 1, 'AGAIN');
      await l.until('the second name', () => last(l.records(), 2, 1, 'Name')?.string === 'AGAIN');
      assert.equal(item(l.records(), 2, 1, 'V0Set').length, before, 'no V0Set event after unsubscribe');
    } finally {
      ffi.DeinitSystem(h);
      await l.stop();
    }
  });

  test('keepalives when idle (type 2, "KeepAlive", indexes -1, the handle); none when stopped; counters count what was sent', async () => {
    const l = await new Listener().started();
    const h = login(ffi, sim.address);
    try {
      await sim.control.eventFaults({ eventKeepaliveMs: 150 });
      assert.deepEqual(subscribeCh(h, l.port16, 2, 2, ['V0Set']).codes, [0]);
      const keepalives = () => l.records().filter((e) => e.type === EventType.KEEPALIVE);
      await l.until('three keepalives', () => keepalives().length >= 3);
      for (const k of keepalives()) assert.deepEqual([k.item, k.board, k.channel, k.systemHandle], ['KeepAlive', -1, -1, h]);

      await sim.control.eventFaults({ eventKeepalives: false });
      // one keepalive may have been on its way when the fault was set
      const stoppedAt = keepalives().length + 1;
      run(setV0, 2, 2, 801); // takes longer than several keepalive periods
      run(setV0, 2, 2, 802);
      await l.until('V0Set 802', () => last(l.records(), 2, 2, 'V0Set')?.float === 802);
      assert.ok(keepalives().length <= stoppedAt, 'no keepalives while they are stopped');
      const ev = await sessionEvents(h);
      assert.equal(ev?.keepalive, keepalives().length, 'the crate counted the keepalives the client received');
      assert.equal(ev?.parameter, l.records().filter((e) => e.type === EventType.PARAMETER).length);
      assert.equal(ev?.open, true);
      await sim.control.eventFaults({ eventKeepalives: true });
      const resumed = keepalives().length;
      await l.until('keepalives again', () => keepalives().length > resumed);
    } finally {
      await sim.control.eventFaults({ eventKeepaliveMs: 5000, eventKeepalives: true });
      ffi.DeinitSystem(h);
      await l.stop();
    }
  });

  test('after logout GetEventData answers READERR (3), leaves its outputs untouched and does not close the socket', async () => {
    const l = await new Listener().started();
    const h = login(ffi, sim.address);
    assert.deepEqual(subscribeCh(h, l.port16, 2, 3, ['V0Set']).codes, [0]);
    await l.until('the current value', () => last(l.records(), 2, 3, 'V0Set'));
    assert.equal(ffi.DeinitSystem(h), RC.OK);
    const end = await l.until('the end', () => l.end);
    assert.deepEqual(end, { kind: 'end', rc: READERR, outputsUntouched: true, socketStillOpen: true });
    await l.stop();
  });

  test('crate down: the event connection closes at once (READERR) without any command call', async () => {
    const l = await new Listener().started();
    const h = login(ffi, sim.address);
    try {
      assert.deepEqual(subscribeCh(h, l.port16, 2, 3, ['Pw']).codes, [0]);
      await l.until('the current value', () => last(l.records(), 2, 3, 'Pw'));
      await sim.control.crateDown();
      const end = await l.until('the end', () => l.end);
      assert.equal(end.rc, READERR);
      assert.equal(end.outputsUntouched, true);
    } finally {
      await sim.control.crateUp();
      ffi.DeinitSystem(h);
      await l.stop();
    }
  });

  test('faults: a dropped event connection (the session stays), lost and delayed events; a new subscription reconnects', async () => {
    const l = await new Listener().started();
    const h = login(ffi, sim.address);
    try {
      assert.deepEqual(subscribeCh(h, l.port16, 5, 0, ['V0Set', 'Name']).codes, [0, 0]);
      await l.until('the current values', () => last(l.records(), 5, 0, 'Name'));

      await sim.control.eventFaults({ loseEvents: 1 });
      await sim.control.setChannel(5, 0, 'V0Set', 111);
      await sim.control.setChannel(5, 0, 'name', 'AFTERLOSS');
      await l.until('the name after the lost event', () => last(l.records(), 5, 0, 'Name')?.string === 'AFTERLOSS');
      assert.equal(item(l.records(), 5, 0, 'V0Set').some((e) => e.float === 111), false, 'the lost event never arrives');
      assert.equal((await sessionEvents(h))?.lost, 1);

      await sim.control.eventFaults({ eventDelayMs: 300 });
      const setAt = Date.now();
      await sim.control.setChannel(5, 0, 'V0Set', 222);
      const delayed = await l.until('the delayed event', () => l.batches.find((b) => b.records.some((e) => e.item === 'V0Set' && e.float === 222)));
      assert.ok(delayed.atMs - setAt >= 290, `arrived ${delayed.atMs - setAt} ms after the set`);
      await sim.control.eventFaults({ eventDelayMs: 0 });

      assert.equal(await sim.control.dropEventConnections(), 1);
      const end = await l.until('the end', () => l.end);
      assert.equal(end.rc, READERR);
      assert.equal(getFloats(ffi, h, 5, 'V0Set', [0])[0], 222, 'the session itself still works');

      const l2 = await new Listener().started();
      try {
        assert.deepEqual(subscribeCh(h, l2.port16, 5, 1, ['V0Set']).codes, [0]);
        await l2.until('all current values again', () => last(l2.records(), 5, 0, 'V0Set')?.float === 222 && last(l2.records(), 5, 1, 'V0Set'));
        assert.equal((await sessionEvents(h))?.connections, 2);
      } finally {
        ffi.DeinitSystem(h);
        await l2.stop();
      }
    } finally {
      await sim.control.eventFaults({ loseEvents: 0, eventDelayMs: 0 });
      ffi.DeinitSystem(h);
      await l.stop();
    }
  });

  test('whole-call refusals: empty slot 7, channel out of range 26, bad handle 26; SY1527 has no event mode (27)', () => {
    const h = login(ffi, sim.address);
    try {
      assert.equal(subscribeCh(h, 4000, 3, 0, ['V0Set']).rc, RC.SLOTNOTPRES);
      assert.equal(subscribeCh(h, 4000, 2, 99, ['V0Set']).rc, RC.INVALIDPARAMETER);
      assert.equal(subscribeCh(101, 4000, 2, 0, ['V0Set']).rc, RC.INVALIDPARAMETER);
      const codes = Buffer.alloc(1, 0x7f);
      assert.equal(ffi.SubscribeSystemParams(legacyHandle, 4000, 'ModelName', 1, codes), FUNCTIONNOTAVAILABLE);
      assert.equal(ffi.SubscribeChannelParams(legacyHandle, 4000, 1, 0, 'V0Set', 1, codes), FUNCTIONNOTAVAILABLE);
      assert.equal(codes[0], 0x7f, 'result codes untouched when the call fails');
      assert.match(ffi.GetError(legacyHandle), /SY1527/);
    } finally {
      ffi.DeinitSystem(h);
    }
  });
});
