import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { Event, isTributaryError, Position } from '@tributary/core';
import { FileLog, FileProducerPlugin, MemoryBus, MemoryProducerPlugin } from '@tributary/producer-plugins';
import { OffsetOutOfRangeError } from '../../src/errors.js';
import { EventReader } from '../../src/pull/event-reader.js';
import { fileReplaySource, memoryReplaySource } from '../../src/replay/replay-source.js';

const categories = ['user.created', 'order.placed', 'order.shipped'];

async function memoryTopic(count: number, timestamp?: (i: number) => number): Promise<{ bus: MemoryBus; plugin: MemoryProducerPlugin; sent: Event[] }> {
  const bus = new MemoryBus();
  const plugin = new MemoryProducerPlugin({ topic: 'orders', partitions: 2 }, { bus });
  await plugin.open();
  const sent = await plugin.send(Array.from({ length: count }, (_, i) => Event.create({ category: categories[i % 3]!, key: `k${i % 5}`, payload: { i }, ...(timestamp ? { timestamp: timestamp(i) } : {}) })));
  return { bus, plugin, sent };
}

async function all(reader: AsyncIterable<Event>): Promise<Event[]> {
  const out: Event[] = [];
  for await (const e of reader) out.push(e);
  return out;
}

const ids = (events: Event[]) => events.map((e) => e.id).sort();

