// One event stream per browser, however many tabs: the tab holding the Web Lock "gemcaen-stream"
// opens the EventSource and repeats every event on a BroadcastChannel; the other tabs listen there
// and ask the leader for the current state when they open. When the leader tab closes, another tab
// takes the lock and opens the stream where the leader left off (lastEventId), so nothing is missed.
import { store } from './store.js';

const channel = 'BroadcastChannel' in self ? new BroadcastChannel('gemcaen-stream') : null;
let source = null;
let leader = false;
let lastId = null;

function deliver(type, data, id) {
  if (id) lastId = id;
  store.lastEventId = lastId;
  store.apply(type, data);
}

function setConn(state) {
  store.setConn(state);
  if (leader) channel?.postMessage({ kind: 'conn', state });
}

function open() {
  const url = lastId ? `/api/stream?lastEventId=${encodeURIComponent(lastId)}` : '/api/stream';
  source = new EventSource(url);
  source.onopen = () => setConn('live');
  source.onerror = () => {
    // the browser reconnects by itself (sending Last-Event-ID); until then the page says so
    setConn(source.readyState === EventSource.CLOSED ? 'closed' : 'lost');
    if (source.readyState === EventSource.CLOSED) setTimeout(() => { if (leader) open(); }, 2000);
  };
  for (const type of ['snapshot', 'scan', 'crate', 'setup', 'alarm', 'audit', 'ping', 'resumed']) {
    source.addEventListener(type, (e) => {
      const data = JSON.parse(e.data);
      if (type === 'resumed') {
        store.resumes = (store.resumes ?? 0) + 1;
        return;
      }
      deliver(type, data, e.lastEventId || null);
      channel?.postMessage({ kind: 'event', type, data, id: e.lastEventId || null });
      if (type === 'snapshot' || type === 'ping') setConn('live');
    });
  }
}

function becomeLeader() {
  leader = true;
  store.leader = true;
  open();
}

export function startStream() {
  if (channel) {
    channel.onmessage = (m) => {
      const d = m.data;
      if (leader) {
        if (d.kind === 'hello' && store.snap) {
          channel.postMessage({ kind: 'event', type: 'snapshot', data: { ...store.snap, serverTimeMs: store.serverNow() }, id: lastId });
          channel.postMessage({ kind: 'conn', state: store.conn });
        }
        return;
      }
      if (d.kind === 'event') deliver(d.type, d.data, d.id);
      else if (d.kind === 'conn') store.setConn(d.state);
    };
  }
  if (navigator.locks && channel) {
    // the callback's promise never settles: the lock is held until this tab goes away
    navigator.locks.request('gemcaen-stream', () => new Promise(() => becomeLeader()));
    setTimeout(() => { if (!leader) channel.postMessage({ kind: 'hello' }); }, 0);
    // a follower that hears nothing is told so (the leader tab may be frozen)
    setTimeout(() => { if (!leader && !store.snap) channel.postMessage({ kind: 'hello' }); }, 1500);
  } else {
    becomeLeader();
  }
}

export function stopStream() {
  source?.close();
  source = null;
}
