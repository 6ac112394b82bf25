import { describe, expect, it } from 'vitest';
import { parseDecimal, parseList, readProperty } from '../../src/filter/property-values.js';

describe('parseDecimal', () => {
  it.each([
    ['0', 0],
    ['42', 42],
    ['-1.5', -1.5],
    ['+7', 7],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['2.5E-1', 0.25],
    ['1700000000000', 1_700_000_000_000],
  ])('reads %j as %d', (text, number) => {
    expect(parseDecimal(text)).toBe(number);
  });

  it.each([undefined, '', ' ', ' 1', '1 ', '0x1F', 'Infinity', '-Infinity', 'NaN', '1_000', '1,5', '1e', 'e3', '--1', '1e999', 'abc', '12abc'])(
    'reads %j as no number',
    (text) => {
      expect(parseDecimal(text)).toBeUndefined();
    },
  );

  it('agrees with Number on every plain decimal it accepts', () => {
    for (const text of ['1', '-0.25', '3.14159', '6.02e23', '-1e-7', '007']) expect(parseDecimal(text)).toBe(Number(text));
  });
});

describe('parseList', () => {
  it.each([
    ['admin', ['admin']],
    ['admin,client', ['admin', 'client']],
    [' admin , client ', ['admin', 'client']],
    ['New York, Paris', ['New York', 'Paris']],
    ['"admin","client"', ['admin', 'client']],
    ['"admin" "client"', ['admin', 'client']],
    ["'admin', \"client\"", ['admin', 'client']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say \\"hi\\"",x', ['say "hi"', 'x']],
    ['"", x', ['', 'x']],
    ['a,,b,', ['a', 'b']],
    ['"unclosed, still read', ['unclosed, still read']],
    ['', []],
    ['  ', []],
  ])('reads %j as %j', (value, items) => {
    expect(parseList(value)).toEqual(items);
  });

  it('never fails, whatever the text', () => {
    const alphabet = ['a', ',', ' ', '"', "'", '\\'];
    for (let n = 0; n < 6 ** 5; n += 1) {
      const text = Array.from({ length: 5 }, (_, i) => alphabet[Math.floor(n / 6 ** i) % 6]).join('');
      expect(() => parseList(text)).not.toThrow();
    }
  });
});

describe('readProperty', () => {
  it('reads own string properties only', () => {
    expect(readProperty({ A: 'x' }, 'A')).toBe('x');
    expect(readProperty({ A: '' }, 'A')).toBe('');
    expect(readProperty({}, 'A')).toBeUndefined();
    expect(readProperty({}, 'constructor')).toBeUndefined();
    expect(readProperty({}, '__proto__')).toBeUndefined();
    expect(readProperty(Object.create({ A: 'x' }), 'A')).toBeUndefined();
    expect(readProperty({ A: 5 }, 'A')).toBeUndefined();
    expect(readProperty(null, 'A')).toBeUndefined();
    expect(readProperty('A', 'length')).toBeUndefined();
  });
});
