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
  /** Ids added and not yet in a write; the write under way, and the one that takes them. */
  #unwritten: string[] = [];
  #writing: Promise<void> | undefined;
  #nextWrite: Promise<void> | undefined;

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

  /**
   * Known here at once; on the topic with the next write. One write is under way at a time and takes every id
   * added meanwhile: a processor adding an id per command then sends a Produce request per batch of commands,
   * not one per command (which kept the broker answering tiny requests and cost the processor nine tenths of
   * its throughput). Resolves once the write holding `id` is acknowledged.
   */
  add(id: string): Promise<void> {
    this.#ids.add(id);
    this.#unwritten.push(id);
    return (this.#nextWrite ??= this.#writeAfter(this.#writing));
  }

  /** The next write, once the one under way ended: everything added until it starts. */
  async #writeAfter(previous: Promise<void> | undefined): Promise<void> {
    await previous?.catch(() => undefined);
    // A turn of the event loop, for the ids of the records handled in this one.
    await new Promise((resolve) => setImmediate(resolve));
    const ids = this.#unwritten.splice(0);
    this.#writing = this.#nextWrite;
    this.#nextWrite = undefined;
    await this.#connection!.write(ids.map((id) => ({ topic: this.#o.topic, partition: 0, record: { key: Buffer.from(id), value: MARK, headers: {} } })));
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
    await Promise.allSettled([this.#writing, this.#nextWrite]);
    await this.#tail?.close();
    await this.#connection?.close();
  }
}
