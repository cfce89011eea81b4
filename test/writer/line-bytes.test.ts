// LineBytes (src/writer/line-bytes.ts): the batch a sink queue gathers, written as bytes. Its bytes are
// the lines as the spool stores them (UTF-8, each followed by a newline), whatever mix of whole lines
// and lines written part by part, across the growth of its buffer; a line without a field is taken
// back; take() starts over and hands out bytes that later writes do not change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyLines, LineBytes } from '../../src/writer/line-bytes.js';

test('LineBytes: whole lines and lines written part by part give the UTF-8 of the lines, each ending in a newline', () => {
  const b = new LineBytes();
  b.line('m,tag=α x=1 10');
  b.begin(Buffer.from('ch,mainframe=GEM\\ 1,setup=S'));
  b.field(Buffer.from('IMon='), '0.25');
  b.field(Buffer.from('Status_ON='), '1i');
  b.end('1700000000000');
  b.begin(Buffer.from('board,slot=03'));
  b.field(Buffer.from('Temp='), '31.5');
  b.end('1700000000001');
  assert.equal(b.lines, 3);
  const expected = 'm,tag=α x=1 10\nch,mainframe=GEM\\ 1,setup=S IMon=0.25,Status_ON=1i 1700000000000\nboard,slot=03 Temp=31.5 1700000000001\n';
  assert.equal(b.bytes, Buffer.byteLength(expected));
  const body = b.take();
  assert.equal(body.toString('utf8'), expected);
  assert.deepEqual(bodyLines(body), expected.slice(0, -1).split('\n'));
  assert.equal(b.lines, 0);
  assert.equal(b.bytes, 0);
});

test('LineBytes: a line begun without a field is taken back, the lines before it stay', () => {
  const b = new LineBytes();
  b.line('a x=1 1');
  b.begin(Buffer.from('m,t=v'));
  b.end('2');
  assert.equal(b.lines, 1);
  b.begin(Buffer.from('m,t=w'));
  b.field(Buffer.from('x='), '3');
  b.end('4');
  assert.equal(b.take().toString(), 'a x=1 1\nm,t=w x=3 4\n');
});

test('LineBytes: lines across the growth of its buffer, and take() out of a reused buffer, keep their bytes', () => {
  const b = new LineBytes();
  const long = 'h,'.padEnd(300, 'k');
  const lines: string[] = [];
  for (let i = 0; i < 2000; i++) {
    if (i % 3 === 0) {
      const l = `m,i=${i} v=${i / 7} ${i}`;
      b.line(l);
      lines.push(l);
    } else {
      b.begin(Buffer.from(long));
      b.field(Buffer.from('VMon='), String(i * 1.5));
      b.field(Buffer.from('a\\ b='), `${i}i`);
      b.end(String(1e12 + i));
      lines.push(`${long} VMon=${i * 1.5},a\\ b=${i}i ${1e12 + i}`);
    }
  }
  const first = b.take();
  assert.equal(first.toString(), lines.join('\n') + '\n');
  b.line('after x=1 1');
  const second = b.take();
  assert.equal(second.toString(), 'after x=1 1\n');
  assert.equal(first.toString(), lines.join('\n') + '\n'); // the first batch's bytes are its own
  assert.deepEqual(bodyLines(b.take()), []);
});
