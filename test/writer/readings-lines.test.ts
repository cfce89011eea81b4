// Lines straight from compact readings (src/writer/readings-lines.ts) against the points path they replace:
// for the same layouts and values, ReadingsLines gives exactly the lines toLine(dedup.filter(point)) gives
// for the points expandReadings makes, scan after scan (dedup by heartbeat, deadband, a clock that goes
// back, values that are not read, names that must be escaped or cannot be written, unsafe integers), and
// both paths decide on one memory per field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FieldSpec, PointTemplate, ReadingsLayout, ReadingsMessage } from '../../src/protocol.js';
import { expandReadings } from '../../src/readings.js';
import { Dedup, type DedupPolicy } from '../../src/writer/dedup.js';
import { seriesHead, toLine } from '../../src/writer/line-protocol.js';
import { ReadingsLines } from '../../src/writer/readings-lines.js';
import { prng } from '../helpers/prng.js';
import { collectLogs, makeWriter, tempDir } from './util.js';

const BITS = ['Status_ON', 'Status_RUP', 'Status_RDW', 'Status_OVC', 'Status_OVV', 'Status_UNV', 'Status_EXTTRIP', 'Status_MAXV'];

/** the lines of the points path: expand, dedup each point, serialise */
function pointLines(dedup: Dedup, sink: string, setup: string, layout: ReadingsLayout, values: ArrayLike<number>, timeMs: number): string[] {
  const out: string[] = [];
  for (const p of expandReadings(layout, values, timeMs)) {
    const kept = dedup.filter(setup, p, sink, seriesHead(p));
    const line = kept && toLine(kept);
    if (line !== undefined && kept) out.push(line);
  }
  return out;
}

function randomLayout(rnd: () => number): ReadingsLayout {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const all: FieldSpec[] = [
    { name: 'VMon', kind: 'float32' },
    { name: 'IMon', kind: 'float32' },
    { name: 'Pw', kind: 'int' },
    { name: 'Status', kind: 'status', bits: BITS },
    { name: 'a b,c=d', kind: 'float32' }, // escaped
    { name: 'trail\\', kind: 'int' }, // its trailing backslash is cut
    { name: '\\', kind: 'int' }, // escapes to '': never in a line, still deduplicated
  ];
  // in a random order: a field left out of the line (its key escapes to '') may take any position
  const channelFields = all.filter(() => rnd() < 0.8).sort(() => rnd() - 0.5);
  if (channelFields.length === 0) channelFields.push({ name: 'VMon', kind: 'float32' });
  const templates: PointTemplate[] = [];
  const channels = 1 + Math.floor(rnd() * 4);
  for (let c = 0; c < channels; c++) {
    const tags = { ChannelName: pick(['G3BOT', 'A B', 'x=y,z', 'LV']) + c, setup: 'S', slot: '2', empty: '', channel: String(c).padStart(2, '0') };
    templates.push({ measurement: pick(['HV', 'CAEN Board,Monitor']), tags, fields: channelFields });
    if (rnd() < 0.4) templates.push({ measurement: 'HV', tags, fields: [{ name: 'Ieq', kind: 'double' }] }); // same series as the channel
  }
  templates.push({ measurement: 'CAEN_Board', tags: { setup: 'S', board: 'A1535' }, fields: [{ name: 'Temp', kind: 'float32' }, { name: 'BdStatus', kind: 'int' }] });
  return { templates };
}

function randomValues(rnd: () => number, layout: ReadingsLayout, last: Float64Array | undefined): Float64Array {
  const width = layout.templates.reduce((n, t) => n + t.fields.length, 0);
  const v = new Float64Array(width);
  let at = 0;
  for (const t of layout.templates) {
    for (const f of t.fields) {
      const prev = last?.[at];
      const r = rnd();
      let x: number;
      if (prev !== undefined && r < 0.5) x = prev; // unchanged
      else if (r < 0.55) x = Number.NaN; // not read
      else if (r < 0.57) x = f.kind === 'int' || f.kind === 'status' ? 2 ** 60 : Number.POSITIVE_INFINITY; // not writable
      else if (prev !== undefined && Number.isFinite(prev) && r < 0.8) x = prev + (rnd() - 0.5) * 2; // drift, around the deadbands
      else x = f.kind === 'status' ? Math.floor(rnd() * 512) : f.kind === 'int' ? Math.floor(rnd() * 3) : Math.fround(rnd() * 1000);
      v[at++] = x;
    }
  }
  return v;
}

