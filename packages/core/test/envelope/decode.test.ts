import { describe, expect, it } from 'vitest';
import { AvroCodec } from '../../src/codec/avro-codec.js';
import type { Codec } from '../../src/codec/codec.js';
import { createCodecLookup } from '../../src/codec/codec-lookup.js';
import { jsonCodec } from '../../src/codec/json-codec.js';
import { InMemorySchemaRegistry } from '../../src/codec/schema-registry.js';
import { decodeEvent, readCategory } from '../../src/envelope/decode.js';
import { encodeEvent } from '../../src/envelope/encode.js';
import { EventHeaders, type EventRecord } from '../../src/envelope/record.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { Event } from '../../src/event/event.js';
import { EventOffset } from '../../src/offset/event-offset.js';
import { failure } from '../support/failure.js';

const id = '0190163d-8694-739b-aea5-966c26f8ad91';
const millis = Date.UTC(2024, 4, 1, 12, 0, 0, 123);
const userSchema = { type: 'record', name: 'User', fields: [{ name: 'name', type: 'string' }, { name: 'age', type: 'int' }] } as const;

function sample(): Event {
  return Event.create({ id, category: 'user.created', type: 'v2', key: 'user-7', timestamp: millis, headers: { trace: 'abc', note: 'né' }, payload: { name: 'Zoë', age: 41 } });
}

function record(overrides: Partial<EventRecord> = {}, headers: Record<string, string | undefined> = {}): EventRecord {
  const base = encodeEvent(sample(), jsonCodec, 'users') as EventRecord;
  const merged: Record<string, Buffer> = { ...base.headers };
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) delete merged[name];
    else merged[name] = Buffer.from(value);
  }
  return { ...base, headers: merged, ...overrides };
}

function expectSameEvent(actual: Event, expected: Event): void {
  expect(actual.toJSON()).toEqual(expected.toJSON());
  expect(actual.timestampMillis).toBe(expected.timestampMillis);
}

