// EventFeed's reconcile against a scripted crate: a change that a full poll reads while its event is still
// on the socket (or arrives during the poll) is not a difference and never replaced by an older value; a
// value the events never told is counted and corrected. The bench (part 8) found the first case counted
// as a difference under load: a false alarm about lost events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MainframeWire } from '../../src/protocol.js';
import type { SetupConfig } from '../../src/config/types.js';
import { EventFeed, type EventLike, type EventSession, type EventSockets } from '../../src/poll/event-feed.js';
import type { SetupPlan } from '../../src/poll/plan.js';
import type { SetupReading } from '../../src/poll/points.js';

const CFG: NonNullable<MainframeWire['events']> = { listenHost: '127.0.0.1', ports: [0, 0], keepaliveLimitSeconds: 30, reconcileSeconds: 60, retrySeconds: 300 };
const FD = 7;

/** A crate whose event batches wait in `queue` until the feed reads them. */
function scripted(): { session: EventSession; sockets: EventSockets; queue: EventLike[][] } {
  const queue: EventLike[][] = [];
  const session = {
    deinit: () => undefined,
    crateMap: () => [],
    boardPresence: () => null,
    paramMeta: (_slot: number, param: string) => ({ type: 0, mode: param === 'VMon' ? 'RDONLY' : 'RDWR' }),
    readChParam: () => [],
    channelNames: () => [],
    readBdParam: () => [],
    sysPropList: () => [],
    subscribeChannelParams: (_p: number, _s: number, _c: number, names: readonly string[]) => names.map(() => 0),
    subscribeBoardParams: (_p: number, _s: number, names: readonly string[]) => names.map(() => 0),
    readEvents: () => ({ events: queue.shift() ?? [] }),
  } satisfies EventSession;
  let accepted = false;
  const sockets: EventSockets = {
    openServer: () => ({ port: 40000, acceptReady: () => (accepted ? null : ((accepted = true), FD)), close: () => undefined }),
    readable: (fd) => fd === FD && queue.length > 0,
    closeFd: () => undefined,
  };
  return { session, sockets, queue };
}

const setup = { name: 'S', slot: 2, channels: [0, 1], monitorables: ['I0Set', 'VMon'] } as unknown as SetupConfig;
const plan: SetupPlan = { setup, model: 'A1535', chParams: [{ name: 'I0Set', kind: 'float' }, { name: 'VMon', kind: 'float' }], bdParams: [] };

function reading(i0: [number, number], vmon: [number, number] = [1500, 1500]): SetupReading {
  return {
    setup,
    mainframe: 'mf',
    model: 'A1535',
    channels: [0, 1],
    names: ['A', 'B'],
    values: new Map([['I0Set', i0], ['VMon', vmon]]),
    kinds: new Map([['I0Set', 'float'], ['VMon', 'float']]),
    board: new Map(),
    timeMs: 0,
  };
}

const set = (ch: number, value: number): EventLike => ({ type: 0, board: 2, channel: ch, item: 'I0Set', value });

function started(): { feed: EventFeed; queue: EventLike[][] } {
  const { session, sockets, queue } = scripted();
  const feed = EventFeed.start(session, CFG, sockets, [{ plan, reading: reading([20, 20]) }], 0);
  feed.pump(0); // accepts the crate's connection
  return { feed, queue };
}

const i0Of = (feed: EventFeed) => feed.reading('S', reading([0, 0]), 1).values.get('I0Set');

test('a change the poll read while its event waited on the socket is not a difference', () => {
  const { feed, queue } = started();
  feed.beginPoll('S');
  queue.push([set(1, 150)]); // the crate sent the event before answering the poll
  assert.equal(feed.reconcile('S', reading([20, 150])), 0);
  assert.deepEqual(i0Of(feed), [20, 150]);
  assert.deepEqual(feed.pump(1), ['S'], 'the event applied by the reconcile is delivered');
});

test('an event newer than what the poll read is kept, not replaced by the poll', () => {
  const { feed, queue } = started();
  feed.beginPoll('S');
  queue.push([set(0, 30)]); // read by the poll
  queue.push([set(0, 31)]); // changed again after the poll read it
  assert.equal(feed.reconcile('S', reading([30, 20])), 0);
  feed.pump(1);
  assert.deepEqual(i0Of(feed), [31, 20]);
});

test('a value the events never told is counted and the poll is taken', () => {
  const { feed } = started();
  feed.beginPoll('S');
  assert.equal(feed.reconcile('S', reading([20, 99], [1400, 1300])), 1, 'I0Set of channel 1 (VMon, measured, is not counted)');
  assert.deepEqual(i0Of(feed), [20, 99]);
  // the next poll starts from the corrected picture
  feed.beginPoll('S');
  assert.equal(feed.reconcile('S', reading([20, 99])), 0);
});