test('compact readings give the lines of the points path, scan after scan (random layouts and values, fixed seeds)', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const rnd = prng(seed);
    const policy: DedupPolicy = { heartbeatSeconds: 1 + Math.floor(rnd() * 5), deadbands: rnd() < 0.5 ? { VMon: 0.5, Pw: 1, Status_ON: 1, Ieq: 0.2 } : {} };
    const viaPoints = new Dedup({ S: policy });
    const direct = new Dedup({ S: policy });
    let layout = randomLayout(rnd);
    let lines = ReadingsLines.compile(layout, direct, 'db', 'S');
    let values: Float64Array | undefined;
    let t = 1_700_000_000_000;
    for (let scan = 0; scan < 40; scan++) {
      if (rnd() < 0.05) {
        layout = randomLayout(rnd); // a new plan: the memories of series and fields it keeps carry over
        lines = ReadingsLines.compile(layout, direct, 'db', 'S');
        values = undefined;
      }
      values = randomValues(rnd, layout, values);
      t += rnd() < 0.1 ? -1500 : Math.floor(rnd() * 1500); // now and then the clock goes back
      assert.ok(lines, 'a layout without a field named twice compiles');
      const got: string[] = [];
      lines.lines(values, t + 0.4, got);
      assert.deepEqual(got, pointLines(viaPoints, 'db', 'S', layout, values, t + 0.4), `seed ${seed}, scan ${scan}`);
    }
    assert.equal(direct.size, viaPoints.size, `seed ${seed}: the same values remembered`);
  }
});

test('a template naming one field twice is not compiled (the writer writes it through the points path)', () => {
  const layout: ReadingsLayout = { templates: [{ measurement: 'm', tags: {}, fields: [{ name: 'Status', kind: 'status', bits: ['X', 'X'] }] }] };
  assert.equal(ReadingsLines.compile(layout, new Dedup({}), 'db', 'S'), undefined);
});

test('points and compact readings of one series share its dedup memory', () => {
  const dedup = new Dedup({ S: { heartbeatSeconds: 300, deadbands: {} } });
  const layout: ReadingsLayout = { templates: [{ measurement: 'HV', tags: { ChannelName: 'G1' }, fields: [{ name: 'VMon', kind: 'float32' }, { name: 'Pw', kind: 'int' }] }] };
  const lines = ReadingsLines.compile(layout, dedup, 'db', 'S')!;
  const out: string[] = [];
  lines.lines(new Float64Array([Math.fround(433.4), 1]), 1000, out);
  assert.deepEqual(out, ['HV,ChannelName=G1 Pw=1i,VMon=433.4 1000']);
  // the same values as a point: already written
  assert.deepEqual(pointLines(dedup, 'db', 'S', layout, new Float64Array([Math.fround(433.4), 1]), 2000), []);
  // a change by a point is what the next scan is compared with
  assert.deepEqual(pointLines(dedup, 'db', 'S', layout, new Float64Array([Math.fround(433.4), 0]), 3000), ['HV,ChannelName=G1 Pw=0i 3000']);
  out.length = 0;
  lines.lines(new Float64Array([Math.fround(433.4), 0]), 4000, out);
  assert.deepEqual(out, []);
});

test('the writer takes compact readings: lines in the sink, a layout kept per channel, values before a layout refused', async (t) => {
  const dir = tempDir(t);
  const logs = collectLogs();
  const w = makeWriter([{ kind: 'file', id: 'files', directory: join(dir, 'lp') }], join(dir, 'spool'), { log: logs.log });
  await w.start();
  t.after(() => w.stop(1000));
  const layout: ReadingsLayout = { templates: [{ measurement: 'HV', tags: { ChannelName: 'G1' }, fields: [{ name: 'VMon', kind: 'float32' }] }] };
  const msg = (timeMs: number, v: number, withLayout: boolean): ReadingsMessage => ({ type: 'readings', setup: 'S', sink: 'files', timeMs, values: new Float64Array([v]), ...(withLayout ? { layout } : {}) });
  const a = {};
  const b = {};
  w.acceptReadings(msg(1000, 1, false), a);
  assert.ok(logs.lines.some((l) => l.level === 'error' && /before its layout/.test(l.message)), 'values before a layout: an error, nothing written');
  w.acceptReadings(msg(1000, 1, true), a);
  w.acceptReadings(msg(2000, 2, false), a); // the layout of channel a
  w.acceptReadings(msg(3000, 3, false), b); // channel b never sent one
  w.acceptReadings({ ...msg(4000, 4, false), values: new Float64Array(2) }, a); // does not fit the layout
  assert.equal(logs.lines.filter((l) => l.level === 'error').length, 3);
  await w.flush();
  await w.stop(1000);
  const lp = join(dir, 'lp');
  const text = readdirSync(lp).filter((f) => f.endsWith('.lp')).map((f) => readFileSync(join(lp, f), 'utf8')).join('');
  assert.equal(text, 'HV,ChannelName=G1 VMon=1 1000\nHV,ChannelName=G1 VMon=2 2000\n');
});
