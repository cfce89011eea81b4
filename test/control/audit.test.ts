// The rules of the control door without a crate: tokens apply once, for the identity that previewed,
// within their time; refusals are audited; a change seen on the crate (an external `setpoint` event)
// is one audit line; requests from a door are parsed strictly; a stale current value is found; the
// direct CLI refuses before opening a session when the audit file cannot be written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile, resolveSetups } from '../../src/config/load.js';
import { staleRows } from '../../src/control/request.js';
import type { ControlJobMessage, ControlResult } from '../../src/protocol.js';
import { AuditFile, auditPoint, type AuditRecord } from '../../src/supervisor/audit.js';
import { DaemonControl, parseControlRequest } from '../../src/supervisor/control.js';
import { Daemon } from '../../src/supervisor/daemon.js';
import { parseSince } from '../../src/cli/audit.js';
import { GemcaenError } from '../../src/errors.js';
import { captureLogger } from '../helpers/capture-log.js';
import { runCli, writeConfig } from '../helpers/cli.js';
import { startSim } from '../helpers/sim.js';
import { tempDir } from '../daemon/run-daemon.js';

const SIM = { address: '127.0.0.1', libraryPath: '/nonexistent/libcaenhvwrapper.so' };

function fakeControl(dir: string, now: { ms: number }) {
  const jobs: Omit<ControlJobMessage, 'type' | 'id'>[] = [];
  const audit = new AuditFile(join(dir, 'audit.jsonl'));
  let auditBroken = false;
  const file = writeConfig(dir, SIM, { Drift: { slot: 2, channels: [0, 1] } });
  const config = loadConfigFile(file);
  const control = new DaemonControl({
    setups: [...config.setups.values()],
    run: async (_mf, job): Promise<ControlResult> => {
      jobs.push(job);
      const plan = {
        request: job.request, mainframe: 'm', setup: 'Drift', isGEM: false, slot: 2, board: 'A1535', param: 'V0Set',
        rows: [{ channel: 0, name: 'DRIFT0', label: 'ch 0 DRIFT0', current: 100, next: 200 }],
      };
      return job.op === 'preview' ? { code: 'OK', message: '', plan, writes: 0, sent: false } : { code: 'OK', message: '', plan, writes: 1, sent: true };
    },
    audit: (records) => audit.append(records),
    auditReady: () => {
      if (auditBroken) throw new GemcaenError('AUDIT_UNAVAILABLE', 'broken');
    },
    now: () => now.ms,
    previewTtlMs: 1000,
  });
  return { control, jobs, audit, breakAudit: () => (auditBroken = true) };
}

const req = { kind: 'set' as const, setup: 'Drift', channels: [0], param: 'V0Set', value: '200' };
const alice = { who: 'alice', from: 'cli' };

test('a token applies once, only for the identity that previewed it, only within its time', async (t) => {
  const dir = tempDir(t);
  const now = { ms: 1_000_000 };
  const { control, jobs, audit } = fakeControl(dir, now);
  const p = await control.preview(req, alice);
  assert.ok(p.token);
  assert.equal((await control.apply(p.token, { who: 'bob', from: 'cli' })).code, 'PREVIEW_UNKNOWN');
  assert.equal((await control.apply(p.token, { who: 'alice', from: 'web' })).code, 'PREVIEW_UNKNOWN');
  const applied = await control.apply(p.token, alice);
  assert.equal(applied.code, 'OK');
  assert.deepEqual(jobs.map((j) => j.op), ['preview', 'apply']);
  assert.deepEqual(jobs[1]?.expect, [{ channel: 0, current: 100 }], 'the apply carries the previewed current values');
  assert.equal((await control.apply(p.token, alice)).code, 'PREVIEW_UNKNOWN', 'used');
  const late = await control.preview(req, alice);
  now.ms += 1001;
  assert.equal((await control.apply(late.token!, alice)).code, 'PREVIEW_EXPIRED');
  assert.equal(jobs.length, 3, 'an expired preview sends nothing');
  assert.deepEqual(audit.read().map((r) => [r.who, r.code]), [['alice', 'OK'], ['alice', 'PREVIEW_EXPIRED']]);
});

test('an unknown setup is refused without reaching a worker, and audited; an audit that cannot be written refuses the apply', async (t) => {
  const dir = tempDir(t);
  const { control, jobs, audit, breakAudit } = fakeControl(dir, { ms: Date.now() });
  const r = await control.preview({ ...req, setup: 'Nope' }, alice);
  assert.equal(r.result.code, 'UNKNOWN_SETUP');
  assert.equal(r.result.refused, true);
  assert.equal(r.token, undefined);
  assert.equal(jobs.length, 0);
  assert.deepEqual(audit.read().map((x) => [x.setup, x.channel, x.code, x.request]), [['Nope', null, 'UNKNOWN_SETUP', 'set V0Set=200 on 0']]);
  const p = await control.preview(req, alice);
  breakAudit();
  assert.equal((await control.apply(p.token!, alice)).code, 'AUDIT_UNAVAILABLE');
  assert.deepEqual(jobs.map((j) => j.op), ['preview'], 'nothing applied');
});

