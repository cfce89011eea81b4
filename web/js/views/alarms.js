// Alarms: active first, then recent (cleared); operators acknowledge active ones.
import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { ageSpan, dateTime } from '../format.js';
import { store } from '../store.js';

export function alarmsView() {
  const list = h('div');
  const message = h('p', { class: 'error', role: 'alert' });
  const el = h('section', { class: 'alarms' }, h('h1', {}, 'Alarms'), message, list);
  const update = () => {
    const alarms = store.snap.alarms;
    const active = alarms.filter((a) => a.active);
    const recent = alarms.filter((a) => !a.active);
    clear(list).append(
      h('h2', {}, `Active (${active.length})`),
      active.length ? table(active, true) : h('p', { class: 'muted' }, 'No active alarm.'),
      h('h2', {}, 'Recent'),
      recent.length ? table(recent, false) : h('p', { class: 'muted' }, 'None since the daemon started.'),
    );
  };
  const mayAck = (a) => store.me && store.me.role !== 'viewer' && (!store.me.setups || !a.setup || store.me.setups.includes(a.setup));
  const ackButton = (a) => h('button', { class: 'ack', onclick: async () => {
    message.textContent = '';
    try {
      await api(`/api/alarms/${encodeURIComponent(a.id)}/ack`, {});
    } catch (err) {
      message.textContent = `${err.code}: ${err.message}`;
    }
  } }, 'Acknowledge');
  const where = (a) => [a.setup, a.channel !== undefined ? `ch ${a.channel}` : null, a.name].filter((x) => x !== undefined && x !== null).join(' · ') || a.mainframe;
  const row = (a, active) => h('tr', { class: `sev-${a.severity} ${a.acknowledged ? 'acked' : ''}`, dataset: { id: a.id } },
    h('td', {}, dateTime(a.timeMs), h('div', { class: 'meta' }, ageSpan(a.timeMs, 1e9))),
    h('td', {}, h('span', { class: `pill ${a.severity === 'error' ? 'bad' : 'warn'}` }, a.severity)),
    h('td', {}, where(a)),
    h('td', {}, a.text, a.bits?.length ? h('div', {}, a.bits.map((b) => h('span', { class: 'word alarm' }, b))) : null),
    h('td', {}, a.acknowledged ? `acknowledged${a.acknowledgedBy ? ` by ${a.acknowledgedBy}` : ''}` : active && mayAck(a) ? ackButton(a) : ''));
  const table = (rows, active) => h('div', { class: 'table-box' },
    h('table', { class: 'list', id: active ? 'alarms-active' : 'alarms-recent' },
      h('thead', {}, h('tr', {}, h('th', {}, 'since'), h('th', {}, 'severity'), h('th', {}, 'where'), h('th', {}, 'what'), h('th', {}, ''))),
      h('tbody', {}, rows.map((a) => row(a, active)))));
  return { el, update };
}
