import { describe, expect, it } from 'vitest';
import type { Codec } from '../../src/codec/codec.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { Event } from '../../src/event/event.js';
import { createCodecSelector } from '../../src/plugin/codec-selector.js';

const codec = (name: string): Codec => ({ name, encode: () => Buffer.alloc(0), decode: () => null });
const event = (category: string): Event => Event.create({ category, payload: null });

describe('createCodecSelector', () => {
  const avro = codec('avro');
  const proto = codec('proto');
  const audit = codec('audit');
  const fallback = codec('fallback');
  const select = createCodecSelector({
    default: fallback,
    topics: { audit: audit },
    categories: { 'user.created': proto, 'user.*': avro, 'billing.invoice.*': proto },
  });

  it.each([
    ['user.created', 'orders', 'proto'],
    ['user.deleted', 'orders', 'avro'],
    ['user.deleted.v2', 'audit', 'avro'],
    ['billing.invoice.paid', 'orders', 'proto'],
    ['billing.refund', 'audit', 'audit'],
    ['user', 'orders', 'fallback'],
    ['other', 'orders', 'fallback'],
  ])('picks the codec for %s on %s: %s (category, then topic, then default)', (category, topic, name) => {
    expect(select(event(category), topic).name).toBe(name);
  });

  it('defaults to JSON', () => {
    expect(createCodecSelector()(event('a'), 't').name).toBe('json');
    expect(createCodecSelector({ topics: { t: avro } })(event('a'), 'u').name).toBe('json');
  });

  it('rejects a route to something that is not a codec', () => {
    expect(() => createCodecSelector({ categories: { 'a.*': {} as Codec } })).toThrow(InvalidArgumentError);
    expect(() => createCodecSelector({ categories: { 'a.*': {} as Codec } })).toThrow(/category "a\.\*"/);
  });
});
