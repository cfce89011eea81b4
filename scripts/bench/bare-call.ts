// Calibration: the round trip of one bare CAENHV_GetChParam (24 channels) through the binding and the
// simulator's library at a given injected latency, from this thread, with no poller around it. The
// difference between a full scan and calls × this is gemcaen's own overhead; the difference between
// this and the injected latency is the simulator's timer slack and the machine's load.
import { CaenLibrary } from '../../src/caen/library.js';
import { CaenMainframe } from '../../src/caen/mainframe.js';
import type { SimControlClient } from '../../sim/control-client.js';
import { CHANNELS } from './fixtures.js';
import { median } from './stats.js';

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
