// Numbers, ages and status words as the page shows them.
import { store } from './store.js';

export function num(v, digits = 1) {
  if (v === undefined || v === null || Number.isNaN(v)) return '–';
  return Number(v).toFixed(digits);
}

/** Age of a server timestamp, in words: "0.4 s", "12 s", "3 min", "2 h". */
export function age(ms) {
  if (!ms) return 'never';
  const s = Math.max(0, (store.serverNow() - ms) / 1000);
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** A value is stale when older than three scans of its setup (at least 5 s). */
export function isStale(ms, holdOffSeconds) {
  if (!ms) return true;
  return store.serverNow() - ms > Math.max(3 * holdOffSeconds * 1000, 5000);
}

export function statusWords(word, table) {
  if (word === undefined || word === null || Number.isNaN(word)) return [];
  const out = [];
  for (let bit = 0; bit < 32; bit++) {
    if ((word >>> bit) & 1) {
      const b = table?.find((x) => x.bit === bit);
      out.push({ name: b?.name ?? `BIT${bit}`, alarm: b ? b.alarm : true });
    }
  }
  return out;
}

export function time(ms) {
  return new Date(ms).toLocaleTimeString([], { hour12: false });
}

export function dateTime(ms) {
  const d = new Date(ms);
  return `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${d.toLocaleTimeString([], { hour12: false })}`;
}

/**
 * An age that keeps itself current: the page's ticker (tickAges) rewrites every such element each
 * second and marks it (and its row, with data-row) stale after three scans.
 */
export function ageSpan(ms, holdOffSeconds, attrs = {}) {
  const el = document.createElement('span');
  el.dataset.ageMs = String(ms ?? 0);
  el.dataset.hold = String(holdOffSeconds ?? 1);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  paintAge(el);
  return el;
}

function paintAge(el) {
  const ms = Number(el.dataset.ageMs);
  const stale = isStale(ms, Number(el.dataset.hold));
  el.textContent = stale && el.dataset.row !== undefined ? `stale ${age(ms)}` : age(ms);
  el.classList.add('age');
  el.classList.toggle('stale', stale);
  if (el.dataset.row !== undefined) el.closest('tr')?.classList.toggle('stale', stale);
}

export function tickAges(root = document) {
  for (const el of root.querySelectorAll('[data-age-ms]')) paintAge(el);
}
