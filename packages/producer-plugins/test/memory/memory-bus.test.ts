import { ErrorCodes, EventHeaders, InvalidArgumentError, TributaryError, type EventRecord } from '@tributary/core';
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/memory/memory-bus.js';
import { partitionForKey } from '@tributary/kafka';

function record(key: string | null, value = key ?? 'v'): EventRecord {
  return { key: key === null ? null : Buffer.from(key), value: Buffer.from(value), headers: { [EventHeaders.id]: Buffer.from(value) }, timestamp: '1' };
}

describe('MemoryBus', () => {
  it('appends at consecutive offsets per partition, each key in its murmur2 partition', () => {
    const bus = new MemoryBus();
    bus.createTopic('t', { partitions: 5 });
    const keys = Array.from({ length: 300 }, (_, i) => `key-${i % 23}`);
    const offsets = keys.flatMap((key, i) => bus.append('t', [record(key, String(i))]));
    offsets.forEach((offset, i) => expect(offset.partition).toBe(partitionForKey(keys[i]!, 5)));
    for (let p = 0; p < 5; p++) {
      const stored = bus.read('t', p);
      expect(stored.map((s) => s.offset.offset)).toEqual(stored.map((_, i) => BigInt(i)));
      expect(bus.highWatermark('t', p)).toBe(BigInt(stored.length));
    }
    expect(bus.readAll('t').length).toBe(300);
  });

  it('returns offsets in the order of the records and keeps per-key order', () => {
    const bus = new MemoryBus({ defaultPartitions: 3 });
    const offsets = bus.append('auto', ['a', 'b', 'a', 'c', 'a'].map((k, i) => record(k, `${k}${i}`)));
    const a = bus.read('auto', offsets[0]!.partition).map((s) => s.record.value.toString());
    expect(a.filter((v) => v.startsWith('a'))).toEqual(['a0', 'a2', 'a4']);
    expect(offsets[2]!.offset).toBe(offsets[0]!.offset + 1n);
  });

  it('spreads records without a key round-robin', () => {
    const bus = new MemoryBus();
    bus.createTopic('t', { partitions: 3 });
    expect(bus.append('t', [record(null), record(null), record(null), record(null)]).map((o) => o.partition)).toEqual([0, 1, 2, 0]);
  });

  it('reads from an offset, bounded, and fails past the high watermark with the valid range', () => {
    const bus = new MemoryBus();
    bus.append('t', ['a', 'b', 'c', 'd'].map((v) => record('k', v)));
    expect(bus.read('t', 0, 1n, { maxRecords: 2 }).map((s) => s.record.value.toString())).toEqual(['b', 'c']);
    expect(bus.read('t', 0, 4n)).toEqual([]);
    let error: unknown;
    try {
      bus.read('t', 0, 5n);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TributaryError);
    expect((error as TributaryError).code).toBe(ErrorCodes.OFFSET_OUT_OF_RANGE);
    expect((error as TributaryError).context).toMatchObject({ low: '0', high: '4' });
  });

  it('appends atomically: an invalid partition appends nothing', () => {
    const bus = new MemoryBus();
    bus.createTopic('t', { partitions: 2 });
    expect(() => bus.append('t', [record('a'), record('b')], { partition: 2 })).toThrow(InvalidArgumentError);
    expect(bus.readAll('t')).toEqual([]);
    expect(bus.append('t', [record('a')], { partition: 1 })[0]!.toString()).toBe('t:1@0');
  });

  it('copies records on append, so the caller may reuse its buffers', () => {
    const bus = new MemoryBus();
    const r = record('k', 'original');
    bus.append('t', [r]);
    r.value.write('mutated!');
    expect(bus.read('t', 0)[0]!.record.value.toString()).toBe('original');
  });

  it('refuses unknown topics without auto-creation and a second creation with another count', () => {
    const bus = new MemoryBus({ autoCreateTopics: false });
    expect(() => bus.append('t', [record('a')])).toThrow(/Unknown topic "t"/);
    bus.createTopic('t', { partitions: 2 });
    bus.createTopic('t', { partitions: 2 });
    expect(() => bus.createTopic('t', { partitions: 3 })).toThrow(/already exists with 2 partitions/);
    expect(() => bus.createTopic('bad topic')).toThrow(InvalidArgumentError);
    expect(bus.topics()).toEqual(['t']);
  });

  it('wakes a reader waiting at the end of the log, and aborts the wait', async () => {
    const bus = new MemoryBus();
    bus.createTopic('t');
    const waiting = bus.waitForRecord('t', 0, 1n);
    let woke = false;
    void waiting.then(() => (woke = true));
    bus.append('t', [record('a')]);
    await Promise.resolve();
    expect(woke).toBe(false);
    bus.append('t', [record('b')]);
    await waiting;
    await expect(bus.waitForRecord('t', 0, 0n)).resolves.toBeUndefined();
    const controller = new AbortController();
    const aborted = bus.waitForRecord('t', 0, 5n, controller.signal);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: ErrorCodes.ABORTED });
  });

  it('shares a bus per name across the process', () => {
    expect(MemoryBus.shared('x')).toBe(MemoryBus.shared('x'));
    expect(MemoryBus.shared('x')).not.toBe(MemoryBus.shared('y'));
  });
});