describe('decodeEvent', () => {
  const codecs = createCodecLookup();

  it('gives back the event that was encoded, synchronously, with its offset', () => {
    const offset = EventOffset.of('users', 3, 1042n);
    const decoded = decodeEvent(record(), codecs, 'users', offset) as Event;
    expect(decoded).toBeInstanceOf(Event);
    expectSameEvent(decoded, sample().withOffset(offset));
    expect(decoded.offset).toBe(offset);
  });

  it('round-trips Avro payloads, asynchronously the first time a reader meets a schema', async () => {
    const registry = new InMemorySchemaRegistry();
    const writer = new AvroCodec({ registry, schemas: { 'users-value': userSchema } });
    const encoded = await encodeEvent(sample(), writer, 'users');
    const readers = createCodecLookup([new AvroCodec({ registry, schemas: { 'users-value': userSchema } })]);
    const first = decodeEvent(encoded, readers, 'users');
    expect(first).toBeInstanceOf(Promise);
    expectSameEvent(await first, sample());
    expectSameEvent(decodeEvent(encoded, readers, 'users') as Event, sample());
  });

  it('keys an event by its category when the record has no key, and reads the record timestamp when the header is gone', () => {
    const decoded = decodeEvent(record({ key: null, timestamp: '5' }, { [EventHeaders.timestamp]: undefined }), codecs, 'users') as Event;
    expect(decoded.key).toBe('user.created');
    expect(decoded.timestampMillis).toBe(5);
  });

  it('keeps unknown tributary- headers out of the event\'s own headers', () => {
    const decoded = decodeEvent(record({}, { 'tributary-future': 'x' }), codecs, 'users') as Event;
    expect(decoded.headers).toEqual({ trace: 'abc', note: 'né' });
  });

  it('reads records of changing categories and codecs correctly one after another', () => {
    const upper: Codec = { name: 'UPPR', encode: (p) => Buffer.from(String(p).toUpperCase()), decode: (b) => b.toString() };
    const lookup = createCodecLookup([upper]);
    const events = ['a.bc', 'a.bd', 'a.bd', 'x.bc'].map((category, i) => Event.create({ category, payload: `p${i}` }));
    const records = events.map((e, i) => encodeEvent(e, i % 2 === 0 ? jsonCodec : upper, 't') as EventRecord);
    const decoded = records.map((r) => decodeEvent(r, lookup, 't') as Event);
    expect(decoded.map((e) => [e.category, e.payload])).toEqual([['a.bc', 'p0'], ['a.bd', 'P1'], ['a.bd', 'p2'], ['x.bc', 'P3']]);
  });

  it('does not remember header bytes a caller changes afterwards', () => {
    const bytes = Buffer.from('user.created');
    const first = record({}, {});
    first.headers[EventHeaders.category] = bytes;
    expect((decodeEvent(first, codecs, 'users') as Event).category).toBe('user.created');
    bytes.write('user.deleted');
    expect((decodeEvent(first, codecs, 'users') as Event).category).toBe('user.deleted');
  });

  it.each([EventHeaders.category, EventHeaders.id, EventHeaders.codec])('fails with DECODE_FAILED when the %s header is missing', (header) => {
    const offset = EventOffset.of('users', 0, 7n);
    const error = failure(() => decodeEvent(record({}, { [header]: undefined }), codecs, 'users', offset));
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.message).toContain(`"${header}"`);
    expect(error.context).toEqual({ topic: 'users', offset: 'users:0@7', header });
  });

  it('fails with DECODE_FAILED naming an unknown codec, the known ones and where the record is', () => {
    const error = failure(() => decodeEvent(record({}, { [EventHeaders.codec]: 'protobuf' }), codecs, 'users', EventOffset.of('users', 1, 2n)));
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.message).toMatch(/"protobuf".*"json"/);
    expect(error.context).toMatchObject({ codec: 'protobuf', known: ['json'], topic: 'users', offset: 'users:1@2' });
  });

  it.each([
    ['an id that is not a UUID', { [EventHeaders.id]: 'not-a-uuid' }, /event id/],
    ['an invalid category', { [EventHeaders.category]: 'user created' }, /category/],
    ['a timestamp that is not digits', { [EventHeaders.timestamp]: '12x' }, /timestamp|integer/],
    ['a category that is not ASCII', { [EventHeaders.category]: 'usér.created' }, /category/],
  ])('fails with DECODE_FAILED on %s, keeping the cause', (_what, headers, message) => {
    const error = failure(() => decodeEvent(record({}, headers), codecs, 'users'));
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.message).toMatch(message);
    expect(error.cause).toBeInstanceOf(InvalidArgumentError);
    expect(error.context).toEqual({ topic: 'users' });
  });

  it('passes on the codec\'s DECODE_FAILED for a payload that does not decode', () => {
    const error = failure(() => decodeEvent(record({ value: Buffer.from('{oops') }), codecs, 'users'));
    expect(error).toMatchObject({ code: 'DECODE_FAILED', context: { codec: 'json', topic: 'users', category: 'user.created' } });
  });

  it('names the offset of a payload that does not decode, when it is known, keeping the codec\'s error as the cause', async () => {
    const at = EventOffset.of('users', 1, 7n);
    const error = failure(() => decodeEvent(record({ value: Buffer.from('{oops') }), codecs, 'users', at));
    expect(error).toMatchObject({ code: 'DECODE_FAILED', retriable: false, context: { codec: 'json', topic: 'users', category: 'user.created', offset: 'users:1@7' } });
    expect(error.message).toMatch(/^The record at users:1@7 cannot be decoded: The payload of a "user.created" record/);
    expect((error.cause as { code?: string }).code).toBe('DECODE_FAILED');
    // A codec that must reach a registry rejects its Promise: the same error, placed alike.
    const later: Codec = { name: 'json', encode: () => Buffer.alloc(0), decode: () => Promise.reject(failure(() => jsonCodec.decode(Buffer.from('{'), { topic: 'users', category: 'user.created' }))) };
    await expect(decodeEvent(record(), createCodecLookup([later]), 'users', at)).rejects.toMatchObject({ code: 'DECODE_FAILED', context: { offset: 'users:1@7', codec: 'json' } });
  });
});

describe('readCategory', () => {
  it('reads the category without decoding the payload', () => {
    expect(readCategory(record({ value: Buffer.from('not json at all') }))).toBe('user.created');
  });

  it('fails with DECODE_FAILED naming the header and topic when there is none', () => {
    const error = failure(() => readCategory(record({}, { [EventHeaders.category]: undefined }), 'users'));
    expect(error).toMatchObject({ code: 'DECODE_FAILED', context: { topic: 'users', header: EventHeaders.category } });
  });
});
