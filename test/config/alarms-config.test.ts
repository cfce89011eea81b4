// gemcaen.Alarms and gemcaen.MetricsListen as loaded: defaults, the bits a lab marks, webhook URLs
// from the environment kept secret, and mistakes reported with the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { alarmSettingsOf } from '../../src/config/build.js';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

const SETUP = [
  'LV:',
  '  Monitorables: [VMon, Status]',
  '  HoldOffTime: 1',
  '  isGEMDetector: false',
  '  MAINFRAME: {CAENHV_BOARD_TYPE: SY4527, CAENHV_LINK_TYPE: TCPIP, CAENHV_BOARD_ADDRESS: 127.0.0.1, CAENHV_USER: admin, CAENHV_PASSWORD: admin}',
  '  BOARD: {SLOT: 5, CHANNELS: [18]}',
  '  FILE: {DIRECTORY: /tmp/x}',
].join('\n');

function issues(text: string): string[] {
  try {
    parseConfig(text, 'x.yml', { env: {}, cwd: '/tmp' });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.issues.map((i) => `${i.where}: ${i.message}`);
  }
  assert.fail('expected a ConfigError');
}

test('without gemcaen.Alarms: the trip bits, every board bit, no webhook; /metrics on the health listener', () => {
  const c = parseConfig(SETUP, 'x.yml', { env: {}, cwd: '/tmp' });
  const a = alarmSettingsOf(c.settings);
  assert.deepEqual(a.channelBits, ['OVC', 'OVV', 'UNV', 'EXTTRIP', 'EXTDIS', 'INTTRIP']);
  assert.equal(a.boardBits.length, 6);
  assert.deepEqual(a.webhooks, []);
  assert.equal(a.groupSeconds, 2);
  assert.equal(c.settings.metricsListen ?? '', '');
  const empty = parseConfig(`gemcaen:\n  Alarms: {}\n${SETUP}`, 'x.yml', { env: {}, cwd: '/tmp' });
  assert.deepEqual(empty.settings.alarms, a, 'an empty Alarms block has the defaults');
});

test('bits a lab marks, webhooks from the environment (never printed), MetricsListen', () => {
  const text = [
    'gemcaen:',
    '  MetricsListen: 127.0.0.1:9464',
    '  Alarms:',
    '    ChannelBits: [INTTRIP, MAXV, UNPLUGGED]',
    '    GroupSeconds: 5',
    '    Webhooks:',
    '      - URL: ${HOOK}',
    '        Format: slack',
    '      - URL: http://127.0.0.1:9/generic',
    SETUP,
  ].join('\n');
  const c = parseConfig(text, 'x.yml', { env: { HOOK: 'https://mm.lab/hooks/k3y-s3cr3t' }, cwd: '/tmp' });
  const a = c.settings.alarms!;
  assert.deepEqual(a.channelBits, ['INTTRIP', 'MAXV', 'UNPLUGGED']);
  assert.equal(a.groupSeconds, 5);
  assert.deepEqual(a.webhooks.map((w) => [w.url.reveal(), w.format]), [['https://mm.lab/hooks/k3y-s3cr3t', 'slack'], ['http://127.0.0.1:9/generic', 'json']]);
  assert.equal(c.settings.metricsListen, '127.0.0.1:9464');
  assert.ok(!JSON.stringify(c.settings).includes('k3y-s3cr3t'));
  assert.ok(!inspect(c.settings, { depth: 9 }).includes('k3y-s3cr3t'));
});

test('mistakes name the key: an unknown bit, a webhook without URL, a bad format, MetricsListen without port', () => {
  const found = issues(
    ['gemcaen:', '  MetricsListen: localhost', '  Alarms:', '    ChannelBits: [INTTRIP, TRIPPED]', '    Webhooks:', '      - Format: teams', SETUP].join('\n'),
  );
  assert.ok(found.some((l) => l.startsWith('gemcaen.Alarms.ChannelBits[1]:') && l.includes('INTTRIP')), found.join('\n'));
  assert.ok(found.some((l) => l.startsWith('gemcaen.Alarms.Webhooks[0].URL:') && l.includes('missing')), found.join('\n'));
  assert.ok(found.some((l) => l.startsWith('gemcaen.Alarms.Webhooks[0].Format:')), found.join('\n'));
  assert.ok(found.some((l) => l.startsWith('gemcaen.MetricsListen:')), found.join('\n'));
});
