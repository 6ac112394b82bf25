import { ErrorCodes, TributaryError, type SchemaLog } from '@tributary/core';
import { KafkaAdmin } from '../admin/kafka-admin.js';
import { KafkaClient, type KafkaClientOptions } from '../connection/kafka-client.js';
import { readToEnd } from '../reader/read-to-end.js';
import { KafkaWriter } from '../producer/writer.js';

export interface KafkaSchemaLogOptions {
  /** The compacted topic holding the registrations. Default `_tributary_schemas`. */
  topic?: string;
}

/**
 * The log behind a `LogSchemaRegistry`, on Kafka: a compacted topic with one partition, so every reader sees
 * registrations in one order and compaction only drops repeats of a key. No registry server is needed. The
 * topic is created on first use when missing.
 */
export class KafkaSchemaLog implements SchemaLog, AsyncDisposable {
  readonly topic: string;
  readonly #client: KafkaClient;
  #writer: KafkaWriter | undefined;
  #ready: Promise<void> | undefined;

  constructor(connection: KafkaClient | KafkaClientOptions, options: KafkaSchemaLogOptions = {}) {
    this.#client = KafkaClient.from(connection, { clientId: 'tributary-schema-log' });
    this.topic = options.topic ?? '_tributary_schemas';
  }

  /** @throws TributaryError SEND_FAILED (retriable) when the registration was not written. */
  async append(key: string, value: string): Promise<void> {
    await this.#open();
    const record = { key: Buffer.from(key), value: Buffer.from(value), headers: {}, timestamp: String(Date.now()) };
    const [result] = await this.#writer!.write([{ topic: this.topic, record, size: record.key.length + record.value.length }]);
    if (result && !result.ok) {
      throw new TributaryError(ErrorCodes.SEND_FAILED, `Writing schema "${key}" to "${this.topic}" failed (${result.outcome}): ${(result.error as Error).message}`, {
        cause: result.error,
        retriable: true,
        context: { topic: this.topic, key, outcome: result.outcome },
      });
    }
  }

  async readAll(): Promise<Array<{ key: string; value: string }>> {
    await this.#open();
    const records = await readToEnd(this.#client, this.topic);
    return records.filter((r) => r.key !== null && r.value !== null).map((r) => ({ key: r.key!.toString(), value: r.value!.toString() }));
  }

  async close(): Promise<void> {
    await this.#writer?.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #open(): Promise<void> {
    this.#ready ??= (async () => {
      {
        await using admin = new KafkaAdmin(this.#client);
        await admin.ensureTopics([{ topic: this.topic, partitions: 1, configs: { 'cleanup.policy': 'compact' } }]);
      }
      const writer = new KafkaWriter(this.#client);
      await writer.connect();
      this.#writer = writer;
    })().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }
}
