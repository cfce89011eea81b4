// Calibration: the round trip of one bare CAENHV_GetChParam (24 channels) through the binding and the
// simulator's library at a given injected latency, from this thread, with no poller around it. The
// difference between a full scan and calls × this is gemcaen's own overhead; the difference between
// this and the injected latency is the simulator's timer slack and the machine's load.
import { CaenLibrary } from '../../src/caen/library.js';
import { CaenMainframe } from '../../src/caen/mainframe.js';
import type { SimControlClient } from '../../sim/control-client.js';
import { BOARD_PARAMS, CHANNELS, MONITORABLES, SLOTS } from './fixtures.js';
import { median, sleep } from './stats.js';

export interface BareCallResult {
  latencyMs: number;
  calls: number;
  medianMs: number;
  meanMs: number;
}

export async function measureBareCall(o: { library: string; address: string; crate: string; control: SimControlClient; latencyMs: number; calls: number }): Promise<BareCallResult> {
  const lib = CaenLibrary.open(o.library);
  const mf = CaenMainframe.connect(lib, { systemType: 'SY4527', linkType: 'TCPIP', address: o.address, user: 'admin', password: 'admin' });
  const channels = Array.from({ length: CHANNELS }, (_, i) => i);
  try {
    await o.control.latency(0, o.crate);
    mf.readChParam(0, 'VMon', channels); // metadata, cached by the binding
    await o.control.latency(o.latencyMs, o.crate);
    const times: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < o.calls; i++) {
      const t = performance.now();
      mf.readChParam(0, 'VMon', channels);
      times.push(performance.now() - t);
    }
    const total = performance.now() - t0;
    return { latencyMs: o.latencyMs, calls: o.calls, medianMs: median(times), meanMs: total / o.calls };
  } finally {
    mf.deinit();
  }
}

/** A full scan's calls without the poller (see openBareScanner). */
export interface BareScanner {
  /** calls per full scan: every slot's channel parameters (GetChParam) and board parameters (GetBdParam) */
  readonly calls: number;
  /** one full scan, back to back; its time in ms */
  scan(): number;
  /** one full scan with a turn of the event loop (setImmediate) after each slot, as the poller takes one after each setup; the calls' time in ms */
  scanWithTurns(): Promise<number>;
  close(): void;
}

/**
 * The poller's full scan without the poller: the same calls (each slot's six channel parameters of 24
 * channels, then its two board parameters) through the same binding, back to back from this thread. The
 * crate's latency is set to 0 for the metadata and 20 warm-up scans (V8 optimises the loop, as it has the
 * poller's code after the warm-up of measureFullScan), then to `latencyMs`.
 */
export async function openBareScanner(o: { library: string; address: string; crate: string; control: SimControlClient; latencyMs: number }): Promise<BareScanner> {
  const lib = CaenLibrary.open(o.library);
  const mf = CaenMainframe.connect(lib, { systemType: 'SY4527', linkType: 'TCPIP', address: o.address, user: 'admin', password: 'admin' });
  const channels = Array.from({ length: CHANNELS }, (_, i) => i);
  const slotLists = Array.from({ length: SLOTS }, (_, s) => [s]);
  const slotScan = (slot: number): void => {
    for (const p of MONITORABLES) mf.readChParam(slot, p, channels);
    for (const p of BOARD_PARAMS) mf.readBdParam(slotLists[slot]!, p);
  };
  const scan = (): number => {
    const t = performance.now();
    for (let slot = 0; slot < SLOTS; slot++) slotScan(slot);
    return performance.now() - t;
  };
  const scanWithTurns = async (): Promise<number> => {
    let ms = 0;
    for (let slot = 0; slot < SLOTS; slot++) {
      const t = performance.now();
      slotScan(slot);
      ms += performance.now() - t;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return ms;
  };
  try {
    await o.control.latency(0, o.crate);
    for (let i = 0; i < 20; i++) scan();
    await o.control.latency(o.latencyMs, o.crate);
  } catch (err) {
    mf.deinit();
    throw err;
  }
  return { calls: SLOTS * (MONITORABLES.length + BOARD_PARAMS.length), scan, scanWithTurns, close: () => void mf.deinit() };
}
