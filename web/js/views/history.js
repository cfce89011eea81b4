// History: a chart (uPlot) of one quantity of chosen channels over the last minutes, from the
// daemon's in-memory ring (no database needed), extended live by the scans; a link into Grafana
// when the config names one.
import uPlot from '/vendor/uPlot.esm.js';
import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { onScan, store } from '../store.js';

const QUANTITIES = ['VMon', 'IMon', 'V0Set', 'I0Set', 'Ieq', 'Status'];
const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

export function historyView(args) {
  const setups = store.snap.setups;
  const setupSel = h('select', { id: 'hist-setup', 'aria-label': 'setup' }, setups.map((s) => h('option', { value: s.name }, s.name)));
  if (args[0]) setupSel.value = args[0];
  const quantitySel = h('select', { id: 'hist-quantity', 'aria-label': 'quantity' }, QUANTITIES.map((q) => h('option', { value: q }, q)));
  if (args[1]) quantitySel.value = args[1];
  const minutesSel = h('select', { id: 'hist-minutes', 'aria-label': 'time span' }, [15, 60, 240].filter((m) => m <= store.snap.settings.historyMinutes || m === 15).map((m) => h('option', { value: m }, m < 60 ? `${m} min` : `${m / 60} h`)));
  minutesSel.value = '60';
  const chartBox = h('div', { class: 'chart', id: 'chart' });
  const note = h('p', { class: 'meta' });
  const grafana = store.snap.settings.grafanaUrl ? h('a', { href: store.snap.settings.grafanaUrl, target: '_blank', rel: 'noopener noreferrer', class: 'grafana' }, 'Open in Grafana ↗') : null;
  const el = h('section', { class: 'history' }, h('h1', {}, 'History'),
    h('div', { class: 'controls' }, setupSel, quantitySel, minutesSel, grafana), chartBox, note);

  let plot = null;
  let channels = [];
  let data = null;

  async function load() {
    const setup = setupSel.value;
    const quantity = quantitySel.value;
    channels = store.readings(setup).map((r) => ({ channel: r.channel, name: r.name }));
    const series = await Promise.all(channels.map((c) => api(`/api/history?setup=${encodeURIComponent(setup)}&channel=${c.channel}&quantity=${quantity}&minutes=${minutesSel.value}`)));
    // one time axis: the union of every channel's times (scans of a setup share their time)
    const times = [...new Set(series.flatMap((s) => s.t))].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    data = [times.map((t) => t / 1000), ...series.map((s) => {
      const col = new Array(times.length).fill(null);
      s.t.forEach((t, i) => (col[index.get(t)] = s.v[i]));
      return col;
    })];
    note.textContent = `${times.length} points per channel: every scan of the last ${series[0]?.recentPoints ?? '?'} scans, before that one point per ${Math.round((series[0]?.stepMs ?? 0) / 1000) || 1} s; the daemon keeps ${store.snap.settings.historyMinutes} min in memory`;
    draw(quantity);
  }

  function draw(quantity) {
    plot?.destroy();
    clear(chartBox);
    const width = Math.max(300, chartBox.clientWidth || el.clientWidth || 800);
    plot = new uPlot({
      width,
      height: Math.min(420, Math.max(240, Math.round(width * 0.45))),
      scales: { x: { time: true } },
      axes: [{}, { label: quantity, size: 60 }],
      series: [{}, ...channels.map((c, i) => ({ label: c.name || `ch ${c.channel}`, stroke: COLOURS[i % COLOURS.length], width: 1.5, spanGaps: true }))],
    }, data, chartBox);
  }

  const off = onScan((scan) => {
    if (!plot || scan.setup !== setupSel.value) return;
    const q = quantitySel.value;
    const t = scan.channels[0]?.timeMs;
    if (t === undefined || (data[0].length && t / 1000 <= data[0][data[0].length - 1])) return;
    data[0].push(t / 1000);
    channels.forEach((c, i) => data[i + 1].push(scan.channels.find((r) => r.channel === c.channel)?.values[q] ?? null));
    plot.setData(data);
  });
  const reload = () => void load().catch((err) => (note.textContent = `${err.code}: ${err.message}`));
  setupSel.addEventListener('change', reload);
  quantitySel.addEventListener('change', reload);
  minutesSel.addEventListener('change', reload);
  const onResize = () => plot && plot.setSize({ width: Math.max(300, chartBox.clientWidth), height: plot.height });
  window.addEventListener('resize', onResize);
  requestAnimationFrame(reload);
  return { el, destroy: () => { off(); plot?.destroy(); window.removeEventListener('resize', onResize); } };
}
