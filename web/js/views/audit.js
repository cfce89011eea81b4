// The audit log: every set made through the daemon (by whom, from where, before → after, result)
// and every change seen at the crate that no request of ours made.
import { clear, h } from '../dom.js';
import { dateTime } from '../format.js';
import { store } from '../store.js';

export function auditView() {
  const box = h('div', { class: 'table-box' });
  const el = h('section', { class: 'audit' }, h('h1', {}, 'Audit'), box);
  const update = () => {
    const lines = store.snap.audit;
    clear(box).append(lines.length === 0 ? h('p', { class: 'muted' }, 'No set point changed since the daemon started.') : h('table', { class: 'list', id: 'audit' },
      h('thead', {}, h('tr', {}, h('th', {}, 'time'), h('th', {}, 'who'), h('th', {}, 'where'), h('th', {}, 'change'), h('th', {}, 'result'))),
      h('tbody', {}, lines.map((a) => h('tr', { class: a.code === 'OK' ? '' : 'bad' },
        h('td', {}, dateTime(a.timeMs)),
        h('td', { class: 'who' }, a.external ? h('em', {}, 'at the crate') : a.who, a.from && !a.external ? h('span', { class: 'meta' }, ` (${a.from})`) : null),
        h('td', {}, [a.setup, a.channel !== undefined ? `ch ${a.channel}` : null].filter(Boolean).join(' · ')),
        h('td', {}, `${a.param} `, fmt(a.before), ' → ', fmt(a.after)),
        h('td', { class: 'code' }, a.code))))));
  };
  return { el, update };
}

function fmt(v) {
  return v === undefined || v === null ? '?' : typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v);
}
