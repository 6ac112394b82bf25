import { describe, expect, it } from 'vitest';
import { JsonCodec, jsonCodec } from '../../src/codec/json-codec.js';
import { failure } from '../support/failure.js';

const ctx = { topic: 'orders', category: 'order.placed' };

describe('JsonCodec', () => {
  it('is named json and shared', () => {
    expect(jsonCodec).toBeInstanceOf(JsonCodec);
    expect(jsonCodec.name).toBe('json');
  });

  it('writes UTF-8 JSON, synchronously, and reads it back', () => {
    const payload = { id: 'o-1', amount: 12.5, tags: ['a', 'é', '😀'], nested: { ok: true, none: null } };
    const bytes = jsonCodec.encode(payload, ctx);
    expect(bytes).toBeInstanceOf(Buffer);
    expect(bytes.toString('utf8')).toBe(JSON.stringify(payload));
    expect(jsonCodec.decode(bytes, ctx)).toEqual(payload);
  });

  it('reads a payload that is a view into a larger buffer (as records of a fetch are)', () => {
    const fetch = Buffer.from('xx{"a":"é"}{"b":1}yy');
    const split = 2 + Buffer.byteLength('{"a":"é"}');
    expect(jsonCodec.decode(fetch.subarray(2, split), ctx)).toEqual({ a: 'é' });
    expect(jsonCodec.decode(fetch.subarray(split, fetch.length - 2), ctx)).toEqual({ b: 1 });
  });

  it.each([
    ['a string', 'hello'],
    ['a number', 42],
    ['null', null],
    ['an array', [1, 'two', null]],
  ])('round-trips %s', (_what, payload) => {
    expect(jsonCodec.decode(jsonCodec.encode(payload, ctx), ctx)).toEqual(payload);
  });

  it('follows JSON inside objects: undefined and functions are left out, a Date becomes ISO text', () => {
    const bytes = jsonCodec.encode({ a: undefined, f: () => 1, at: new Date(Date.UTC(2024, 0, 2)) }, ctx);
    expect(bytes.toString()).toBe('{"at":"2024-01-02T00:00:00.000Z"}');
  });

  const cycle: Record<string, unknown> = { name: 'loop' };
  cycle.self = cycle;

  it.each([
    ['a BigInt', { amount: 10n }, /BigInt/],
    ['a cycle', cycle, /circular/i],
    ['undefined', undefined, /undefined/],
    ['a function', () => 1, /function/],
    ['a symbol', Symbol('s'), /symbol/],
  ])('refuses %s with ENCODE_FAILED naming the category, topic and why', (_what, payload, why) => {
    const error = failure(() => jsonCodec.encode(payload, ctx));
    expect(error.code).toBe('ENCODE_FAILED');
    expect(error.message).toContain('"order.placed"');
    expect(error.message).toContain('"orders"');
    expect(error.message).toMatch(why);
    expect(error.context).toMatchObject({ codec: 'json', topic: 'orders', category: 'order.placed' });
  });

  it.each([
    ['text that is not JSON', Buffer.from('{"a":')],
    ['nothing', Buffer.alloc(0)],
    ['bytes that are not UTF-8', Buffer.from([0x22, 0xff, 0xfe, 0x22])],
    ['an encoded UTF-16 surrogate, which UTF-8 forbids', Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22])],
    ['an overlong encoding', Buffer.from([0x22, 0xc0, 0xa2, 0x22])],
  ])('refuses %s with DECODE_FAILED', (_what, bytes) => {
    const error = failure(() => jsonCodec.decode(bytes, ctx));
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.message).toContain('"orders"');
    expect(error.cause).toBeDefined();
  });
});
