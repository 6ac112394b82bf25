import { Partitioners, type Message, type Producer, type ProducerBatch, type RecordMetadata, type CompressionTypes, type PartitionerArgs } from 'kafkajs';
import type { OutgoingRecord } from '@tributary/core';
import { Batcher } from './batcher.js';

/** Where a record was written. */
export interface WrittenRecord {
  topic: string;
  partition: number;
  /** The record's offset, exact (Kafka offsets are 64-bit). */
  offset: bigint;
}

export interface KafkaWriterOptions {
  acks: -1 | 0 | 1;
  /** Milliseconds the broker may take to reach `acks` replicas. */
  timeoutMs: number;
  compression: CompressionTypes;
  lingerMs: number;
  maxBatchBytes: number;
}

/**
 * Writes records with one kafkajs `sendBatch` per request, merging concurrent writes (see {@link Batcher}),
 * and tells each record's partition and offset. kafkajs reports one base offset per partition; the partition
 * of each message is known by wrapping the default (murmur2, Java-compatible) partitioner, so the k-th message
 * of a partition in the request was written at base offset + k.
 */
export class KafkaWriter {
  readonly #producer: Producer;
  readonly #options: KafkaWriterOptions;
  readonly #batcher: Batcher<OutgoingRecord, WrittenRecord>;
  readonly #partitionOf: WeakMap<Message, number>;

  /** `partitionOf` is filled by the partitioner made with {@link recordingPartitioner} for the same producer. */
  constructor(producer: Producer, partitionOf: WeakMap<Message, number>, options: KafkaWriterOptions) {
    this.#producer = producer;
    this.#options = options;
    this.#partitionOf = partitionOf;
    this.#batcher = new Batcher({ lingerMs: options.lingerMs, maxBatchBytes: options.maxBatchBytes, flush: (items) => this.#flush(items) });
  }

  /** Write records (one caller's batch, kept whole in one request); resolves with where each was written. */
  write(records: readonly OutgoingRecord[]): Promise<WrittenRecord[]> {
    let bytes = 0;
    for (const r of records) bytes += r.size;
    return this.#batcher.submit(records as OutgoingRecord[], bytes);
  }

  /** Resolves once every write submitted so far has completed or failed. */
  drain(): Promise<void> {
    return this.#batcher.drain();
  }

  async #flush(items: OutgoingRecord[]): Promise<WrittenRecord[]> {
    const byTopic = new Map<string, Message[]>();
    const messages: Message[] = [];
    for (const { topic, record } of items) {
      const message: Message = { key: record.key, value: record.value, headers: record.headers, timestamp: record.timestamp };
      messages.push(message);
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, (list = []));
      list.push(message);
    }
    const batch: ProducerBatch = {
      acks: this.#options.acks,
      timeout: this.#options.timeoutMs,
      compression: this.#options.compression,
      topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
    };
    const metadata = await this.#producer.sendBatch(batch);
    return this.#locate(items, messages, metadata);
  }

  #locate(items: OutgoingRecord[], messages: Message[], metadata: RecordMetadata[]): WrittenRecord[] {
    const base = new Map<string, bigint>();
    for (const m of metadata) base.set(`${m.topicName}\u0000${m.partition}`, BigInt(m.baseOffset ?? '-1'));
    const seen = new Map<string, bigint>();
    return items.map(({ topic }, i) => {
      const partition = this.#partitionOf.get(messages[i]!);
      if (partition === undefined) throw new Error(`kafkajs did not partition a message of topic ${topic}`);
      const key = `${topic}\u0000${partition}`;
      const k = seen.get(key) ?? 0n;
      seen.set(key, k + 1n);
      const first = base.get(key);
      // acks=0 gets no offsets back from the broker.
      return { topic, partition, offset: first === undefined || first < 0n ? -1n : first + k };
    });
  }
}

/**
 * kafkajs' default partitioner (murmur2 of the key, as the Java client), recording the partition chosen for
 * each message. kafkajs calls the partitioner again on a retry after a metadata refresh, so the last call wins.
 */
export function recordingPartitioner(partitionOf: WeakMap<Message, number>): () => (args: PartitionerArgs) => number {
  return () => {
    const partition = Partitioners.DefaultPartitioner();
    return (args) => {
      const chosen = partition(args);
      partitionOf.set(args.message, chosen);
      return chosen;
    };
  };
}
