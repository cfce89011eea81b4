// The daemon's login path resolves a host name in CAENHV_BOARD_ADDRESS (the wrapper's TCPIP Arg
// must be an IP) and reports an unknown host as ADDRESS_UNRESOLVED, a connection cause to retry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connector } from '../../src/poll/connect.js';
import { classify } from '../../src/poll/session.js';
import type { MainframeWire } from '../../src/protocol.js';
import { startSim } from '../helpers/sim.js';

test('a host name in the address is resolved before InitSystem; an unknown one is a retryable ADDRESS_UNRESOLVED', async (t) => {
  const sim = await startSim({ extraArgs: ['--address', '127.0.0.1'] }).catch(() => undefined);
  if (!sim) {
    t.skip('127.0.0.1 (TCP 2527) is taken on this machine (the demo crate is running?)');
    return;
  }
  t.after(() => sim.stop());
  const mf: MainframeWire = {
    id: 'x', systemType: 'SY4527', linkType: 'TCPIP', address: 'localhost', user: 'admin', password: 'admin',
    library: sim.libraryPath, keepaliveSeconds: 10,
  };
  const session = await connector(mf)();
  try {
    assert.deepEqual(session.crateMap().map((b) => b.slot), [0, 2, 5]);
    assert.equal((await sim.control.counters()).openSessions, 1);
  } finally {
    session.deinit();
  }
  assert.equal((await sim.control.counters()).openSessions, 0);
  const bad = connector({ ...mf, address: 'no-such-crate.invalid' });
  await assert.rejects(bad(), (err: unknown) => {
    assert.equal((err as { code?: string }).code, 'ADDRESS_UNRESOLVED');
    assert.equal(classify(err), 'connection');
    return true;
  });
});
