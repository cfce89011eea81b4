// Issue 7, case 1 through the v2 API: the real daemon CLI logs a simulated crate through the v2 sink (the
// official client's transport, /api/v2/write) into VictoriaMetrics while it is down for
// FAULT_V2_DOWN_SECONDS (default 10). VictoriaMetrics keeps duplicates: stored = distinct timestamps per series.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startVictoria, type VictoriaServer } from '../helpers/victoria.js';
import { daemon, figure, until } from './kit.js';
import { SERIES, faultConfig, outage } from './database-kit.js';

const V2_DOWN_SECONDS = Number(process.env.FAULT_V2_DOWN_SECONDS ?? 10);

let sim: SimHandle;
let victoria: VictoriaServer;
before(async () => {
  [sim, victoria] = await Promise.all([startSim(), startVictoria()]);
});
after(async () => {
  await Promise.all([sim?.stop(), victoria?.dispose()]);
});

test(`fault 1 (v2 API): VictoriaMetrics down ${V2_DOWN_SECONDS} s while logging through the v2 sink: every point produced is stored once`, { timeout: (V2_DOWN_SECONDS + 130) * 1000 }, async (t) => {
  const setup = 'VMDOWN';
  const { file } = faultConfig(t, sim, setup, { v2: { url: victoria.url, token: 'unused-by-victoria' } });
  // per series: [sample count, distinct timestamps]; VictoriaMetrics keeps duplicates, so both must agree
  const storedV2 = async (): Promise<Map<string, [number, number]>> => {
    const out = new Map<string, [number, number]>();
    const series = await victoria.exportSeries(`{__name__=~"CAEN_Board_Monitor_VMon|CAEN_Board_BdStatus",setup="${setup}"}`, () => true);
    for (const s of series) out.set(`${s.metric.__name__}/${s.metric.channel ?? 'board'}`, [s.timestamps.length, new Set(s.timestamps).size]);
    return out;
  };
  const d = daemon(t, file, [setup]);
  await until('points in VictoriaMetrics', async () => (await storedV2()).size === SERIES, 20_000, 250);
  const { duringOutage, produced } = await outage(d, setup, victoria, V2_DOWN_SECONDS);
  let s = new Map<string, [number, number]>();
  await until('VictoriaMetrics to show every sample', async () => {
    s = await storedV2();
    return s.size === SERIES && [...s.values()].every(([n]) => n >= produced);
  }, 15_000, 250).catch(() => undefined);
  const samples = [...s.values()].map(([n]) => n);
  const distinct = [...s.values()].map(([, n]) => n);
  const storedMin = Math.min(...distinct);
  figure(
    1,
    `VictoriaMetrics (v2 sink) down ${V2_DOWN_SECONDS} s: produced ${produced} scans × ${SERIES} series (${duringOutage} during the outage), ` +
      `stored ${storedMin} distinct (${Math.max(...samples) - storedMin} duplicates), lost ${produced - storedMin}`,
  );
  assert.equal(s.size, SERIES);
  assert.ok(distinct.every((n) => n === produced), `every scan stored in every series: ${JSON.stringify([...s])}`);
  // duplicates (a retried batch the server had taken) are not a loss, and InfluxDB would merge them: reported only
});
