// Triple-GEM logging end to end: the real daemon (`gemcaen start`) polls the simulated A1515TG and writes
// through the FILE sink; the line-protocol files are parsed back. Ieq = VMon / R per electrode, both
// layers of one board stay distinct series, a non-A1515 board pauses the setup with one message, and
// a misnamed channel costs only its Ieq (one warning).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSim } from '../helpers/sim.js';
import type { HealthReport } from '../../src/supervisor/state.js';
import { settingsYaml, startDaemon, tempDir } from '../daemon/run-daemon.js';
import { DEFAULT_RESISTORS_MOHM, ELECTRODE_ALIASES, ELECTRODE_SUFFIXES } from '../../src/gem/index.js';
import { gemCratesYaml, writeConfig } from '../helpers/cli.js';

interface Line {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number>;
  timeMs: number;
}

/** Line protocol as src/writer/line-protocol.ts writes it (no spaces or commas in our tag values). */
function parseLine(text: string): Line {
  const [head, fieldText, time] = text.split(' ');
  const [measurement, ...tagParts] = (head as string).split(',');
  const tags = Object.fromEntries(tagParts.map((t) => t.split('=') as [string, string]));
  const fields = Object.fromEntries(
    (fieldText as string).split(',').map((f) => {
      const [k, v] = f.split('=') as [string, string];
      return [k, Number(v.endsWith('i') ? v.slice(0, -1) : v)];
    }),
  );
  return { measurement: measurement as string, tags, fields, timeMs: Number(time) };
}

function readRawLines(dir: string): Line[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.lp'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map(parseLine));
}

/** The lines as InfluxDB stores them: the fields of one series (measurement + tags) and time merged. */
function readLines(dir: string): Line[] {
  const merged = new Map<string, Line>();
  for (const l of readRawLines(dir)) {
    const key = `${l.measurement},${Object.entries(l.tags).sort().map(([k, v]) => `${k}=${v}`).join(',')} ${l.timeMs}`;
    const prev = merged.get(key);
    if (prev) Object.assign(prev.fields, l.fields);
    else merged.set(key, { ...l, fields: { ...l.fields } });
  }
  return [...merged.values()];
}

const R = (c: number): number => DEFAULT_RESISTORS_MOHM[ELECTRODE_SUFFIXES[c % 7] as keyof typeof DEFAULT_RESISTORS_MOHM];

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('both layers of one A1515TG into one FILE sink: HV, ChannelName alias, layer tag, Ieq = VMon / R', async (t) => {
  const sim = await startSim({ seed: 21 });
  t.after(() => sim.stop());
  const dir = tempDir(t, 'gemcaen-gem-');
  const data = join(dir, 'data');
  const config = writeConfig(dir, sim, { GemL1: { slot: 0, layer: 1 }, GemL2: { slot: 0, layer: 2 } }, { head: settingsYaml(dir) });
  const d = startDaemon(['-c', config, 'start', 'GemL1', 'GemL2']);
  t.after(() => d.stop());
  await until(() => new Set(readLines(data).filter((l) => l.measurement === 'HV').map((l) => `${l.tags.layer}/${l.tags.ChannelName}`)).size === 14, 20_000, '14 series');
  const first = await d.health();
  const scansOf = (h: HealthReport, name: string) => h.setups.find((x) => x.name === name)?.scans ?? 0;
  await d.untilHealth('three more scans of each layer', (h) => scansOf(h, 'GemL1') >= scansOf(first, 'GemL1') + 3 && scansOf(h, 'GemL2') >= scansOf(first, 'GemL2') + 3);
  assert.equal(await d.stop(), 0);

  const hv = readLines(data).filter((l) => l.measurement === 'HV');
  const series = new Map<string, Line[]>();
  for (const l of hv) {
    const key = Object.entries(l.tags).sort().map(([k, v]) => `${k}=${v}`).join(',');
    series.set(key, [...(series.get(key) ?? []), l]);
  }
  assert.equal(series.size, 14, 'seven electrodes x two layers, no collision');
  for (const layer of ['1', '2']) {
    const names = hv.filter((l) => l.tags.layer === layer).map((l) => l.tags.ChannelName);
    assert.deepEqual([...new Set(names)].sort(), [...ELECTRODE_ALIASES].sort(), `layer ${layer}`);
  }
  let checked = 0;
  let fractional = 0;
  for (const l of hv) {
    const channel = Number(l.tags.channel);
    assert.equal(l.tags.setup, channel < 7 ? 'GemL1' : 'GemL2');
    assert.equal(l.tags.layer, channel < 7 ? '1' : '2');
    assert.equal(l.tags.ChannelName, ELECTRODE_ALIASES[channel % 7]);
    assert.equal(l.tags.board, 'A1515TG');
    if (l.fields.Ieq === undefined) continue;
    assert.ok(l.fields.VMon !== undefined, 'Ieq comes with the VMon it was computed from');
    assert.equal(l.fields.Ieq, Number(((l.fields.VMon as number) / R(channel)).toFixed(1)), `channel ${channel}: Ieq = VMon / R, one decimal`);
    if (!Number.isInteger(l.fields.Ieq)) fractional++;
    checked++;
  }
  assert.ok(checked >= 14, `Ieq checked on ${checked} lines`);
  assert.ok(fractional > 0, 'Ieq keeps its decimal (not truncated to an integer as the original did)');
  // in the files, Ieq is a line of its own (a type conflict with an old integer Ieq costs only Ieq)
  const raw = readRawLines(data).filter((l) => l.measurement === 'HV');
  assert.ok(raw.some((l) => l.fields.Ieq !== undefined));
  for (const l of raw) if (l.fields.Ieq !== undefined) assert.deepEqual(Object.keys(l.fields), ['Ieq'], 'Ieq alone on its line');
});

