import { KafkaAdmin } from '../admin/kafka-admin.js';
import type { KafkaClient } from '../connection/kafka-client.js';
import { asTributaryError } from '../errors.js';
import { KafkaWriter } from '../producer/writer.js';
import { KafkaReader } from '../reader/kafka-reader.js';
import type { LogConnection, LogReader, LogRecord, LogTransport, PartitionRead } from './log-transport.js';

/**
 * The log on Kafka: one idempotent {@link KafkaWriter} (acks from every in-sync replica) per connection, and a
 * {@link KafkaReader} with connections of its own per reader.
 */
export class KafkaLogTransport implements LogTransport {
  readonly #client: KafkaClient;

  constructor(client: KafkaClient) {
    this.#client = client;
  }

  async connect(): Promise<LogConnection> {
    const writer = new KafkaWriter(this.#client, { lingerMs: 0 });
    await writer.connect();
    const client = this.#client;
    return {
      partitionCount: (topic) => writer.partitionCount(topic, true),
      async write(records: ReadonlyArray<{ topic: string; partition: number; record: LogRecord }>) {
        const results = await writer.write(
          records.map(({ topic, partition, record }) => ({ topic, partition, record: { ...record, timestamp: String(Date.now()) }, size: (record.key?.length ?? 0) + (record.value?.length ?? 0) })),
        );
        return results.map((r) => {
          if (!r.ok) throw asTributaryError(r.error, `Writing to ${r.topic}:${r.partition}`);
          return { partition: r.partition, offset: r.offset };
        });
      },
      openReader: () => kafkaReader(client),
      close: () => writer.close(),
    };
  }
}

function kafkaReader(client: KafkaClient): LogReader {
  const reader = new KafkaReader(client);
  const admin = new KafkaAdmin(client);
  return {
    ranges: async (topic) => (await admin.ranges(topic)).sort((a, b) => a.partition - b.partition),
    async read(topic, positions, maxWaitMs): Promise<PartitionRead[]> {
      const answers = await reader.fetchPartitions(positions.map((p) => ({ topic, ...p })), { maxWaitMs, minBytes: 1 });
      return answers.map((a) => (a.error ? { partition: a.partition, error: a.error } : { partition: a.partition, records: a.records, next: a.next }));
    },
    async close() {
      await Promise.allSettled([reader.close(), admin.close()]);
    },
  };
}
