import { expect, it } from 'vitest';
import { Event } from '@tributary/core';
import type { ReplaySource } from '../../src/replay/replay-source.js';

/** A topic of two partitions holding `events` (timestamps as given), written by the implementation under test. */
export interface ConformanceFixture {
  source: ReplaySource;
  topic: string;
  sent: Event[];
}

/**
 * What every ReplaySource must do, run by each implementation (Kafka, memory bus, file bus): `make` writes
 * the events to a fresh two-partition topic and returns a source on it.
 */
export function replaySourceConformance(make: (events: Event[]) => Promise<ConformanceFixture>): void {
  const base = Date.UTC(2024, 0, 1);
  const seed = () => Array.from({ length: 30 }, (_, i) => Event.create({ category: 'c.x', key: `k${i % 5}`, payload: { i }, timestamp: base + i * 1000 }));

  it('tells partitions and ranges, and reads from any offset in offset order, up to maxRecords', async () => {
    const { source, topic, sent } = await make(seed());
    try {
      expect(await source.partitionCount(topic)).toBe(2);
      expect(await source.partitionCount(`${topic}-missing`)).toBe(0);
      for (const partition of [0, 1]) {
        const mine = sent.filter((e) => e.offset!.partition === partition);
        expect(await source.range(topic, partition)).toEqual({ low: 0n, high: BigInt(mine.length) });
        const all = [];
        let next = 0n;
        for (;;) {
          const read = await source.read(topic, partition, next, 4);
          const got = read.records;
          if (got.length === 0) break;
          expect(got.length).toBeLessThanOrEqual(4);
          expect(got[0]!.offset.offset).toBe(next);
          // With no gaps in the log, the next read starts right after the last record.
          expect(read.next).toBe(got.at(-1)!.offset.offset + 1n);
          all.push(...got);
          next = read.next;
        }
        expect(all.map((r) => r.record.headers['tributary-id']!.toString())).toEqual(mine.map((e) => e.id));
        expect(all.map((r) => r.offset.toString())).toEqual(mine.map((e) => e.offset!.toString()));
        const middle = (await source.read(topic, partition, 2n, 1)).records;
        expect(middle.map((r) => r.offset.offset)).toEqual([2n]);
        expect(await source.read(topic, partition, BigInt(mine.length), 10)).toEqual({ records: [], next: BigInt(mine.length) });
      }
    } finally {
      await source.close?.();
    }
  });

  it('finds the first offset at or after a time, or the end', async () => {
    const { source, topic, sent } = await make(seed());
    try {
      for (const partition of [0, 1]) {
        const mine = sent.filter((e) => e.offset!.partition === partition);
        const target = mine[Math.floor(mine.length / 2)]!;
        expect(await source.offsetForTime(topic, partition, target.timestamp.toMillis())).toBe(target.offset!.offset);
        expect(await source.offsetForTime(topic, partition, target.timestamp.toMillis() - 1)).toBe(target.offset!.offset);
        expect(await source.offsetForTime(topic, partition, base + 10 ** 9)).toBe(BigInt(mine.length));
      }
    } finally {
      await source.close?.();
    }
  });
}