describe('EventReader', () => {
  it('iterates every event, then ends once nothing new came for the idle timeout', async () => {
    const { bus, sent } = await memoryTopic(30);
    const reader = new EventReader({ source: memoryReplaySource(bus), topic: 'orders', idleTimeoutMs: 100 });
    const started = Date.now();
    expect(ids(await all(reader))).toEqual(ids(sent));
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(reader.position.toString()).toBe(Position.of([{ topic: 'orders', partition: 0, next: bus.highWatermark('orders', 0) }, { topic: 'orders', partition: 1, next: bus.highWatermark('orders', 1) }]).toString());
    // Iterating again goes on from the position: nothing new.
    expect(await all(reader)).toEqual([]);
  });

  it('picks up events written while it waits', async () => {
    const { bus, plugin, sent } = await memoryTopic(3);
    const reader = new EventReader({ source: memoryReplaySource(bus), topic: 'orders', idleTimeoutMs: 400 });
    const later = setTimeout(() => void plugin.send(Event.create({ category: 'user.created', payload: { late: true } })), 150);
    const seen = await all(reader);
    clearTimeout(later);
    expect(seen).toHaveLength(4);
    expect(ids(seen.slice(0, 3))).toEqual(ids(sent));
  });

  it('seeks to a stored position, to the beginning, to a time, and to the end', async () => {
    const base = DateTime.utc(2024, 1, 1).toMillis();
    const { bus, sent } = await memoryTopic(30, (i) => base + i * 1000);
    const reader = new EventReader({ source: memoryReplaySource(bus), topic: 'orders', idleTimeoutMs: 50 });
    const stored = sent.slice(0, 20).reduce((p, e) => p.advancedPast(e.offset!), Position.empty).toString();
    await reader.seek(stored);
    expect(ids(await all(reader))).toEqual(ids(sent.slice(20)));
    await reader.seekToBeginning();
    expect(ids(await all(reader))).toEqual(ids(sent));
    await reader.seek(DateTime.fromMillis(base + 25_000));
    expect(ids(await all(reader))).toEqual(ids(sent.slice(25)));
    await reader.seekToEnd();
    expect(await all(reader)).toEqual([]);
    // A new reader started from the stored position text.
    expect(ids(await all(new EventReader({ source: memoryReplaySource(bus), topic: 'orders', from: stored, idleTimeoutMs: 50 })))).toEqual(ids(sent.slice(20)));
  });

  it('moves to a seek made in the middle of an iteration', async () => {
    const { bus, sent } = await memoryTopic(20);
    const reader = new EventReader({ source: memoryReplaySource(bus), topic: 'orders', idleTimeoutMs: 50, chunk: 3 });
    const seen: Event[] = [];
    for await (const e of reader) {
      seen.push(e);
      if (seen.length === 5) await reader.seekToBeginning();
    }
    expect(seen).toHaveLength(25);
    expect(ids(seen.slice(5))).toEqual(ids(sent));
  });

  it('finds the next event of a category, skipping the others, and undefined when there is none', async () => {
    const { bus, sent } = await memoryTopic(12);
    const reader = new EventReader({ source: memoryReplaySource(bus), topic: 'orders', idleTimeoutMs: 50 });
    await reader.seek(Position.of([{ topic: 'orders', partition: 1, next: bus.highWatermark('orders', 1) }]));
    const onP0 = sent.filter((e) => e.offset!.partition === 0);
    const first = await reader.findNextEventOfCategory('order.shipped');
    expect(first?.id).toBe(onP0.find((e) => e.category === 'order.shipped')!.id);
    expect(reader.position.get('orders', 0)).toBe(first!.offset!.offset + 1n);
    expect(await reader.findNextEventOfCategory('no.such')).toBeUndefined();
  });

  it('filters by category patterns without decoding the rest', async () => {
    const { bus, sent } = await memoryTopic(30);
    const reader = new EventReader({ source: memoryReplaySource(bus), topic: 'orders', categories: ['order.#'], idleTimeoutMs: 50 });
    expect(ids(await all(reader))).toEqual(ids(sent.filter((e) => e.category.startsWith('order.'))));
  });

  it('refuses a position outside a partition with its range, unless told to reset', async () => {
    const { bus } = await memoryTopic(10);
    const reader = new EventReader({ source: memoryReplaySource(bus), topic: 'orders', idleTimeoutMs: 50 });
    const error = await reader.seek('orders:1@999').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OffsetOutOfRangeError);
    expect(isTributaryError(error, 'OFFSET_OUT_OF_RANGE')).toBe(true);
    expect((error as OffsetOutOfRangeError).context).toMatchObject({ partition: 1, offset: '999', low: '0', high: String(bus.highWatermark('orders', 1)) });
    const lenient = new EventReader({ source: memoryReplaySource(bus), topic: 'orders', idleTimeoutMs: 50, onOutOfRange: 'latest' });
    await lenient.seek('orders:1@999');
    expect(lenient.position.get('orders', 1)).toBe(bus.highWatermark('orders', 1));
    expect(() => new EventReader({ source: memoryReplaySource(bus), topic: 'orders', from: 'yesterday-ish' })).toThrow(/from must be/);
    expect(() => new EventReader({ source: memoryReplaySource(bus), topic: 'orders', from: 'other:0@1' })).toThrow(/not among the topics/);
  });

  it('throws DECODE_FAILED for a record it cannot decode, with the position past it', async () => {
    const bus = new MemoryBus();
    bus.createTopic('raw', { partitions: 1 });
    bus.append('raw', [{ key: null, value: Buffer.from('nope'), headers: {}, timestamp: '1' }]);
    const good = new MemoryProducerPlugin({ topic: 'raw', partitions: 1 }, { bus });
    await good.open();
    const [sent] = await good.send([Event.create({ category: 'a.b', payload: {} })]);
    const reader = new EventReader({ source: memoryReplaySource(bus), topic: 'raw', idleTimeoutMs: 50 });
    const error = await all(reader).catch((e: unknown) => e);
    expect(isTributaryError(error, 'DECODE_FAILED')).toBe(true);
    expect((await all(reader)).map((e) => e.id)).toEqual([sent!.id]);
  });

  it('reads the file bus the same way', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-reader-'));
    try {
      const plugin = new FileProducerPlugin({ topic: 'orders', directory: dir, partitions: 2 });
      await plugin.open();
      const sent = await plugin.send(Array.from({ length: 25 }, (_, i) => Event.create({ category: categories[i % 3]!, key: `k${i}`, payload: { i } })));
      await plugin.close();
      await using reader = new EventReader({ source: fileReplaySource(new FileLog(dir)), topic: 'orders', idleTimeoutMs: 50 });
      expect(ids(await all(reader))).toEqual(ids(sent));
      const first = await (async () => {
        await reader.seekToBeginning();
        return reader.findNextEventOfCategory('order.placed');
      })();
      expect(first?.category).toBe('order.placed');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
