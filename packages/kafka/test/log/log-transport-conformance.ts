import { expect, it } from 'vitest';
import type { LogTransport } from '@tributary/kafka';

/**
 * What every log transport promises, run against each: offsets in write order per partition, reads from an
 * offset in order, a long poll that waits for the next write and no longer than asked, ranges, and a position
 * outside the log named as such. `topic` gives a fresh topic with `partitions` partitions.
 */
export function transportConformance(name: string, make: () => Promise<{ transport: LogTransport; topic: (partitions: number) => Promise<string> }>): void {
  const rec = (n: number) => ({ key: Buffer.from(`k${n}`), value: Buffer.from(`v${n}`), headers: { n: Buffer.from(String(n)) } });

  it(`${name}: offsets follow write order per partition, and a read returns records in order from any offset`, async () => {
    const { transport, topic: fresh } = await make();
    const topic = await fresh(2);
    const connection = await transport.connect();
    try {
      expect(await connection.partitionCount(topic)).toBe(2);
      const written = await connection.write(Array.from({ length: 10 }, (_, n) => ({ topic, partition: n % 2, record: rec(n) })));
      for (const p of [0, 1]) {
        const offsets = written.filter((w) => w.partition === p).map((w) => w.offset);
        expect(offsets).toEqual(offsets.map((_, i) => offsets[0]! + BigInt(i)));
      }
      const reader = connection.openReader();
      const [from2] = await reader.read(topic, [{ partition: 0, offset: 2n }], 100);
      expect(from2!.error).toBeUndefined();
      const records = from2!.error ? [] : from2!.records;
      expect(records.map((r) => r.value?.toString())).toEqual(['v4', 'v6', 'v8']);
      expect(records.map((r) => r.offset)).toEqual([2n, 3n, 4n]);
      expect(records[0]!.headers.n?.toString()).toBe('4');
      expect(from2!.error ? -1n : from2!.next).toBe(5n);
      expect(await reader.ranges(topic)).toEqual([{ partition: 0, low: 0n, high: 5n }, { partition: 1, low: 0n, high: 5n }]);
      await reader.close();
    } finally {
      await connection.close();
    }
  });

  it(`${name}: a read at the end waits for the next write, or returns empty after maxWaitMs; a position past the end is an error`, async () => {
    const { transport, topic: fresh } = await make();
    const topic = await fresh(1);
    const connection = await transport.connect();
    const reader = connection.openReader();
    try {
      let started = Date.now();
      const [empty] = await reader.read(topic, [{ partition: 0, offset: 0n }], 200);
      expect(empty!.error ? 'error' : empty!.records.length).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      started = Date.now();
      const waiting = reader.read(topic, [{ partition: 0, offset: 0n }], 5000);
      setTimeout(() => void connection.write([{ topic, partition: 0, record: rec(1) }]), 100);
      const [woken] = await waiting;
      expect(woken!.error ? 'error' : woken!.records.map((r) => r.value?.toString())).toEqual(['v1']);
      expect(Date.now() - started).toBeLessThan(3000);
      const [past] = await reader.read(topic, [{ partition: 0, offset: 99n }], 100);
      expect(past!.error).toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
    } finally {
      await reader.close();
      await connection.close();
    }
  });
}
