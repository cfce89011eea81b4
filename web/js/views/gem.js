// A triple-GEM board: both layers side by side, each as its seven electrodes in stack order (drift
// on top, G3Bot/induction at the bottom): VMon (ΔV of the foil for a GxTop channel, of the gap
// otherwise), V0Set, IMon, Ieq per electrode and the stack's total; Ieq is set for a whole layer.
import { clear, h } from '../dom.js';
import { ageSpan, num, statusWords } from '../format.js';
import { gemBoards, store } from '../store.js';
import { canChange, setPanel } from './setpanel.js';

// channel % 7 from the top of the stack down
const STACK = [6, 5, 4, 3, 2, 1, 0];
const ROLE = { 6: 'drift gap', 5: 'GEM1 foil', 4: 'transfer gap 1', 3: 'GEM2 foil', 2: 'transfer gap 2', 1: 'GEM3 foil', 0: 'induction gap' };

export function gemView(mainframe, slot) {
  const head = h('div');
  const layers = h('div', { class: 'layers' });
  const panels = new Map();
  const el = h('section', { class: 'gem' }, head, layers);

  const update = () => {
    const board = gemBoards().find((g) => g.mainframe === mainframe && g.slot === slot);
    clear(head).append(h('h1', {}, `Triple-GEM: ${mainframe} slot ${slot}`));
    if (!board) {
      head.append(h('p', { class: 'error' }, 'No GEM setup on this board.'));
      return;
    }
    for (const s of board.setups) {
      if (!panels.has(s.name) && canChange(s.name, 'Ieq')) panels.set(s.name, setPanel(s.name, () => [], ['Ieq']));
    }
    clear(layers).append(...board.setups.map((s) => layer(s, panels.get(s.name))));
  };
  return { el, update };
}

function layer(s, panel) {
  const readings = new Map(store.readings(s.name).map((r) => [r.channel, r]));
  const resistors = new Map((s.electrodes ?? []).map((e) => [e.channel, e.resistorMOhm]));
  let sumV = 0;
  let sumR = 0;
  let complete = true;
  const rows = STACK.map((k) => {
    const ch = s.channels.find((c) => c % 7 === k);
    const r = readings.get(ch);
    const alias = s.electrodes?.find((e) => e.channel === ch)?.alias ?? '';
    const R = resistors.get(ch);
    const v = r?.values.VMon;
    const ieq = r?.values.Ieq ?? (v !== undefined && R ? v / R : undefined);
    if (v !== undefined && R) {
      sumV += v;
      sumR += R;
    } else complete = false;
    const words = statusWords(r?.values.Status, store.snap.statusBits?.channel);
    const foil = k % 2 === 1;
    return h('tr', { class: `${foil ? 'foil' : 'gap'} ${words.some((w) => w.alarm) ? 'alarm' : ''}`, dataset: { channel: ch } },
      h('td', {}, h('strong', {}, alias), h('div', { class: 'meta' }, ROLE[k])),
      h('td', { class: 'num dv' }, num(v, 1), h('span', { class: 'unit' }, ' V')),
      h('td', { class: 'num' }, num(r?.values.V0Set, 1)),
      h('td', { class: 'num' }, num(r?.values.IMon, 3)),
      h('td', { class: 'num ieq' }, num(ieq, 1)),
      h('td', { class: 'status' }, words.filter((w) => w.name !== 'ON').map((w) => h('span', { class: `word ${w.alarm ? 'alarm' : 'ramp'}` }, w.name)), r?.values.Pw === 0 ? h('span', { class: 'word off' }, 'OFF') : null),
    );
  });
  const first = [...readings.values()][0];
  return h('article', { class: 'card layer', dataset: { setup: s.name } },
    h('header', {}, h('h2', {}, h('a', { href: `#/setup/${encodeURIComponent(s.name)}` }, s.name), ` · layer ${s.layer}`),
      h('span', { class: 'meta' }, 'read ', ageSpan(first?.timeMs, s.holdOffSeconds), ' ago')),
    h('table', { class: 'stack' },
      h('thead', {}, h('tr', {}, h('th', {}, 'electrode'), h('th', { class: 'num' }, 'ΔV'), h('th', { class: 'num' }, 'V0Set'), h('th', { class: 'num' }, 'IMon µA'), h('th', { class: 'num' }, 'Ieq µA'), h('th', {}, ''))),
      h('tbody', {}, rows),
      h('tfoot', {}, h('tr', {}, h('th', {}, 'stack'), h('th', { class: 'num total-v' }, num(sumV, 0), ' V'), h('th', {}, ''), h('th', {}, ''), h('th', { class: 'num total-ieq' }, complete && sumR > 0 ? num(sumV / sumR, 1) : '–'), h('th', {}, '')))),
    panel ? (panel.update(), panel.el) : null);
}
