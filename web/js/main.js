// The page: header (views, connection state, user), a hash router, and the views. Everything comes
// from the daemon's event stream; set points and acknowledgements go through the JSON API.
import { api } from './api.js';
import { tickAges } from './format.js';
import { clear, h } from './dom.js';
import { startStream } from './stream.js';
import { gemBoards, store } from './store.js';
import { overview } from './views/overview.js';
import { setupView } from './views/setup.js';
import { gemView } from './views/gem.js';
import { historyView } from './views/history.js';
import { alarmsView } from './views/alarms.js';
import { auditView } from './views/audit.js';
import { loginView } from './views/login.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const conn = document.getElementById('conn');
const who = document.getElementById('who');
const banner = document.getElementById('banner');

const CONN_TEXT = { connecting: 'connecting…', live: 'live', lost: 'connection lost: reconnecting…', closed: 'disconnected' };

/** The current route: ['overview'] | ['setup', name] | ['gem', mainframe, slot] | ['history'] | ['alarms'] | ['audit']. */
function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent).filter(Boolean);
  return parts.length ? parts : ['overview'];
}

let mounted = null; // { key, view }

function renderHeader() {
  conn.textContent = CONN_TEXT[store.conn] ?? store.conn;
  conn.className = `conn conn-${store.conn}`;
  document.body.classList.toggle('offline', store.conn !== 'live');
  banner.hidden = store.conn === 'live' || !store.snap;
  if (!banner.hidden) banner.textContent = 'The connection to the daemon is lost: values below are not updated. Reconnecting…';
  clear(who);
  if (store.me) {
    who.append(h('span', { class: 'user', 'data-role': store.me.role }, `${store.me.name} (${store.me.role})`), ' ',
      h('button', { class: 'link', onclick: logout }, 'sign out'));
  } else if (store.usersConfigured) {
    who.append(h('span', { class: 'muted' }, 'not signed in'));
  } else {
    who.append(h('span', { class: 'muted', title: 'no users are configured: nothing can be changed from this page' }, 'read-only'));
  }
  const r = route();
  const active = activeAlarms();
  clear(nav);
  const link = (href, text, on, extra) => h('a', { href, class: on ? 'on' : '' }, text, extra);
  nav.append(link('#/overview', 'Overview', r[0] === 'overview'));
  for (const s of store.snap?.setups ?? []) {
    nav.append(link(`#/setup/${encodeURIComponent(s.name)}`, s.name, r[0] === 'setup' && r[1] === s.name));
  }
  for (const g of gemBoards()) nav.append(link(`#/gem/${encodeURIComponent(g.mainframe)}/${g.slot}`, `GEM ${g.label}`, r[0] === 'gem' && r[1] === g.mainframe && r[2] === String(g.slot)));
  nav.append(link('#/history', 'History', r[0] === 'history'));
  nav.append(link('#/alarms', 'Alarms', r[0] === 'alarms', active > 0 ? h('span', { class: 'badge alarm', id: 'alarm-count' }, String(active)) : null));
  nav.append(link('#/audit', 'Audit', r[0] === 'audit'));
}

export function activeAlarms() {
  return (store.snap?.alarms ?? []).filter((a) => a.active).length;
}

function render() {
  renderHeader();
  if (store.usersConfigured && !store.me) {
    if (mounted?.key !== 'login') {
      mounted = { key: 'login', view: loginView(signedIn) };
      clear(main).append(mounted.view.el);
    }
    return;
  }
  if (!store.snap) return;
  const r = route();
  const key = r.join('/');
  if (mounted?.key !== key) {
    mounted?.view.destroy?.();
    const view = makeView(r);
    mounted = { key, view };
    clear(main).append(view.el);
  }
  mounted.view.update?.();
}

function makeView(r) {
  switch (r[0]) {
    case 'setup': return setupView(r[1]);
    case 'gem': return gemView(r[1], Number(r[2]));
    case 'history': return historyView(r.slice(1));
    case 'alarms': return alarmsView();
    case 'audit': return auditView();
    default: return overview();
  }
}

async function signedIn(user) {
  store.me = user;
  mounted = null;
  startStream();
  store.changed();
}

async function logout() {
  await api('/api/logout', {}).catch(() => {});
  location.reload();
}

async function boot() {
  store.subscribe(render);
  window.addEventListener('hashchange', () => store.changed());
  // ages tick on their own
  setInterval(() => tickAges(), 1000);
  try {
    const me = await api('/api/me');
    store.me = me.user;
    store.usersConfigured = me.usersConfigured;
  } catch (err) {
    store.setConn('lost');
  }
  if (!store.usersConfigured || store.me) startStream();
  store.changed();
}

// for tests and the curious: the state this tab holds
window.gemcaen = { store };
boot();
