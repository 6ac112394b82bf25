import { EventOffset, type StoredRecord } from '@tributary/core';
import { KafkaFetcher, type FileLog, type MemoryBus } from '@tributary/producer-plugins';
import type { Kafka } from 'kafkajs';

/**
 * What replay reads from: a bus's partitions by offset, with no consumer group and no commits. Kafka, the
 * memory bus and the file bus each implement it, so one replay serves all three.
 */
export interface ReplaySource {
  /** How many partitions `topic` has. */
  partitionCount(topic: string): Promise<number>;
  /** The first offset still held and the offset one past the last record (the end captured now). */
  range(topic: string, partition: number): Promise<{ low: bigint; high: bigint }>;
  /** The first offset whose record timestamp is at or after `millis` (the high watermark when none is). */
  offsetForTime(topic: string, partition: number, millis: number): Promise<bigint>;
  /** Up to about `maxRecords` records from `from` on, in offset order; an empty array means nothing yet. */
  read(topic: string, partition: number, from: bigint, maxRecords: number): Promise<StoredRecord[]>;
  close?(): Promise<void>;
}

/**
 * Replay from Kafka: fetches straight from partition leaders (KafkaFetcher), joining no group. A fetch is
 * bounded by bytes (`maxBytes`, default the larger of 64 KiB and 1 KiB per record asked); records past
 * `maxRecords` are kept for the next read of the partition, so memory holds at most one fetch per partition.
 */
export function kafkaReplaySource(kafka: Kafka, options: { maxBytes?: number } = {}): ReplaySource {
  const fetcher = new KafkaFetcher(kafka);
  const admin = kafka.admin();
  const leftovers = new Map<string, StoredRecord[]>();
  let connected: Promise<void> | undefined;
  const ready = () => (connected ??= admin.connect());
  return {
    async partitionCount(topic) {
      await ready();
      try {
        return (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions.length ?? 0;
      } catch (error) {
        if ((error as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return 0;
        throw error;
      }
    },
    async range(topic, partition) {
      await ready();
      const p = (await admin.fetchTopicOffsets(topic)).find((o) => o.partition === partition);
      return { low: BigInt(p?.low ?? '0'), high: BigInt(p?.high ?? '0') };
    },
    async offsetForTime(topic, partition, millis) {
      await ready();
      const p = (await admin.fetchTopicOffsetsByTimestamp(topic, millis)).find((o) => o.partition === partition);
      const offset = BigInt(p?.offset ?? '-1');
      return offset < 0n ? (await this.range(topic, partition)).high : offset;
    },
    async read(topic, partition, from, maxRecords) {
      const key = `${topic}\u0000${partition}`;
      let records = leftovers.get(key);
      leftovers.delete(key);
      if (records?.[0]?.offset.offset !== from) {
        const fetched = await fetcher.fetch(topic, partition, from, { maxBytes: options.maxBytes ?? Math.max(64 * 1024, maxRecords * 1024), maxWaitMs: 100 });
        records = fetched.records.map((r) => ({
          offset: EventOffset.of(topic, partition, r.offset),
          record: { key: r.key, value: r.value ?? Buffer.alloc(0), headers: r.headers, timestamp: r.timestamp },
        }));
      }
      if (records.length > maxRecords) leftovers.set(key, records.slice(maxRecords));
      return records.slice(0, maxRecords);
    },
    async close() {
      leftovers.clear();
      await fetcher.close();
      if (connected) await admin.disconnect();
    },
  };
}

/** Replay from an in-process MemoryBus (users' unit tests, the embedded default). */
export function memoryReplaySource(bus: MemoryBus): ReplaySource {
  return {
    async partitionCount(topic) {
      return bus.hasTopic(topic) ? bus.partitionCount(topic) : 0;
    },
    async range(topic, partition) {
      return { low: bus.lowWatermark(topic, partition), high: bus.highWatermark(topic, partition) };
    },
    async offsetForTime(topic, partition, millis) {
      return firstAtOrAfter(bus.read(topic, partition, bus.lowWatermark(topic, partition)), millis, bus.highWatermark(topic, partition));
    },
    async read(topic, partition, from, maxRecords) {
      return from >= bus.highWatermark(topic, partition) ? [] : bus.read(topic, partition, from, { maxRecords });
    },
  };
}

/** Replay from a FileLog (JSON lines on disk). Each read scans the partition file from its start. */
export function fileReplaySource(log: FileLog): ReplaySource {
  return {
    async partitionCount(topic) {
      return (await log.hasTopic(topic)) ? log.partitionCount(topic) : 0;
    },
    async range(topic, partition) {
      return { low: 0n, high: await log.highWatermark(topic, partition) };
    },
    async offsetForTime(topic, partition, millis) {
      const all: StoredRecord[] = [];
      for await (const r of log.read(topic, partition)) all.push(r);
      return firstAtOrAfter(all, millis, await log.highWatermark(topic, partition));
    },
    async read(topic, partition, from, maxRecords) {
      const out: StoredRecord[] = [];
      for await (const r of log.read(topic, partition, from)) {
        out.push(r);
        if (out.length >= maxRecords) break;
      }
      return out;
    },
  };
}

function firstAtOrAfter(records: readonly StoredRecord[], millis: number, end: bigint): bigint {
  const hit = records.find((r) => Number(r.record.timestamp) >= millis);
  return hit ? hit.offset.offset : end;
}
