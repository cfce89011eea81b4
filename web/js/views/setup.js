// One setup: the channel grid (name, VMon, IMon, V0Set, I0Set, Pw, RUp/RDWn, Status in words with
// colours, ramping with its progress toward V0Set, age), the board's Temp and status, and set points.
import { clear, h } from '../dom.js';
import { ageSpan, isStale, num, statusWords } from '../format.js';
import { store } from '../store.js';
import { canChange, setPanel } from './setpanel.js';

const COLUMNS = [
  ['VMon', 'VMon V', 1], ['IMon', 'IMon µA', 3], ['V0Set', 'V0Set V', 1], ['I0Set', 'I0Set µA', 2], ['RUp', 'RUp V/s', 0], ['RDWn', 'RDWn V/s', 0],
];

export function setupView(name) {
  const selected = new Set();
  // the checkboxes survive redraws (a click that spans a redraw still lands)
  const boxes = new Map();
  const box = (key, make) => {
    if (!boxes.has(key)) boxes.set(key, make());
    return boxes.get(key);
  };
  const head = h('div', { class: 'setup-head' });
  const tableBox = h('div', { class: 'table-box' });
  const setup = store.setup(name);
  const params = ['V0Set', 'I0Set', 'RUp', 'RDWn', 'Pw'].filter((p) => canChange(name, p));
  const panel = params.length ? setPanel(name, () => [...selected].sort((a, b) => a - b), params) : null;
  const el = h('section', { class: 'setup', dataset: { setup: name } }, head, tableBox, panel?.el ?? readOnlyNote(name));

  const update = () => {
    const s = store.setup(name);
    clear(head);
    if (!s) {
      head.append(h('h1', {}, name), h('p', { class: 'error' }, 'This setup is not logged by the daemon.'));
      return;
    }
    const crate = store.snap.crates.find((c) => c.id === s.mainframe);
    const board = s.board?.values ?? {};
    const bd = statusWords(board.BdStatus, store.snap.statusBits?.board);
    head.append(
      h('h1', {}, name, ' ', h('span', { class: 'meta' }, `${s.mainframe} slot ${s.slot}${s.isGEM ? ` · GEM layer ${s.layer}` : ''}`)),
      h('p', { class: 'meta' },
        h('span', { class: `pill ${crate?.state === 'connected' ? 'ok' : 'bad'}` }, crate?.state ?? '?'),
        ' last scan ', ageSpan(s.lastScanMs, s.holdOffSeconds, { id: 'scan-age' }), ' ago',
        ` · every ${s.holdOffSeconds} s`,
        board.Temp !== undefined ? h('span', { class: 'board' }, ` · board ${num(board.Temp)} °C`) : null,
        board.BdStatus !== undefined ? h('span', { class: 'board' }, ' · board status ', bd.length ? bd.map((w) => h('span', { class: 'word alarm' }, w.name)) : h('span', { class: 'word ok' }, 'OK')) : null,
        s.board ? h('span', {}, ' (', ageSpan(s.board.timeMs, s.holdOffSeconds), ')') : null,
        s.paused ? h('span', { class: 'pill bad' }, `paused: ${s.reason ?? ''}`) : null),
    );
    const readings = store.readings(name);
    const allBox = box('all', () => h('input', { type: 'checkbox', 'aria-label': 'all channels', onchange: (e) => {
      for (const r of store.readings(name)) e.target.checked ? selected.add(r.channel) : selected.delete(r.channel);
      update();
    } }));
    allBox.checked = readings.length > 0 && readings.every((r) => selected.has(r.channel));
    const table = h('table', { class: 'grid', id: 'grid' },
      h('thead', {}, h('tr', {}, panel ? h('th', {}, allBox) : null, h('th', {}, 'ch'), h('th', {}, 'name'), COLUMNS.map(([, label]) => h('th', { class: 'num' }, label)), h('th', {}, 'Pw'), h('th', {}, 'status'), h('th', {}, 'age'))),
      h('tbody', {}, readings.map((r) => row(r, s, selected, panel ? update : null, box))));
    clear(tableBox).append(table);
    panel?.update();
  };
  return { el, update };
}

function row(r, s, selected, onSelect, box) {
  const v = r.values;
  const words = statusWords(v.Status, store.snap.statusBits?.channel);
  const stale = isStale(r.timeMs, s.holdOffSeconds);
  const ramping = words.find((w) => w.name === 'RUP' || w.name === 'RDW');
  const alarm = words.some((w) => w.alarm);
  let progress = null;
  if (ramping && v.V0Set !== undefined && v.VMon !== undefined) {
    const target = ramping.name === 'RUP' ? v.V0Set : v.Pw === 0 ? 0 : v.V0Set;
    const frac = ramping.name === 'RUP' ? (target > 0 ? v.VMon / target : 1) : (v.VMon > 0 ? Math.min(1, target / v.VMon) : 1);
    const bar = h('span', { class: 'fill on' });
    bar.style.width = `${Math.max(0, Math.min(100, frac * 100))}%`;
    progress = h('span', { class: 'ramp', title: `${ramping.name} toward ${num(target)} V` }, h('span', { class: 'bar small' }, bar), ` ${Math.round(Math.max(0, Math.min(1, frac)) * 100)}%`);
  }
  const cls = [stale ? 'stale' : '', alarm ? 'alarm' : '', v.Pw === 1 ? 'on' : 'off'].join(' ');
  return h('tr', { class: cls, dataset: { channel: r.channel } },
    onSelect ? h('td', {}, pick(r.channel, selected, onSelect, box)) : null,
    h('td', { class: 'num' }, r.channel),
    h('td', { class: 'name' }, r.name),
    COLUMNS.map(([p, , d]) => h('td', { class: `num ${p}`, dataset: { param: p } }, num(v[p], d))),
    h('td', { class: 'Pw', dataset: { param: 'Pw' } }, v.Pw === undefined ? '–' : v.Pw === 1 ? h('span', { class: 'word on' }, 'On') : h('span', { class: 'word off' }, 'Off')),
    h('td', { class: 'status' }, words.length ? words.map((w) => h('span', { class: `word ${w.alarm ? 'alarm' : w.name === 'ON' ? 'on' : 'ramp'}` }, w.name)) : h('span', { class: 'word off' }, 'OFF'), progress),
    h('td', {}, ageSpan(r.timeMs, s.holdOffSeconds, { 'data-row': '' })),
  );
}

function pick(channel, selected, onSelect, box) {
  const el = box(`ch${channel}`, () => h('input', { type: 'checkbox', class: 'pick', 'aria-label': `channel ${channel}`, onchange: (e) => {
    e.target.checked ? selected.add(channel) : selected.delete(channel);
    onSelect();
  } }));
  el.checked = selected.has(channel);
  return el;
}

function readOnlyNote(name) {
  const why = !store.me ? (store.usersConfigured ? 'sign in to change set points' : 'no users are configured: this page only shows')
    : store.me.role === 'viewer' ? 'your role (viewer) only reads'
    : store.snap.settings.readOnly ? 'this daemon offers no control requests'
    : `you may not change setup ${name}`;
  return h('p', { class: 'meta read-only-note' }, `Set points: ${why}.`);
}
