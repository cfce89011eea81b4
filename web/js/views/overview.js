// Overview: every mainframe and its setups: connection state, last scan age, active alarms, and a
// bar per channel of VMon against V0Set.
import { clear, h } from '../dom.js';
import { ageSpan, isStale, num, statusWords } from '../format.js';
import { store } from '../store.js';

export function overview() {
  const el = h('section', { class: 'overview' });
  const update = () => {
    const snap = store.snap;
    clear(el);
    el.append(h('h1', {}, 'Overview'));
    const grid = h('div', { class: 'cards' });
    for (const c of snap.crates) grid.append(crateCard(c));
    el.append(grid);
  };
  return { el, update };
}

function crateCard(c) {
  const alarms = store.snap.alarms.filter((a) => a.active && a.mainframe === c.id);
  const connected = c.state === 'connected';
  const card = h('article', { class: `card crate ${connected ? '' : 'bad'}`, dataset: { mainframe: c.id } },
    h('header', {},
      h('h2', {}, `${c.systemType} ${c.address}`),
      h('span', { class: `pill ${connected ? 'ok' : 'bad'}`, title: c.detail ?? '' }, c.state),
    ),
    h('p', { class: 'meta' },
      'last scan ', ageSpan(c.lastScanMs, maxHoldOff(c)), ' ago',
      ' · ', alarms.length ? h('a', { href: '#/alarms', class: 'alarm-text' }, `${alarms.length} active alarm${alarms.length > 1 ? 's' : ''}`) : 'no alarms',
      c.detail && !connected ? h('span', { class: 'detail' }, ` · ${c.detail}`) : null),
  );
  for (const name of c.setups) {
    const s = store.setup(name);
    if (s) card.append(setupBlock(s));
  }
  return card;
}

function maxHoldOff(c) {
  return Math.max(1, ...c.setups.map((n) => store.setup(n)?.holdOffSeconds ?? 1));
}

function setupBlock(s) {
  const readings = store.readings(s.name);
  const stale = isStale(s.lastScanMs, s.holdOffSeconds);
  const bars = h('div', { class: 'bars' });
  for (const r of readings) {
    const v = r.values.VMon;
    const set = r.values.V0Set;
    const on = statusWords(r.values.Status, store.snap.statusBits?.channel).some((w) => w.name === 'ON') || r.values.Pw === 1;
    const alarm = statusWords(r.values.Status, store.snap.statusBits?.channel).some((w) => w.alarm);
    const frac = set > 0 && v !== undefined ? Math.max(0, Math.min(1.1, v / set)) : 0;
    const fill = h('span', { class: `fill ${alarm ? 'alarm' : on ? 'on' : 'off'}` });
    fill.style.width = `${Math.min(100, frac * 100)}%`;
    bars.append(h('div', { class: `bar-row ${alarm ? 'alarm' : ''}`, title: `${r.name}: VMon ${num(v)} V of V0Set ${num(set)} V` },
      h('span', { class: 'bar-name' }, r.name || `ch ${r.channel}`),
      h('span', { class: 'bar' }, fill),
      h('span', { class: 'bar-value' }, `${num(v, 0)} / ${num(set, 0)} V`)));
  }
  return h('div', { class: `setup-block ${stale ? 'stale' : ''}`, dataset: { setup: s.name } },
    h('h3', {}, h('a', { href: `#/setup/${encodeURIComponent(s.name)}` }, s.name),
      h('span', { class: 'meta' }, ` slot ${s.slot}${s.isGEM ? ` · GEM layer ${s.layer}` : ''} · every ${s.holdOffSeconds} s · `,
        'read ', ageSpan(s.lastScanMs, s.holdOffSeconds), ' ago'),
      s.paused ? h('span', { class: 'pill bad' }, `paused: ${s.reason ?? ''}`) : null),
    bars);
}