test('a GEM setup on an A1535: paused with one message naming the slot and the model, nothing written', async (t) => {
  const sim = await startSim({ cratesYaml: gemCratesYaml({ model: 'A1535' }) });
  t.after(() => sim.stop());
  const dir = tempDir(t, 'gemcaen-gem-');
  const data = join(dir, 'data');
  const config = writeConfig(dir, sim, { Gem: { slot: 0, layer: 1, holdOffSeconds: 0.5 }, Plain: { slot: 2, channels: [0] } }, { head: settingsYaml(dir) });
  const d = startDaemon(['-c', config, 'start', 'Gem', 'Plain']);
  t.after(() => d.stop());
  const gem = (h: HealthReport) => h.setups.find((x) => x.name === 'Gem');
  const paused = await d.untilHealth('Gem paused', (h) => gem(h)?.paused === true);
  assert.match(gem(paused)?.reason ?? '', /A1535/);
  await d.waitFor(/slot 0 holds a A1535, not an A1515: a GEM setup needs a triple-GEM board/);
  await until(() => readLines(data).some((l) => l.tags.setup === 'Plain'), 15_000, 'the other setup logging');
  // the paused setup's hold-offs go by (0.5 s; Plain scans every 1 s, four times): the message stays one
  const plainScans = (h: HealthReport) => h.setups.find((x) => x.name === 'Plain')?.scans ?? 0;
  const from = plainScans(paused);
  await d.untilHealth('four more scans of Plain', (h) => plainScans(h) >= from + 4);
  assert.equal(await d.stop(), 0);
  assert.equal(d.lines.filter((l) => /not an A1515/.test(l)).length, 1, 'logged once');
  assert.equal(readLines(data).filter((l) => l.tags.setup === 'Gem').length, 0);
});

test('a misnamed GEM channel: one warning with the names and suffixes; its Ieq is missing, the rest is logged', async (t) => {
  const sim = await startSim({ cratesYaml: gemCratesYaml({ names: { 2: 'GEM1_MIDDLE' } }) });
  t.after(() => sim.stop());
  const dir = tempDir(t, 'gemcaen-gem-');
  const data = join(dir, 'data');
  const config = writeConfig(dir, sim, { Gem: { slot: 0, layer: 1, holdOffSeconds: 0.5 } }, { head: settingsYaml(dir) });
  const d = startDaemon(['-c', config, 'start', 'Gem']);
  t.after(() => d.stop());
  await d.waitFor(/channel 2 "GEM1_MIDDLE" has no electrode suffix/);
  await until(() => readLines(data).filter((l) => l.tags.channel === '02').length >= 2, 15_000, 'two lines of channel 2');
  assert.equal(await d.stop(), 0);
  const warnings = d.lines.filter((l) => /GEM1_MIDDLE/.test(l));
  assert.equal(warnings.length, 1, 'warned once');
  assert.match(warnings[0] as string, /expected names ending in _G3BOT, _G3TOP, _G2BOT, _G2TOP, _G1BOT, _G1TOP, _G0BOT/);
  const lines = readLines(data).filter((l) => l.measurement === 'HV');
  for (let c = 0; c < 7; c++) assert.ok(lines.some((l) => Number(l.tags.channel) === c && l.fields.VMon !== undefined), `VMon of channel ${c} logged`);
  for (const l of lines) {
    if (l.tags.channel === '02') assert.equal(l.fields.Ieq, undefined, 'no Ieq without a resistor');
    else if (l.fields.Ieq !== undefined) assert.equal(l.fields.Ieq, Number(((l.fields.VMon as number) / R(Number(l.tags.channel))).toFixed(1)));
  }
  assert.ok(lines.some((l) => l.tags.channel === '00' && l.fields.Ieq !== undefined));
});
