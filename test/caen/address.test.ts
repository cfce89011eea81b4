import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initArg } from '../../src/caen/address.js';
import { GemcaenError } from '../../src/errors.js';

test('IP addresses and non-TCPIP Args pass unchanged; a host name is resolved to the bare IPv4 address', async () => {
  assert.equal(await initArg('TCPIP', '192.168.0.10'), '192.168.0.10');
  assert.equal(await initArg('TCPIP', '127.100.0.7'), '127.100.0.7');
  assert.equal(await initArg('USB', '0_0_33110000'), '0_0_33110000');
  assert.equal(await initArg('TCPIP', 'localhost'), '127.0.0.1');
  const asked: string[] = [];
  const fake = async (h: string): Promise<string> => {
    asked.push(h);
    return '10.1.2.3';
  };
  assert.equal(await initArg('TCPIP', 'hvcrate.lab', fake), '10.1.2.3');
  assert.deepEqual(asked, ['hvcrate.lab']);
});

test('an unresolvable host name is ADDRESS_UNRESOLVED naming the host', async () => {
  const failing = async (): Promise<string> => {
    throw Object.assign(new Error('getaddrinfo ENOTFOUND hvcrate.lab'), { code: 'ENOTFOUND' });
  };
  await assert.rejects(initArg('TCPIP', 'hvcrate.lab', failing), (e: unknown) => {
    assert.ok(e instanceof GemcaenError);
    assert.equal(e.code, 'ADDRESS_UNRESOLVED');
    assert.match(e.message, /"hvcrate\.lab" \(ENOTFOUND\)/);
    return true;
  });
});
