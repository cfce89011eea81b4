import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CAENHV_LINK_TYPE,
  CAENHV_SYSTEM_TYPE,
  CAENHVResult,
  PARAM_TYPE,
  RESULT_CODES,
  isConnectionResult,
  resultKind,
  resultLabel,
  resultName,
} from '../../src/caen/codes.js';
import { CaenError, isConnectionError } from '../../src/caen/caen-error.js';
import { GemcaenError } from '../../src/errors.js';

test('header values: system types, link types, param types, result codes', () => {
  assert.equal(CAENHV_SYSTEM_TYPE.SY1527, 0);
  assert.equal(CAENHV_SYSTEM_TYPE.SY4527, 2);
  assert.equal(CAENHV_SYSTEM_TYPE.SY5527, 3);
  assert.equal(CAENHV_SYSTEM_TYPE.R6060, 16);
  assert.equal(CAENHV_LINK_TYPE.TCPIP, 0);
  assert.equal(CAENHV_LINK_TYPE.USB_VCP, 5);
  assert.equal(CAENHV_LINK_TYPE.A4818, 7);
  assert.equal(PARAM_TYPE.CHSTATUS, 2);
  assert.equal(PARAM_TYPE.ENUM, 6);
  assert.equal(CAENHVResult.TIMEERR, 4);
  assert.equal(CAENHVResult.DEVALREADYOPEN, 24);
  assert.equal(CAENHVResult.NOTYETIMPLEMENTED, 30);
  assert.equal(CAENHVResult.NOTCONNECTED, 0x1002);
  assert.equal(CAENHVResult.USERPASSFAILED, 0x1007);
  for (let v = 0; v <= 30; v++) assert.ok(RESULT_CODES.has(v), `code ${v} listed`);
  for (let v = 0x1001; v <= 0x1007; v++) assert.ok(RESULT_CODES.has(v), `code ${v} listed`);
  assert.equal(RESULT_CODES.size, 38);
});

test('labels: header name + number, negatives as power-supply errors, unknown numbers as unknown', () => {
  assert.equal(resultLabel(4), 'TIMEERR 4');
  assert.equal(resultLabel(0x1002), 'NOTCONNECTED 0x1002');
  assert.equal(resultLabel(-3), 'power-supply error -3');
  assert.equal(resultLabel(777), 'unknown result 777');
  assert.equal(resultName(-3), 'POWER_SUPPLY_ERROR');
  assert.equal(resultName(777), 'UNKNOWN');
  assert.equal(resultName(22), 'PARAMNOTFOUND');
});

test('classification: connection vs request vs power supply', () => {
  for (const name of ['SYSERR', 'WRITEERR', 'READERR', 'TIMEERR', 'DOWN', 'SOCKETERROR', 'COMMUNICATIONERROR', 'NOTCONNECTED', 'SYSCONFCHANGE']) {
    assert.equal(resultKind(CAENHVResult[name] as number), 'connection', name);
    assert.equal(isConnectionResult(CAENHVResult[name] as number), true, name);
  }
  for (const name of ['PARAMNOTFOUND', 'OUTOFRANGE', 'SLOTNOTPRES', 'DEVALREADYOPEN', 'USERPASSFAILED', 'LOGINFAILED', 'INVALIDPARAMETER', 'PARAMPROPNOTFOUND']) {
    assert.equal(resultKind(CAENHVResult[name] as number), 'request', name);
    assert.equal(isConnectionResult(CAENHVResult[name] as number), false, name);
  }
  assert.equal(resultKind(-1), 'power-supply');
  assert.equal(isConnectionResult(-1), false);
  assert.equal(resultKind(777), 'unknown');
  assert.equal(isConnectionResult(777), true);
  assert.equal(resultKind(0), 'ok');
});

test('CaenError renders "fn failed: text (NAME n)" with a stable code and survives the wire', () => {
  const e = new CaenError('CAENHV_GetChParam', 4, 'Timeout', 'slot 3, parameter VMon');
  assert.ok(e instanceof GemcaenError);
  assert.equal(e.code, 'CAEN_TIMEERR');
  assert.equal(e.message, 'CAENHV_GetChParam failed: Timeout (TIMEERR 4) [slot 3, parameter VMon]');
  assert.equal(e.fn, 'CAENHV_GetChParam');
  assert.equal(e.result, 4);
  assert.equal(e.resultName, 'TIMEERR');
  assert.equal(e.errorText, 'Timeout');
  assert.equal(e.connectionLost, true);
  const wire = e.toWire();
  assert.equal(wire.code, 'CAEN_TIMEERR');
  assert.equal(wire.details?.result, 4);
  assert.equal(isConnectionError(wire), true);
  assert.equal(isConnectionError(JSON.parse(JSON.stringify(wire))), true);

  const neg = new CaenError('CAENHV_SetChParam', -3, 'Channel in trip');
  assert.equal(neg.code, 'CAEN_POWER_SUPPLY_ERROR');
  assert.equal(neg.message, 'CAENHV_SetChParam failed: Channel in trip (power-supply error -3)');
  assert.equal(neg.kind, 'power-supply');
  assert.equal(neg.connectionLost, false);
  assert.equal(isConnectionError(neg.toWire()), false);

  const unk = new CaenError('CAENHV_GetCrateMap', 777, 'strange');
  assert.equal(unk.code, 'CAEN_UNKNOWN');
  assert.equal(unk.message, 'CAENHV_GetCrateMap failed: strange (unknown result 777)');
  assert.equal(unk.kind, 'unknown');
});
