import { describe, expect, it } from 'vitest';
import { AvroCodec } from '../../src/codec/avro-codec.js';
import type { Codec } from '../../src/codec/codec.js';
import { jsonCodec } from '../../src/codec/json-codec.js';
import { InMemorySchemaRegistry } from '../../src/codec/schema-registry.js';
import { encodeEvent } from '../../src/envelope/encode.js';
import { EventHeaders, type EventRecord } from '../../src/envelope/record.js';
import { TributaryError } from '../../src/errors.js';
import { Event } from '../../src/event/event.js';

const id = '0190163d-8694-739b-aea5-966c26f8ad91';
const millis = Date.UTC(2024, 4, 1, 12, 0, 0, 123);

function texts(headers: Record<string, Buffer>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, value.toString('utf8')]));
}

describe('encodeEvent', () => {
  it('writes the payload, the key and every header, synchronously with a synchronous codec', () => {
    const event = Event.create({ id, category: 'user.created', type: 'v2', key: 'user-7', timestamp: millis, headers: { trace: 'abc', note: 'né' }, payload: { name: 'Zoë' } });
    const record = encodeEvent(event, jsonCodec, 'users') as EventRecord;
    expect(record).not.toBeInstanceOf(Promise);
    expect(record.value.toString('utf8')).toBe('{"name":"Zoë"}');
    expect(record.key?.toString('utf8')).toBe('user-7');
    expect(record.timestamp).toBe(String(millis));
    expect(texts(record.headers)).toEqual({
      [EventHeaders.id]: id,
      [EventHeaders.category]: 'user.created',
      [EventHeaders.type]: 'v2',
      [EventHeaders.timestamp]: '1714564800123',
      [EventHeaders.codec]: 'json',
      trace: 'abc',
      note: 'né',
    });
  });

  it('leaves the type header out when the event has no type, and keys by category by default', () => {
    const record = encodeEvent(Event.create({ category: 'user.created', payload: 1 }), jsonCodec, 'users') as EventRecord;
    expect(record.headers[EventHeaders.type]).toBeUndefined();
    expect(record.key?.toString()).toBe('user.created');
    expect(Object.keys(record.headers)).toEqual([EventHeaders.id, EventHeaders.category, EventHeaders.timestamp, EventHeaders.codec]);
  });

  it('gives each record its own id and timestamp, even when other records share bytes', () => {
    const events = [0, 0, 1, 1, 2].map((d, i) =>
      Event.create({ id: `0190163d-8694-739b-aea5-966c26f8ad9${i}`, category: 'user.created', timestamp: millis + d, payload: i }),
    );
    const records = events.map((e) => encodeEvent(e, jsonCodec, 'users') as EventRecord);
    expect(records.map((r) => r.headers[EventHeaders.id]!.toString())).toEqual(events.map((e) => e.id));
    expect(records.map((r) => r.timestamp)).toEqual(events.map((e) => String(e.timestampMillis)));
    expect(records.map((r) => r.headers[EventHeaders.timestamp]!.toString())).toEqual(events.map((e) => String(e.timestampMillis)));
  });

  it('returns a Promise when the codec must first register a schema, then encodes synchronously', async () => {
    const avro = new AvroCodec({ registry: new InMemorySchemaRegistry(), schemas: { 'users-value': 'string' } });
    const event = Event.create({ category: 'user.created', payload: 'Zoë' });
    const first = encodeEvent(event, avro, 'users');
    expect(first).toBeInstanceOf(Promise);
    expect((await first).headers[EventHeaders.codec]!.toString()).toBe('avro');
    expect(encodeEvent(event, avro, 'users')).not.toBeInstanceOf(Promise);
  });

  it('passes on the codec\'s ENCODE_FAILED, naming the topic and category', () => {
    const event = Event.create({ category: 'user.created', payload: { amount: 1n } });
    expect(() => encodeEvent(event, jsonCodec, 'users')).toThrow(TributaryError);
    expect(() => encodeEvent(event, jsonCodec, 'users')).toThrow(/"user\.created".*"users"/);
  });

  it('rejects when an asynchronous codec fails', async () => {
    const failing: Codec = { name: 'failing', encode: () => Promise.reject(new TributaryError('ENCODE_FAILED', 'no')), decode: () => null };
    await expect(encodeEvent(Event.create({ category: 'a', payload: 1 }), failing, 't')).rejects.toMatchObject({ code: 'ENCODE_FAILED' });
  });
});
