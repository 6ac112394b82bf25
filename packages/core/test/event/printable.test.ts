import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { SECRET_MASK, toPrintableValue } from '../../src/event/printable.js';

describe('toPrintableValue', () => {
  it('masks secret fields at any depth, in arrays too, ignoring case', () => {
    const value = { a: { apiKey: 1, list: [{ APIKEY: { nested: 'x' } }, 'apiKey'] }, apikeys: 'kept' };
    expect(toPrintableValue(value, { secretFields: ['apiKey'] })).toEqual({
      a: { apiKey: SECRET_MASK, list: [{ APIKEY: SECRET_MASK }, 'apiKey'] },
      apikeys: 'kept',
    });
  });

  it('cuts strings longer than the limit and keeps shorter ones whole', () => {
    expect(toPrintableValue(['abcdef', 'abc'], { maxStringLength: 3 })).toEqual(['abc…(6 chars)', 'abc']);
    expect(toPrintableValue('y'.repeat(201))).toBe(`${'y'.repeat(200)}…(201 chars)`);
  });

  it('shows bytes, bigints, dates and cycles without throwing', () => {
    const cyclic: Record<string, unknown> = { name: 'c' };
    cyclic.self = cyclic;
    const out = toPrintableValue({
      bytes: Buffer.from('abcd'),
      big: 2n ** 64n,
      date: new Date(0),
      time: DateTime.fromMillis(0, { zone: 'utc' }),
      cyclic,
      map: new Map([['k', 'v']]),
    });
    expect(out).toEqual({
      bytes: '<4 bytes>',
      big: '18446744073709551616n',
      date: '1970-01-01T00:00:00.000Z',
      time: '1970-01-01T00:00:00.000Z',
      cyclic: { name: 'c', self: '<circular>' },
      map: { k: 'v' },
    });
  });

  it('prints a value seen twice (not a cycle) in full both times', () => {
    const shared = { x: 1 };
    expect(toPrintableValue({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });
});
