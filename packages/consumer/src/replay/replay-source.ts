import { EventOffset, type StoredRecord } from '@tributary/core';
import { KafkaAdmin, KafkaClient, KafkaReader, partitionKey, type KafkaClientOptions, type KafkaReaderOptions } from '@tributary/kafka';
import type { FileLog, MemoryBus } from '@tributary/producer-plugins';
import { asEventRecord } from '../processing/raw-record.js';

/** What one read of a partition brought. */
export interface SourceRead {
  readonly records: StoredRecord[];
  /** Where the next read starts. */
  readonly next: bigint;
}

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
  /**
   * Up to about `maxRecords` records from `from` on, in offset order, and where the next read starts: past
   * offsets with no record for a reader too (transaction markers, aborted transactions, compacted gaps), so a
   * caller steps over them in one read. No records and `next === from` means nothing yet.
   */
  read(topic: string, partition: number, from: bigint, maxRecords: number): Promise<SourceRead>;
  close?(): Promise<void>;
}

/**
 * Replay from Kafka: fetches straight from partition leaders (the Kafka layer's reader), joining no group.
 * Takes connection options (`{ brokers, tls, sasl, ... }`) or a KafkaClient. A fetch is bounded by bytes
 * (`maxBytes`, default the larger of 64 KiB and 1 KiB per record asked); records past `maxRecords` are kept for
 * the next read of the partition, so memory holds at most one fetch per partition. Retriable failures are tried
 * again with back-off; every failure is a TributaryError.
 */
export function kafkaReplaySource(connection: KafkaClient | KafkaClientOptions, options: { maxBytes?: number } & KafkaReaderOptions = {}): ReplaySource {
  const client = KafkaClient.from(connection, { clientId: 'tributary-replay' });
  const fetcher = new KafkaReader(client, options);
  const admin = new KafkaAdmin(client);
  // Records fetched beyond `maxRecords`, kept for the next read, with where the fetch that brought them ended.
  const leftovers = new Map<string, SourceRead>();
  return {
    partitionCount: (topic) => admin.partitionCount(topic),
    async range(topic, partition) {
      const p = (await admin.ranges(topic)).find((o) => o.partition === partition);
      return { low: p?.low ?? 0n, high: p?.high ?? 0n };
    },
    async offsetForTime(topic, partition, millis) {
      const offset = (await admin.offsetsForTime(topic, millis)).find((o) => o.partition === partition)?.offset ?? -1n;
      return offset < 0n ? (await this.range(topic, partition)).high : offset;
    },
    async read(topic, partition, from, maxRecords) {
      const key = partitionKey(topic, partition);
      let chunk = leftovers.get(key);
      leftovers.delete(key);
      if (chunk?.records[0]?.offset.offset !== from) {
        const fetched = await fetcher.fetch(topic, partition, from, { maxBytes: options.maxBytes ?? Math.max(64 * 1024, maxRecords * 1024), maxWaitMs: 100 });
        // The decoded record is the event record as it is (a tombstone's null value aside): no copy per record.
        const records = fetched.records.map((r) => ({ offset: EventOffset.of(topic, partition, r.offset), record: asEventRecord(r) }));
        chunk = { records, next: fetched.next };
      }
      if (chunk.records.length <= maxRecords) return chunk;
      const rest = chunk.records.slice(maxRecords);
      leftovers.set(key, { records: rest, next: chunk.next });
      return { records: chunk.records.slice(0, maxRecords), next: rest[0]!.offset.offset };
    },
    async close() {
      leftovers.clear();
      await Promise.allSettled([fetcher.close(), admin.close()]);
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
      return afterLast(from >= bus.highWatermark(topic, partition) ? [] : bus.read(topic, partition, from, { maxRecords }), from);
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
      return afterLast(out, from);
    },
  };
}

function firstAtOrAfter(records: readonly StoredRecord[], millis: number, end: bigint): bigint {
  const hit = records.find((r) => Number(r.record.timestamp) >= millis);
  return hit ? hit.offset.offset : end;
}

/** A read of a bus with no gaps in its offsets: the next read starts after the last record. */
function afterLast(records: StoredRecord[], from: bigint): SourceRead {
  const last = records[records.length - 1];
  return { records, next: last ? last.offset.offset + 1n : from };
}
