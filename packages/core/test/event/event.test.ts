import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, InvalidArgumentError } from '../../src/errors.js';
import { Event, type EventJson } from '../../src/event/event.js';
import { EventOffset } from '../../src/offset/event-offset.js';

function thrown(fn: () => unknown): InvalidArgumentError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).code).toBe(ErrorCodes.INVALID_ARGUMENT);
    return error as InvalidArgumentError;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('Event.create', () => {
  it('fills in a UUIDv7 id, the category as key, now as timestamp, no headers and no offset', () => {
    const before = Date.now();
    const event = Event.create({ category: 'user.created', payload: { name: 'Ada' } });
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(event.key).toBe('user.created');
    expect(event.type).toBeUndefined();
    expect(event.timestamp.zoneName).toBe('UTC');
    expect(event.timestamp.toMillis()).toBeGreaterThanOrEqual(before);
    expect(event.timestamp.toMillis()).toBeLessThanOrEqual(Date.now());
    expect(event.headers).toEqual({});
    expect(event.offset).toBeUndefined();
    expect(event.payload).toEqual({ name: 'Ada' });
  });

  it('gives strictly increasing ids to events created in a row', () => {
    const ids = Array.from({ length: 2000 }, () => Event.create({ category: 'a', payload: null }).id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps the given id (lowercased), key, type, timestamp and headers', () => {
    const event = Event.create({
      id: '0190163D-8694-739B-AEA5-966C26F8AD91',
      category: 'order.paid',
      type: 'v2',
      key: 'order-17',
      timestamp: '2024-05-01T12:00:00.000+02:00',
      headers: { 'x-trace': 'abc' },
      payload: 1,
    });
    expect(event.id).toBe('0190163d-8694-739b-aea5-966c26f8ad91');
    expect([event.type, event.key, event.timestamp.toISO(), event.headers]).toEqual(['v2', 'order-17', '2024-05-01T10:00:00.000Z', { 'x-trace': 'abc' }]);
  });

  it('is immutable, headers included, and does not keep the caller’s headers object', () => {
    const headers = { a: '1' };
    const event = Event.create({ category: 'a', payload: null, headers });
    headers.a = '2';
    expect(event.headers.a).toBe('1');
    expect(Object.isFrozen(event)).toBe(true);
    expect(Object.isFrozen(event.headers)).toBe(true);
    expect(() => ((event as { key: string }).key = 'other')).toThrow(TypeError);
  });

  it.each([
    ['a bad category', { category: 'user..created', payload: 1 }, 'user..created'],
    ['a reserved header', { category: 'a', payload: 1, headers: { 'Tributary-Id': 'x' } }, 'Tributary-Id'],
    ['a non-string header value', { category: 'a', payload: 1, headers: { h: 1 } }, 'h'],
    ['an empty header name', { category: 'a', payload: 1, headers: { '': 'x' } }, '""'],
    ['a bad id', { category: 'a', payload: 1, id: 'not-a-uuid' }, 'not-a-uuid'],
    ['an empty type', { category: 'a', payload: 1, type: '' }, 'non-empty'],
    ['a non-string key', { category: 'a', payload: 1, key: 5 }, '5'],
    ['a bad timestamp', { category: 'a', payload: 1, timestamp: 'soon' }, 'soon'],
  ])('rejects %s, quoting it', (_label, init, quoted) => {
    const error = thrown(() => Event.create(init as never));
    expect(error.message).toContain(quoted);
    expect(error.message).toMatch(/expected/);
  });

  it('accepts an empty key (Kafka allows it)', () => {
    expect(Event.create({ category: 'a', payload: 1, key: '' }).key).toBe('');
  });
});

describe('Event JSON form', () => {
  const offset = EventOffset.of('orders.v1', 3, 2n ** 63n - 1n);

  it('round-trips exactly, offset included', () => {
    const event = Event.create({
      category: 'order.paid',
      type: 'v1',
      key: 'k',
      timestamp: DateTime.fromISO('2024-05-01T10:00:00.007Z'),
      headers: { b: '2', a: '1' },
      payload: { nested: { list: [1, 'two', null, { deep: true }] } },
    }).withOffset(offset);
    const json = event.toJSON();
    expect(json).toEqual({
      id: event.id,
      category: 'order.paid',
      type: 'v1',
      key: 'k',
      timestamp: '2024-05-01T10:00:00.007Z',
      headers: { b: '2', a: '1' },
      payload: { nested: { list: [1, 'two', null, { deep: true }] } },
      offset: 'orders.v1:3@9223372036854775807',
    });
    const text = JSON.stringify(event);
    const back = Event.fromJSON(text);
    expect(JSON.stringify(back)).toBe(text);
    expect(back.offset?.equals(offset)).toBe(true);
    expect(back.offset?.offset).toBe(2n ** 63n - 1n);
    expect(back.timestamp.equals(event.timestamp)).toBe(true);
    expect(Event.fromJSON(json).toJSON()).toEqual(json);
  });

  it('has a fixed field order and leaves out absent type and offset', () => {
    const event = Event.create({ category: 'a.b', payload: [1], timestamp: 0 });
    expect(Object.keys(event.toJSON())).toEqual(['id', 'category', 'key', 'timestamp', 'headers', 'payload']);
    expect(event.toJSON().timestamp).toBe('1970-01-01T00:00:00.000Z');
  });

  it.each([
    ['text that is not JSON', '{"id":', '{\\"id\\":'],
    ['an array', '[]', '[]'],
    ['a missing id', JSON.stringify({ category: 'a', key: 'a', timestamp: '2024-01-01T00:00:00.000Z', headers: {} }), '"id"'],
    ['a bad offset', { id: '0190163d-8694-739b-aea5-966c26f8ad91', category: 'a', key: 'a', timestamp: '2024-01-01T00:00:00.000Z', headers: {}, payload: 1, offset: 'x@1' }, 'x@1'],
    ['a bad category', { id: '0190163d-8694-739b-aea5-966c26f8ad91', category: '', key: 'a', timestamp: '2024-01-01T00:00:00.000Z', headers: {}, payload: 1 }, '""'],
  ])('rejects %s with InvalidArgumentError quoting it', (_label, input, quoted) => {
    const error = thrown(() => Event.fromJSON(input as EventJson | string));
    expect(error.message).toContain(quoted);
  });
});

describe('Event.withOffset', () => {
  it('returns a copy with the offset and leaves the original without one', () => {
    const event = Event.create({ category: 'a', payload: { x: 1 } });
    const written = event.withOffset(EventOffset.of('t', 0, 5));
    expect(written).not.toBe(event);
    expect(event.offset).toBeUndefined();
    expect(written.offset?.toString()).toBe('t:0@5');
    expect({ ...written.toJSON(), offset: undefined }).toEqual({ ...event.toJSON(), offset: undefined });
  });

  it('rejects something that is not an EventOffset', () => {
    thrown(() => Event.create({ category: 'a', payload: 1 }).withOffset('t:0@5' as never));
  });
});

describe('Event.toPrintable', () => {
  it('masks secret fields anywhere in the payload and headers, and cuts long strings', () => {
    const payload = { user: { name: 'Ada', Password: 'hunter2', tokens: [{ token: 't1' }] }, bio: 'x'.repeat(500) };
    const event = Event.create({ category: 'user.created', payload, headers: { token: 'abc' } });
    const text = event.toPrintable({ secretFields: ['password', 'token'], maxStringLength: 20 });
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('t1');
    expect(text).not.toContain('abc');
    expect(text).toContain('"Password":"<secret>"');
    expect(text).toContain(`"bio":"${'x'.repeat(20)}…(500 chars)"`);
    expect(text).toContain('"name":"Ada"');
    expect(payload.user.Password).toBe('hunter2');
    expect(JSON.parse(text)).toMatchObject({ id: event.id, category: 'user.created', key: 'user.created' });
  });
});
