// The drop-in library sits at the documented path and exports exactly the 37 symbols of CAEN's 6.0 build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { simLibraryPath } from '../helpers/sim.js';

const REAL_60_SYMBOLS = [
  'CAENHVLibSwRel', 'CAENHV_InitSystem', 'CAENHV_DeinitSystem', 'CAENHV_GetCrateMap', 'CAENHV_GetSysPropList',
  'CAENHV_GetSysPropInfo', 'CAENHV_GetSysProp', 'CAENHV_SetSysProp', 'CAENHV_GetBdParamInfo', 'CAENHV_GetBdParamProp',
  'CAENHV_GetBdParam', 'CAENHV_SetBdParam', 'CAENHV_TestBdPresence', 'CAENHV_GetChParamInfo', 'CAENHV_GetChParamProp',
  'CAENHV_GetChName', 'CAENHV_SetChName', 'CAENHV_GetChParam', 'CAENHV_SetChParam', 'CAENHV_GetExecCommList',
  'CAENHV_ExecComm', 'CAENHV_SubscribeSystemParams', 'CAENHV_SubscribeBoardParams', 'CAENHV_SubscribeChannelParams',
  'CAENHV_UnSubscribeSystemParams', 'CAENHV_UnSubscribeBoardParams', 'CAENHV_UnSubscribeChannelParams',
  'CAENHV_GetEventData', 'CAENHV_FreeEventData', 'CAENHV_Free', 'CAENHV_GetError', 'CAENHV_Subscribe',
  'CAENHV_UnSubscribe', 'CAENHVGetError', 'CAENHVGetEventData', 'CAENHVFreeEventData', 'Sleep',
];

test('the library is built at build/sim/libcaenhvwrapper.so, a link to the versioned file', () => {
  const path = simLibraryPath();
  assert.ok(existsSync(path), `${path} missing: run npm run build`);
  assert.match(realpathSync(path), /libcaenhvwrapper\.so\.6\.1$/);
});

test('nm -D lists exactly the 37 function symbols of the real 6.0 build', () => {
  assert.equal(REAL_60_SYMBOLS.length, 37);
  const out = execFileSync('nm', ['-D', '--defined-only', simLibraryPath()], { encoding: 'utf8' });
  const functions = out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length === 3 && f[1] === 'T')
    .map((f) => f[2])
    .sort();
  assert.deepEqual(functions, [...REAL_60_SYMBOLS].sort());
});
