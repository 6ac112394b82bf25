import { describe, expect, it } from 'vitest';
import { TextCache } from '../../src/envelope/text-cache.js';

describe('TextCache', () => {
  it('gives the text of the bytes, and the same entry while the bytes repeat', () => {
    const cache = new TextCache('utf8');
    const a = cache.get(Buffer.from('order.created'));
    expect(a.text).toBe('order.created');
    a.checked = true;
    const again = cache.get(Buffer.from('order.created'));
    expect(again).toBe(a);
    expect(again.checked).toBe(true);
  });

  it('never mixes up values, whatever collides in the table (random values)', () => {
    const cache = new TextCache('latin1');
    const values = Array.from({ length: 2000 }, (_, i) => `cat.${i.toString(36)}${'x'.repeat(i % 7)}`);
    for (let round = 0; round < 3; round++) {
      for (const v of [...values].sort(() => Math.random() - 0.5)) expect(cache.get(Buffer.from(v, 'latin1')).text).toBe(v);
    }
  });

  it('keeps a copy, so changing the record buffer later changes nothing', () => {
    const cache = new TextCache('utf8');
    const bytes = Buffer.from('json');
    cache.get(bytes);
    bytes.write('avro');
    expect(cache.get(Buffer.from('json')).text).toBe('json');
    expect(cache.get(bytes).text).toBe('avro');
  });

  it('reads long values without keeping them', () => {
    const cache = new TextCache('utf8');
    const long = Buffer.from('é'.repeat(300));
    expect(cache.get(long).text).toBe('é'.repeat(300));
    expect(cache.get(long)).not.toBe(cache.get(long));
  });
});
