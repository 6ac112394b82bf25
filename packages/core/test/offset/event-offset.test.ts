import { describe, expect, it } from 'vitest';
import { ErrorCodes, InvalidArgumentError, TributaryError } from '../../src/errors.js';
import { EventOffset, MAX_OFFSET } from '../../src/offset/event-offset.js';

describe('EventOffset', () => {
  it.each([
    ['orders:0@0', 'orders', 0, 0n],
    ['orders.v1_x-y:2147483647@42', 'orders.v1_x-y', 2147483647, 42n],
    ['t:3@9223372036854775807', 't', 3, MAX_OFFSET],
    ['t:0@9007199254740993', 't', 0, 9007199254740993n],
  ])('parses %s exactly and prints it back', (text, topic, partition, offset) => {
    const parsed = EventOffset.parse(text);
    expect([parsed.topic, parsed.partition, parsed.offset]).toEqual([topic, partition, offset]);
    expect(parsed.toString()).toBe(text);
    expect(JSON.stringify({ at: parsed })).toBe(JSON.stringify({ at: text }));
  });

  it.each([
    'orders',
    'orders@1',
    ':0@1',
    'orders:@1',
    'orders:0@',
    'orders:-1@1',
    'orders:01@1',
    'orders:0@01',
    'orders:0@-1',
    'orders:0@1.5',
    'orders:0@9223372036854775808',
    'orders:2147483648@1',
    'a:b:0@1',
    'a@b:0@1',
    'spaced topic:0@1',
  ])('rejects %j, quoting it and naming the expected form', (text) => {
    let error: unknown;
    try {
      EventOffset.parse(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toContain(JSON.stringify(text));
    expect((error as Error).message).toContain('topic:partition@offset');
  });

  it('accepts offsets as bigint, decimal string or safe integer, and rejects unsafe numbers', () => {
    expect(EventOffset.of('t', 0, '18').equals(EventOffset.of('t', 0, 18))).toBe(true);
    expect(EventOffset.of('t', 0, 18n).offset).toBe(18n);
    expect(() => EventOffset.of('t', 0, 2 ** 53)).toThrow(InvalidArgumentError);
    expect(() => EventOffset.of('t', 0, -1n)).toThrow(InvalidArgumentError);
    expect(() => EventOffset.of('t', 1.5, 0)).toThrow(/partition/);
  });

  it('next() adds one exactly, past 2^53', () => {
    const offset = EventOffset.of('t', 1, 9007199254740992n);
    expect(offset.next().offset).toBe(9007199254740993n);
    expect(offset.next().toString()).toBe('t:1@9007199254740993');
    expect(offset.offset).toBe(9007199254740992n);
  });

  it('next() of the largest offset fails with OFFSET_OUT_OF_RANGE', () => {
    const last = EventOffset.of('t', 0, MAX_OFFSET);
    expect(() => last.next()).toThrow(TributaryError);
    try {
      last.next();
    } catch (error) {
      expect((error as TributaryError).code).toBe(ErrorCodes.OFFSET_OUT_OF_RANGE);
    }
  });

  it('compare() orders by topic, then partition, then offset', () => {
    const texts = ['b:0@1', 'a:10@0', 'a:2@100', 'a:2@99', 'a:2@9223372036854775807', 'a:2@9223372036854775806'];
    const sorted = texts.map((t) => EventOffset.parse(t)).sort(EventOffset.compare).map(String);
    expect(sorted).toEqual(['a:2@99', 'a:2@100', 'a:2@9223372036854775806', 'a:2@9223372036854775807', 'a:10@0', 'b:0@1']);
    expect(EventOffset.compare(EventOffset.parse('a:0@5'), EventOffset.parse('a:0@5'))).toBe(0);
  });

  it('equals() compares every field', () => {
    const a = EventOffset.of('t', 0, 5);
    expect(a.equals(EventOffset.parse('t:0@5'))).toBe(true);
    expect(a.equals(EventOffset.of('t', 1, 5))).toBe(false);
    expect(a.equals(EventOffset.of('u', 0, 5))).toBe(false);
    expect(a.equals(EventOffset.of('t', 0, 6))).toBe(false);
    expect(a.equals(undefined)).toBe(false);
  });

  it('is immutable', () => {
    const a = EventOffset.of('t', 0, 5);
    expect(() => ((a as { offset: bigint }).offset = 6n)).toThrow(TypeError);
  });
});
