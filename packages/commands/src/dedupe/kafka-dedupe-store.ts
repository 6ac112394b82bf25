import { ensureTopics, KafkaLogTransport, PartitionTail, type KafkaClient, type LogConnection, type Logger, type TransactionalRecord } from '@tributary/kafka';
import type { DedupeStore } from './dedupe-store.js';

/** Options of a {@link KafkaDedupeStore}. */
export interface KafkaDedupeStoreOptions {
  client: KafkaClient;
  /** The compacted topic holding the ids (created if missing). */
  topic: string;
  /** How long ids are kept on the topic. Default seven days. */
  retentionMs?: number;
  logger: Logger;
}

const MARK = Buffer.from('1');

/**
 * Ids on a compacted Kafka topic (key: the message id), read whole at start and followed, so every processor
 * of a group knows what any of them finished: a message redelivered to another member after a crash is not run
 * again. With transactions the id's record is written in the same transaction as the follow-ups and the offset
 * commit ({@link recordFor}); without, it is written after the follow-ups are acknowledged.
 */
export class KafkaDedupeStore implements DedupeStore {
  readonly #o: KafkaDedupeStoreOptions;
  readonly #ids = new Set<string>();
  #connection: LogConnection | undefined;
  #tail: PartitionTail | undefined;

  constructor(options: KafkaDedupeStoreOptions) {
    this.#o = options;
  }

  /** Create the topic if needed, read every id kept, and follow new ones. */
  async start(): Promise<void> {
    await ensureTopics(this.#o.client, [{ topic: this.#o.topic, partitions: 1, configs: { 'cleanup.policy': 'compact,delete', 'retention.ms': String(this.#o.retentionMs ?? 7 * 24 * 3600_000) } }]);
    this.#connection = await new KafkaLogTransport(this.#o.client).connect();
    this.#tail = new PartitionTail({
      reader: this.#connection.openReader(),
      topic: this.#o.topic,
      logger: this.#o.logger,
      maxWaitMs: 250,
      outOfRange: 'start',
      onRecords: (_p, records) => {
        for (const r of records) if (r.key) this.#ids.add(r.key.toString('utf8'));
      },
    });
    for (const [partition, offset] of await this.#tail.starts()) this.#tail.follow(partition, offset);
    await this.catchUp();
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  async add(id: string): Promise<void> {
    this.#ids.add(id);
    await this.#connection!.write([{ topic: this.#o.topic, partition: 0, record: { key: Buffer.from(id), value: MARK, headers: {} } }]);
  }

  recordFor(id: string): TransactionalRecord {
    return { topic: this.#o.topic, partition: 0, key: Buffer.from(id), value: MARK };
  }

  remember(id: string): void {
    this.#ids.add(id);
  }

  /** Resolves once every id written before this call is known here. */
  async catchUp(): Promise<void> {
    const tail = this.#tail!;
    const ends = await tail.ends();
    await Promise.all([...ends].map(([partition, end]) => tail.reached(partition, end)));
  }

  async close(): Promise<void> {
    await this.#tail?.close();
    await this.#connection?.close();
  }
}
