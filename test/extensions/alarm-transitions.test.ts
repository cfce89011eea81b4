// The alarm rules on the state's events, without a crate: one transition per change of alarm bits
// (a new bit raises again, a bit going while others stay is no transition), boards by BdStatus,
// crates lost and found, acknowledgement, bits the config adds or leaves out; the bus keeps
// calling the other listeners when one throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Alarms } from '../../src/alarms/alarms.js';
import { DaemonEvents } from '../../src/events/bus.js';
import type { AlarmEvent, StatusChangeEvent } from '../../src/events/types.js';
import { DaemonState } from '../../src/supervisor/state.js';
import { captureLogger } from '../helpers/capture-log.js';
import { scanOf } from '../helpers/scan-table.js';

const ON = 1;
const OVC = 1 << 3;
const UNV = 1 << 5;
const MAXV = 1 << 7;
const INTTRIP = 1 << 9;

function setup(channelBits = ['OVC', 'OVV', 'UNV', 'EXTTRIP', 'EXTDIS', 'INTTRIP']) {
  const state = new DaemonState();
  state.phase = 'running';
  state.crates.set('mf', { id: 'mf', address: 'mf', systemType: 'SY4527', state: 'starting', sinceMs: 0, setups: ['A'], restarts: 0 });
  state.setups.set('A', { name: 'A', mainframe: 'mf', sink: 'k', holdOffSeconds: 1, paused: false, scans: 0 });
  const { log, lines } = captureLogger('debug');
  const alarms = new Alarms(state, { channelBits, boardBits: ['OVERTEMP', 'POWERFAIL'] }, log);
  const events: AlarmEvent[] = [];
  const changes: StatusChangeEvent[] = [];
  state.events.on('alarm', (e) => events.push(e));
  state.events.on('status-change', (e) => changes.push(e));
  let t = 1000;
  const scan = (status: number, board?: number) =>
    state.recordScan('A', (t += 1000), 1, 2, 3, ...scanOf([{ slot: 4, channel: 7, name: 'HV7', values: { VMon: 1, Status: status } }], board === undefined ? {} : { BdStatus: board }));
  return { state, alarms, events, changes, lines, scan };
}

test('a channel: raised once, again when a new bit joins, cleared once; health lists it meanwhile', () => {
  const { state, events, changes, lines, scan } = setup();
  state.setCrateState('mf', { state: 'connected', sinceMs: 1 });
  scan(ON);
  scan(ON);
  assert.equal(changes.length, 1, 'a status-change on the first scan only');
  scan(ON | OVC);
  scan(ON | OVC);
  assert.deepEqual(events.map((e) => [e.action, e.bits.join(' '), e.severity]), [['raised', 'OVC', 'warning']]);
  assert.deepEqual(changes.at(-1)!.set, ['OVC']);
  const alarmProblems = () => state.report().problems.filter((p) => p.startsWith('alarm: '));
  assert.equal(alarmProblems().length, 1);
  assert.match(alarmProblems()[0]!, /HV7.*OVC/);
  scan(INTTRIP | OVC); // the trip joins: raised again, now an error
  scan(INTTRIP); // OVC goes, INTTRIP stays: no transition
  assert.deepEqual(events.map((e) => [e.action, e.bits.join(' '), e.severity]), [['raised', 'OVC', 'warning'], ['raised', 'OVC INTTRIP', 'error']]);
  assert.deepEqual(state.report().alarms.map((a) => a.bits), [['INTTRIP']]);
  assert.deepEqual(changes.at(-1)!.cleared, ['OVC']);
  scan(ON);
  scan(ON);
  assert.deepEqual(events.map((e) => e.action), ['raised', 'raised', 'cleared']);
  assert.equal(state.alarms.size, 0);
  assert.deepEqual(alarmProblems(), []);
  const alarmLines = lines.filter((l) => l.level !== 'debug');
  assert.deepEqual(alarmLines.map((l) => l.level), ['warn', 'error', 'info']);
  assert.equal(events[0]!.id, 'channel:mf/4/7');
  assert.equal(events[0]!.name, 'HV7');
});

test('ChannelBits decides: a bit left out is no alarm, a bit added is', () => {
  const { events, scan } = setup(['INTTRIP', 'MAXV']);
  scan(ON | UNV);
  assert.equal(events.length, 0);
  scan(ON | UNV | MAXV);
  assert.deepEqual(events.map((e) => e.bits), [['MAXV']]);
});

test('a board alarm from BdStatus; a crate lost and found; acknowledgement', () => {
  const { state, alarms, events, scan } = setup();
  scan(ON, 0);
  scan(ON, 1 << 5); // OVERTEMP
  assert.deepEqual(events.map((e) => [e.source, e.action, e.bits.join()]), [['board', 'raised', 'OVERTEMP']]);
  assert.equal(events[0]!.id, 'board:mf/4');
  scan(ON, 0);
  assert.deepEqual(events.map((e) => e.action), ['raised', 'cleared']);

  state.setCrateState('mf', { state: 'connected', sinceMs: 1 });
  assert.equal(events.length, 2, 'connecting is no alarm');
  state.setCrateState('mf', { state: 'backoff', sinceMs: 2, detail: 'timeout' });
  state.setCrateState('mf', { state: 'connecting', sinceMs: 3 });
  state.setCrateState('mf', { state: 'backoff', sinceMs: 4 });
  assert.deepEqual(events.slice(2).map((e) => [e.source, e.action]), [['crate', 'raised']], 'one alarm while the crate stays lost');
  assert.match(events[2]!.text, /crate mf lost: backoff \(timeout\)/);
  // the crate is a problem of its own in health, not twice
  assert.equal(state.report().problems.filter((p) => p.includes('mf')).length, 1);

  assert.equal(alarms.acknowledge('crate:mf', 'shifter'), true);
  assert.equal(alarms.acknowledge('crate:mf', 'shifter'), true, 'twice is fine');
  assert.equal(alarms.acknowledge('nope', 'shifter'), false);
  assert.deepEqual(state.alarms.get('crate:mf')!.acknowledged?.who, 'shifter');
  assert.deepEqual(events.slice(3).map((e) => e.action), ['acknowledged']);
  state.setCrateState('mf', { state: 'connected', sinceMs: 5 });
  assert.deepEqual(events.slice(4).map((e) => [e.source, e.action]), [['crate', 'cleared']]);

  state.phase = 'stopping';
  state.setCrateState('mf', { state: 'stopped', sinceMs: 6 });
  assert.equal(events.length, 5, 'stopping is no alarm');
});

test('the bus: a listener that throws is reported and the others still run', () => {
  const errors: string[] = [];
  const bus = new DaemonEvents((type, err) => errors.push(`${type}: ${(err as Error).message}`));
  const got: number[] = [];
  const fn = () => got.push(2);
  bus.on('sink-state', () => {
    throw new Error('boom');
  });
  bus.on('sink-state', fn);
  bus.emit('sink-state', { sink: 'k', before: 'ok', after: 'failing', timeMs: 1 });
  assert.deepEqual(got, [2]);
  assert.deepEqual(errors, ['sink-state: boom']);
  bus.off('sink-state', fn);
  assert.equal(bus.listenerCount('sink-state'), 1);
});
