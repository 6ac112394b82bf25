import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { toTimestamp } from '../../src/event/timestamp.js';

const MS = Date.UTC(2024, 4, 1, 10, 0, 0, 123);

describe('toTimestamp', () => {
  it.each([
    ['a DateTime in another zone', DateTime.fromMillis(MS, { zone: 'Asia/Tokyo' })],
    ['a Date', new Date(MS)],
    ['an ISO string with an offset', '2024-05-01T12:00:00.123+02:00'],
    ['an ISO string without an offset (read as UTC)', '2024-05-01T10:00:00.123'],
    ['epoch milliseconds', MS],
  ])('accepts %s, giving UTC with milliseconds', (_label, input) => {
    const time = toTimestamp(input);
    expect(time.toMillis()).toBe(MS);
    expect(time.zoneName).toBe('UTC');
    expect(time.toISO()).toBe('2024-05-01T10:00:00.123Z');
  });

  it.each([
    ['an invalid Date', new Date(Number.NaN)],
    ['a non-ISO string', 'yesterday'],
    ['fractional milliseconds', 1.5],
    ['a time before 1970', -1],
    ['NaN', Number.NaN],
    ['null', null],
    ['an invalid DateTime', DateTime.invalid('broken')],
  ])('rejects %s, naming the accepted forms', (_label, input) => {
    expect(() => toTimestamp(input as never)).toThrow(InvalidArgumentError);
    expect(() => toTimestamp(input as never)).toThrow(/ISO 8601/);
  });
});