test('requests from a door are parsed strictly (REQUEST_INVALID)', () => {
  const bad = [
    null, {}, { kind: 'set' }, { kind: 'set', setup: 'D', channels: [], param: 'V0Set', value: 1 },
    { kind: 'set', setup: 'D', channels: [1.5], param: 'V0Set', value: 1 }, { kind: 'set', setup: 'D', channels: [1], value: 1 },
    { kind: 'set', setup: 'D', channels: [1], param: 'V0Set', value: 1, allowClamp: 'yes' },
    { kind: 'ieq', setup: 'D', microAmps: '700' }, { kind: 'power', setup: 'D', channels: [1], on: 'on' }, { kind: 'reboot', setup: 'D' },
  ];
  for (const raw of bad) assert.throws(() => parseControlRequest(raw), (e: GemcaenError) => e.code === 'REQUEST_INVALID', JSON.stringify(raw));
  assert.deepEqual(parseControlRequest({ kind: 'set', setup: 'D', channels: [1, 1, 2], param: 'V0Set', value: 450 }), {
    kind: 'set', setup: 'D', channels: [1, 2], param: 'V0Set', value: '450',
  });
  assert.deepEqual(parseControlRequest({ kind: 'kill', setup: 'D', extra: 1 }), { kind: 'kill', setup: 'D' });
});

test('staleRows: a changed current value, a channel gone; NaN (write-only) equals NaN', () => {
  const row = (channel: number, current: number) => ({ channel, name: '', label: '', current, next: 0 });
  assert.deepEqual(staleRows([row(0, 100), row(1, Number.NaN)], [{ channel: 0, current: 100 }, { channel: 1, current: Number.NaN }]), []);
  assert.deepEqual(staleRows([row(0, 100.1)], [{ channel: 0, current: 100 }]), [{ channel: 0, previewed: 100, now: 100.1 }]);
  assert.equal(staleRows([row(0, 100)], [{ channel: 0, current: 100 }, { channel: 3, current: 5 }]).length, 1);
});

test('parseSince: durations and dates; BAD_SINCE otherwise', () => {
  const now = Date.parse('2026-03-02T12:00:00Z');
  assert.equal(parseSince('2h', now), now - 7_200_000);
  assert.equal(parseSince('30m', now), now - 1_800_000);
  assert.equal(parseSince('7d', now), now - 7 * 86_400_000);
  assert.equal(parseSince('2026-03-01T00:00:00Z', now), Date.parse('2026-03-01T00:00:00Z'));
  for (const bad of ['yesterday', '2 hours', '-1h', '']) assert.throws(() => parseSince(bad, now), (e: GemcaenError) => e.code === 'BAD_SINCE');
});

test('a change seen on the crate (external setpoint event) is one audit line; its point is of kind external_change', async (t) => {
  const dir = tempDir(t);
  const file = writeConfig(dir, SIM, { Drift: { slot: 2, channels: [0, 1] } });
  const config = loadConfigFile(file);
  const daemon = new Daemon({ config, setups: resolveSetups(config, ['Drift']), log: captureLogger().log, onFatal: () => {} });
  const e = {
    timeMs: Date.parse('2026-03-02T12:00:00Z'), who: 'external', from: 'crate', mainframe: '127.0.0.1', setup: 'Drift', slot: 2, channel: 1,
    param: 'V0Set', before: 100, after: 77, code: 'EXTERNAL', external: true,
  };
  daemon.events.emit('setpoint', e);
  daemon.events.emit('setpoint', { ...e, who: 'alice', from: 'cli', code: 'OK', external: false }); // ours: audited by the control path, not here
  const lines = readFileSync(join(dir, 'logs', 'audit.jsonl'), 'utf8').split('\n').filter((l) => l);
  assert.equal(lines.length, 1);
  const r = JSON.parse(lines[0] as string) as AuditRecord;
  assert.deepEqual([r.who, r.from, r.setup, r.channel, r.param, r.before, r.after, r.code, r.external], ['external', 'crate', 'Drift', 1, 'V0Set', 100, 77, 'EXTERNAL', true]);
  const point = auditPoint(r);
  assert.equal(point.tags.kind, 'external_change');
  assert.equal(point.tags.channel, '01');
});

test('the direct CLI refuses before opening a session when the audit file cannot be written (AUDIT_UNAVAILABLE)', async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  const dir = tempDir(t);
  mkdirSync(join(dir, 'audit-is-a-directory'));
  const file = writeConfig(dir, sim, { Drift: { slot: 2, channels: [0] } }, {
    head: ['gemcaen:', `  LogDirectory: "${join(dir, 'logs')}"`, `  SpoolDirectory: "${join(dir, 'spool')}"`, `  AuditFile: "${join(dir, 'audit-is-a-directory')}"`].join('\n'),
  });
  await sim.control.resetCounters();
  const r = await runCli(['--config', file, 'set', 'Drift', '--channel', '0', '--param', 'V0Set', '--value', '100', '--yes']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /audit file/);
  const c = await sim.control.counters();
  assert.equal(c.sessionsOpened, 0, 'no login');
  assert.equal(c.calls.CAENHV_SetChParam ?? 0, 0);
});
