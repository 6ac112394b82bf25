import { describe, expect, it } from 'vitest';
import { LineSplitter, type SplitLine } from '../../src/gateway/line-splitter.js';
import { random } from '../codec/generate.js';

const show = (lines: SplitLine[]) => lines.map((l) => (l.kind === 'line' ? `${l.number}:${l.bytes.toString('utf8')}` : `${l.number}:too-long`));

describe('LineSplitter', () => {
  it('splits at newlines, numbering every line from 1, empty ones too, and drops a \\r before the \\n', () => {
    const splitter = new LineSplitter(100);
    expect(show(splitter.push(Buffer.from('a\r\n\nbc\nde')))).toEqual(['1:a', '2:', '3:bc']);
    expect(show(splitter.push(Buffer.from('f\ng')))).toEqual(['4:def']);
    expect(show(splitter.end())).toEqual(['5:g']);
    expect(show(splitter.end())).toEqual([]);
  });

  it('gives the same lines however the bytes are cut into chunks', () => {
    const text = Buffer.from('{"action":"put"}\nsecond line\n\nünïcödé 🎉\nlast\n');
    const whole = show(new LineSplitter(1000).push(text));
    for (let seed = 1; seed <= 200; seed++) {
      const next = random(seed);
      const splitter = new LineSplitter(1000);
      const got: SplitLine[] = [];
      for (let at = 0; at < text.length; ) {
        const size = 1 + Math.floor(next() * 7);
        got.push(...splitter.push(text.subarray(at, at + size)));
        at += size;
      }
      expect(show(got), `seed ${seed}`).toEqual(whole);
    }
  });

  it('reports a line over the limit once, as soon as it passes it, and skips the rest of it', () => {
    const splitter = new LineSplitter(5);
    expect(show(splitter.push(Buffer.from('ok\n1234')))).toEqual(['1:ok']);
    expect(show(splitter.push(Buffer.from('56')))).toEqual(['2:too-long']);
    expect(show(splitter.push(Buffer.from('7'.repeat(10_000))))).toEqual([]);
    expect(show(splitter.push(Buffer.from('89\n12345\n123456\nend')))).toEqual(['3:12345', '4:too-long']);
    expect(show(splitter.end())).toEqual(['5:end']);
  });

  it('does not count the newline, and counts a \\r, against the limit', () => {
    expect(show(new LineSplitter(3).push(Buffer.from('abc\nab\r\nabc\r\n')))).toEqual(['1:abc', '2:ab', '3:too-long']);
  });

  it('holds no more than the limit of an endless line', () => {
    const splitter = new LineSplitter(1024);
    for (let i = 0; i < 1000; i++) splitter.push(Buffer.alloc(64 * 1024, 0x78));
    expect(show(splitter.push(Buffer.from('\nnext\n')))).toEqual(['2:next']);
  });
});
