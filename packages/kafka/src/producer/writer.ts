import type { CompressionTypes, Message, Producer } from 'kafkajs';
import type { OutgoingRecord } from '@tributary/core';
import { partitionForKey } from '../partition/partitioner.js';
import { Batcher } from './batcher.js';

/** Where a record was written, or why it was not. */
export type WriteResult =
  | { ok: true; topic: string; partition: number; /** exact: Kafka offsets are 64-bit; -1 when acks=0 */ offset: bigint }
  | { ok: false; topic: string; partition: number; error: unknown };

export interface KafkaWriterOptions {
  acks: -1 | 0 | 1;
  /** Milliseconds the broker may take to reach `acks` replicas. */
  timeoutMs: number;
  compression: CompressionTypes;
  lingerMs: number;
  maxBatchBytes: number;
  /** The partition count of a topic (cached by the caller; asked again after a failed write). */
  partitionCount(topic: string, refresh: boolean): Promise<number>;
}

/**
 * Writes records with kafkajs, merging concurrent writes into one round of requests (see {@link Batcher}), and
 * tells each record's partition and offset.
 *
 * Each partition's records go in a `sendBatch` of their own, in parallel. kafkajs retries a multi-broker
 * request per broker and keeps the responses of brokers that answered; when a partition's leader moves to a
 * broker that already answered for another partition, that partition is never sent again, yet the call
 * succeeds (records acknowledged and not in the log: seen in this package's three-node test). A request
 * holding one partition cannot lose track of it. Partitions are chosen here with Kafka's murmur2 partitioner,
 * so the k-th record of a partition's request sits at the base offset the broker returns plus k.
 */
export class KafkaWriter {
  readonly #producer: Producer;
  readonly #options: KafkaWriterOptions;
  readonly #batcher: Batcher<OutgoingRecord, WriteResult>;
  #roundRobin = 0;

  constructor(producer: Producer, options: KafkaWriterOptions) {
    this.#producer = producer;
    this.#options = options;
    this.#batcher = new Batcher({ lingerMs: options.lingerMs, maxBatchBytes: options.maxBatchBytes, flush: (items) => this.#flush(items) });
  }

  /** Write records (one caller's batch, kept in one round of requests); resolves with each record's fate. */
  write(records: readonly OutgoingRecord[]): Promise<WriteResult[]> {
    let bytes = 0;
    for (const r of records) bytes += r.size;
    return this.#batcher.submit(records as OutgoingRecord[], bytes);
  }

  /** Resolves once every write submitted so far has completed or failed. */
  drain(): Promise<void> {
    return this.#batcher.drain();
  }

  async #flush(items: OutgoingRecord[]): Promise<WriteResult[]> {
    const groups = await this.#group(items);
    const results: WriteResult[] = new Array(items.length);
    let refresh = false;
    await Promise.all(
      [...groups.values()].map(async ({ topic, partition, indices }) => {
        const messages: Message[] = indices.map((i) => {
          const { record } = items[i]!;
          return { key: record.key, value: record.value, headers: record.headers, timestamp: record.timestamp, partition };
        });
        try {
          const [meta] = await this.#producer.sendBatch({ acks: this.#options.acks, timeout: this.#options.timeoutMs, compression: this.#options.compression, topicMessages: [{ topic, messages }] });
          const base = meta && meta.partition === partition ? BigInt(meta.baseOffset ?? '-1') : undefined;
          if (base === undefined && this.#options.acks !== 0) throw new Error(`kafkajs returned no offset for ${topic}:${partition}`);
          indices.forEach((i, k) => (results[i] = { ok: true, topic, partition, offset: base === undefined || base < 0n ? -1n : base + BigInt(k) }));
        } catch (error) {
          refresh = true;
          for (const i of indices) results[i] = { ok: false, topic, partition, error };
        }
      }),
    );
    // A failure may come from a changed partition count: look it up again before the next write.
    if (refresh) for (const topic of new Set(items.map((r) => r.topic))) await this.#options.partitionCount(topic, true).catch(() => {});
    return results;
  }

  async #group(items: OutgoingRecord[]): Promise<Map<string, { topic: string; partition: number; indices: number[] }>> {
    const counts = new Map<string, number>();
    const groups = new Map<string, { topic: string; partition: number; indices: number[] }>();
    for (let i = 0; i < items.length; i++) {
      const { topic, record } = items[i]!;
      let count = counts.get(topic);
      if (count === undefined) counts.set(topic, (count = await this.#options.partitionCount(topic, false)));
      // Records without a key are spread round-robin, as kafkajs does.
      const partition = record.key ? partitionForKey(record.key, count) : this.#roundRobin++ % count;
      const id = `${topic}\u0000${partition}`;
      let group = groups.get(id);
      if (!group) groups.set(id, (group = { topic, partition, indices: [] }));
      group.indices.push(i);
    }
    return groups;
  }
}
