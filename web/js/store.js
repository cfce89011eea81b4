// What the page knows: the snapshot from the stream, updated by its events. Views read it and are
// redrawn (at most once per animation frame) when it changes.
const listeners = new Set();
let scheduled = false;

export const store = {
  snap: null,
  /** server clock minus browser clock, ms (ages are computed on the server's clock) */
  offsetMs: 0,
  conn: 'connecting',
  me: null,
  usersConfigured: false,
  lastEventId: null,

  serverNow() {
    return Date.now() + this.offsetMs;
  },

  subscribe(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },

  changed() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      for (const fn of [...listeners]) fn();
    });
  },

  setConn(state) {
    if (this.conn === state) return;
    this.conn = state;
    this.changed();
  },

  /** One event of the stream (from this tab's EventSource or from the leader tab). */
  apply(type, data) {
    if (type === 'snapshot') {
      this.snap = data;
      this.offsetMs = data.serverTimeMs - Date.now();
    } else if (type === 'ping') {
      this.offsetMs = data.serverTimeMs - Date.now();
      return this.changed();
    } else if (!this.snap) {
      return;
    } else if (type === 'scan') {
      this.snap.readings[data.setup] = data.channels;
      const s = this.snap.setups.find((x) => x.name === data.setup);
      if (s) {
        s.lastScanMs = data.lastScanMs;
        s.scans = data.scans;
        if (data.board) s.board = data.board;
        if (data.electrodes) s.electrodes = data.electrodes;
      }
      for (const fn of scanListeners) fn(data);
    } else if (type === 'crate') {
      const i = this.snap.crates.findIndex((c) => c.id === data.id);
      if (i >= 0) this.snap.crates[i] = data;
      else this.snap.crates.push(data);
    } else if (type === 'setup') {
      const i = this.snap.setups.findIndex((s) => s.name === data.name);
      if (i >= 0) this.snap.setups[i] = { ...this.snap.setups[i], ...data };
    } else if (type === 'alarm') {
      const i = this.snap.alarms.findIndex((a) => a.id === data.id);
      if (i >= 0) this.snap.alarms.splice(i, 1);
      this.snap.alarms.unshift(data);
      this.snap.alarms.length = Math.min(this.snap.alarms.length, 200);
    } else if (type === 'audit') {
      this.snap.audit.unshift(data);
      this.snap.audit.length = Math.min(this.snap.audit.length, 500);
    }
    this.changed();
  },

  setup(name) {
    return this.snap?.setups.find((s) => s.name === name);
  },

  readings(name) {
    return this.snap?.readings[name] ?? [];
  },
};

const scanListeners = new Set();
/** Called with each scan event (the history chart appends its points). */
export function onScan(fn) {
  scanListeners.add(fn);
  return () => scanListeners.delete(fn);
}

/** GEM boards: the GEM setups grouped by mainframe and slot (both layers of a board side by side). */
export function gemBoards() {
  const out = new Map();
  for (const s of store.snap?.setups ?? []) {
    if (!s.isGEM) continue;
    const key = `${s.mainframe}/${s.slot}`;
    if (!out.has(key)) out.set(key, { mainframe: s.mainframe, slot: s.slot, label: `slot ${s.slot}`, setups: [] });
    out.get(key).setups.push(s);
  }
  for (const g of out.values()) g.setups.sort((a, b) => (a.layer ?? 0) - (b.layer ?? 0));
  return [...out.values()];
}

