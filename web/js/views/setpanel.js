// Changing set points: choose → preview (current → next, limits) → confirm (twice when switching on
// or above the step limit) → apply → read-back. The server checks everything again; a refusal shows
// its code and reason and nothing is sent.
import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { num } from '../format.js';
import { store } from '../store.js';

const OPERATOR_PARAMS = ['V0Set', 'I0Set', 'RUp', 'RDWn', 'Pw'];

export function canChange(setup, param) {
  const me = store.me;
  if (!me || me.role === 'viewer' || store.snap?.settings.readOnly) return false;
  if (me.setups && !me.setups.includes(setup)) return false;
  return me.role === 'expert' || OPERATOR_PARAMS.includes(param) || param === 'Ieq';
}

/**
 * The panel under a grid or a GEM layer. `selection()` gives the channels chosen; `params` the
 * parameters offered (['Ieq'] for a GEM layer).
 */
export function setPanel(setup, selection, params) {
  const result = h('div', { class: 'set-result', id: `set-result-${setup}`, 'aria-live': 'polite' });
  const param = h('select', { class: 'set-param', 'aria-label': 'parameter' }, params.map((p) => h('option', { value: p }, p === 'Ieq' ? 'Ieq (µA, whole stack)' : p)));
  const value = h('input', { class: 'set-value', 'aria-label': 'value', inputmode: 'decimal', size: 8, placeholder: 'value' });
  const pwValue = h('select', { class: 'set-pw', 'aria-label': 'power' }, h('option', { value: 'off' }, 'Off'), h('option', { value: 'on' }, 'On'));
  const valueBox = h('span', {}, value);
  const syncParam = () => {
    clear(valueBox).append(param.value === 'Pw' ? pwValue : value);
  };
  param.addEventListener('change', syncParam);
  const chosen = h('span', { class: 'chosen' });
  const preview = h('button', { class: 'primary set-preview', type: 'submit' }, 'Preview');
  const form = h('form', { class: 'set-form', onsubmit: (e) => { e.preventDefault(); void doPreview(); } },
    h('strong', {}, 'Change '), chosen, ' ', param, ' to ', valueBox, ' ', preview);

  async function doPreview() {
    clear(result);
    const channels = params[0] === 'Ieq' ? [] : selection();
    if (param.value !== 'Ieq' && channels.length === 0) {
      result.append(h('p', { class: 'error' }, 'Choose one or more channels first (the boxes in the first column).'));
      return;
    }
    const body = { setup, channels, param: param.value, value: param.value === 'Pw' ? pwValue.value : value.value.trim() };
    if (body.value === '') {
      result.append(h('p', { class: 'error' }, 'Give a value.'));
      return;
    }
    try {
      const p = await api('/api/preview', body);
      showPreview(p);
    } catch (err) {
      showError(err);
    }
  }

  function showError(err) {
    clear(result).append(h('p', { class: 'error refused', dataset: { code: err.code } }, h('strong', {}, err.code), ': ', err.message, ' — nothing was sent.'));
  }

  function showPreview(p) {
    const unit = p.unit ? ` ${p.unit}` : '';
    const table = h('table', { class: 'preview' },
      h('thead', {}, h('tr', {}, h('th', {}, 'channel'), h('th', {}, `${p.param} now`), h('th', {}, ''), h('th', {}, 'next'))),
      h('tbody', {}, p.rows.map((r) => h('tr', {}, h('td', {}, r.label), h('td', { class: 'num' }, show(r.current, p.param) + unit), h('td', {}, '→'), h('td', { class: 'num next' }, show(r.next, p.param) + unit)))));
    const limits = p.limits ? h('p', { class: 'meta' }, 'limits: ', Object.entries(p.limits).map(([k, v]) => `${k} ${v}${unit}`).join(', ')) : null;
    const reasons = p.reasons.length ? h('p', { class: 'warn' }, `This change ${p.reasons.join(' and ')}: confirm it twice.`) : null;
    const confirm = h('button', { class: 'primary set-confirm' }, p.confirmations === 2 ? 'Confirm (1 of 2)' : 'Apply');
    const cancel = h('button', { class: 'set-cancel', onclick: () => clear(result) }, 'Cancel');
    let confirmations = 0;
    confirm.addEventListener('click', async () => {
      confirmations++;
      if (confirmations < p.confirmations) {
        confirm.textContent = 'Yes, really apply (2 of 2)';
        confirm.classList.add('danger');
        return;
      }
      confirm.disabled = true;
      try {
        const res = await api('/api/apply', { previewId: p.previewId, confirmations });
        showApplied(res, p);
      } catch (err) {
        showError(err);
      }
    });
    clear(result).append(h('div', { class: 'card preview-box' },
      h('h3', {}, `${p.requested === 'Ieq' ? `Ieq → ${p.param} of ${p.setup}` : `${p.param} of ${p.setup}`}`), table, limits, reasons, h('div', { class: 'buttons' }, confirm, ' ', cancel)));
  }

  function showApplied(res, p) {
    const unit = p.unit ? ` ${p.unit}` : '';
    const ok = res.code === 'OK';
    clear(result).append(h('div', { class: `card applied ${ok ? 'ok' : 'bad'}`, dataset: { code: res.code } },
      h('h3', {}, ok ? 'Applied and read back' : `${res.code}: ${res.message ?? ''}`),
      h('table', { class: 'preview' },
        h('thead', {}, h('tr', {}, h('th', {}, 'channel'), h('th', {}, 'asked'), h('th', {}, 'read back'))),
        h('tbody', {}, res.rows.map((r) => {
          const asked = p.rows.find((x) => x.channel === r.channel)?.next;
          return h('tr', { class: r.ok ? '' : 'bad' }, h('td', {}, r.label), h('td', { class: 'num' }, show(asked, p.param) + unit), h('td', { class: 'num readback' }, show(r.readBack, p.param) + unit));
        })))));
  }

  return {
    el: h('div', { class: 'set-panel' }, form, result),
    /** the chosen channels, in words */
    update() {
      const ch = params[0] === 'Ieq' ? [] : selection();
      chosen.textContent = params[0] === 'Ieq' ? 'the stack' : ch.length ? `channel${ch.length > 1 ? 's' : ''} ${ch.join(', ')}:` : '(no channel chosen)';
    },
  };
}

function show(v, param) {
  if (v === null || v === undefined) return '?';
  if (param === 'Pw') return v === 1 ? 'On' : v === 0 ? 'Off' : String(v);
  return num(v, 2).replace(/\.?0+$/, '') || '0';
}
