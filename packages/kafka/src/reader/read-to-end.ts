import { ErrorCodes, TributaryError } from '@tributary/core';
import { KafkaAdmin } from '../admin/kafka-admin.js';
import type { PartitionRange } from '../admin/offset-lookup.js';
import { KafkaClient, type KafkaClientOptions } from '../connection/kafka-client.js';
import { KafkaReader, type FetchedRecord, type KafkaReaderOptions } from './kafka-reader.js';

/** One record as read back from Kafka, with its exact offset. */
export type ReadRecord = FetchedRecord;

/**
 * Read every record of `topic`, from the start of each partition up to the end captured when the call starts:
 * what a schema log catches up with, and what tests check writes against (missing, extra, duplicate ids,
 * offsets). Joins no consumer group and commits nothing. Records come partition by partition, in offset
 * order. Fails after `timeoutMs` naming the partition that was not read to its end.
 */
export async function readToEnd(connection: KafkaClient | KafkaClientOptions, topic: string, options: { timeoutMs?: number } & KafkaReaderOptions = {}): Promise<ReadRecord[]> {
  const client = KafkaClient.from(connection);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const ranges = await partitionRanges(client, topic, deadline);
  const records: ReadRecord[] = [];
  await using fetcher = new KafkaReader(client, options);
  for (const { partition, low, high } of ranges) {
    let next = low;
    while (next < high) {
      if (Date.now() > deadline) {
        throw new TributaryError(ErrorCodes.TIMEOUT, `readToEnd(${topic}) timed out at ${topic}:${partition}@${next}, before its end ${high}`, { context: { topic, partition } });
      }
      const fetched = await fetcher.fetch(topic, partition, next, { maxBytes: 4 * 1024 * 1024, maxWaitMs: 100 });
      for (const r of fetched.records) {
        if (r.offset >= high) break;
        records.push(r);
      }
      // Past the fetched batches, transaction markers and compacted gaps included.
      next = fetched.next;
    }
  }
  return records;
}

async function partitionRanges(client: KafkaClient, topic: string, deadline: number): Promise<PartitionRange[]> {
  await using admin = new KafkaAdmin(client);
  // Right after a topic is created its leaders may not answer ListOffsets yet: retry until the deadline.
  for (;;) {
    try {
      return await admin.ranges(topic);
    } catch (error) {
      if (Date.now() > deadline || !(error as { retriable?: boolean }).retriable) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
