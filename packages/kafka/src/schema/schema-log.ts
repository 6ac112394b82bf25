import type { Kafka, Producer } from 'kafkajs';
import type { SchemaLog } from '@tributary/core';
import { readToEnd } from './read-to-end.js';
import { ensureTopics } from './topics.js';

export interface KafkaSchemaLogOptions {
  /** The compacted topic holding the registrations. Default `_tributary_schemas`. */
  topic?: string;
}

/**
 * The log behind a `LogSchemaRegistry`, on Kafka: a compacted topic with one partition, so every reader sees
 * registrations in one order and compaction only drops repeats of a key. No registry server is needed.
 */
export class KafkaSchemaLog implements SchemaLog, AsyncDisposable {
  readonly topic: string;
  readonly #kafka: Kafka;
  #producer: Producer | undefined;
  #ready: Promise<void> | undefined;

  constructor(kafka: Kafka, options: KafkaSchemaLogOptions = {}) {
    this.#kafka = kafka;
    this.topic = options.topic ?? '_tributary_schemas';
  }

  async append(key: string, value: string): Promise<void> {
    await this.#open();
    await this.#producer!.send({ topic: this.topic, acks: -1, messages: [{ key, value }] });
  }

  async readAll(): Promise<Array<{ key: string; value: string }>> {
    await this.#open();
    const records = await readToEnd(this.#kafka, this.topic);
    return records.filter((r) => r.key !== null && r.value !== null).map((r) => ({ key: r.key!.toString(), value: r.value!.toString() }));
  }

  async close(): Promise<void> {
    await this.#producer?.disconnect();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #open(): Promise<void> {
    this.#ready ??= (async () => {
      const admin = this.#kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, [{ topic: this.topic, partitions: 1, configs: { 'cleanup.policy': 'compact' } }]);
      } finally {
        await admin.disconnect();
      }
      const producer = this.#kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await producer.connect();
      this.#producer = producer;
    })().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }
}
