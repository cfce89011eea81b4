// One setup scan as the poller makes it (SetupReading): slot 2, channels 3 and 18 named LV_A and LV_B,
// VMon/Status/Pw and the board's Temp, for tests of what becomes of a scan (the writer's readings, the
// supervisor's table). `over` and `setup` replace parts of it.
import type { SetupConfig } from '../../src/config/types.js';
import type { SetupReading } from '../../src/poll/points.js';

export function setupReading(over: Partial<SetupReading> = {}, setup: Partial<SetupConfig> = {}): SetupReading {
  return {
    setup: {
      name: 'S', monitorables: ['VMon', 'Status', 'Pw'], holdOffSeconds: 1, isGEM: false, mainframe: 'mf', slot: 2, channels: [3, 18],
      sink: 'files', heartbeatSeconds: 300, deadbands: {}, ...setup,
    },
    mainframe: 'mf', model: 'A1535', channels: [3, 18], names: ['LV_A', 'LV_B'],
    values: new Map([['VMon', [433.3999938964844, 100]], ['Status', [0b1001, NaN]], ['Pw', [1, 0]]]),
    kinds: new Map([['VMon', 'float'], ['Status', 'status'], ['Pw', 'int']]),
    board: new Map([['Temp', { value: 31.5, kind: 'float' }]]),
    timeMs: 1_700_000_000_123,
    ...over,
  };
}
