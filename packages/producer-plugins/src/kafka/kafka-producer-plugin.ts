import { Kafka, logLevel, type Admin, type Producer, type SASLOptions } from 'kafkajs';
import {
  ErrorCodes,
  EventOffset,
  PartialSendError,
  PluginConfigError,
  ProducerPlugin,
  TributaryError,
  setting,
  type InferSettings,
  type OutgoingRecord,
  type RecordOutcome,
  type ProducerPluginOptions,
  type SettingsInput,
} from '@tributary/core';
import { useCompression } from './compression.js';
import { classifyWriteFailure } from './outcome.js';
import { kafkaSettingsShape } from './settings.js';
import { ensureTopics } from './topics.js';
import { KafkaWriter } from './writer.js';

const kafkaSettings = setting.object(kafkaSettingsShape);

/** The kafka plugin's own settings, validated (see `kafkaSettingsShape` for each one's meaning and default). */
export type KafkaProducerSettings = InferSettings<typeof kafkaSettings>;
/** What a user writes: the kafka settings plus the base `topic` and `maxEventBytes`. */
export type KafkaProducerSettingsInput = SettingsInput<typeof kafkaSettings> & { topic: string; maxEventBytes?: number };

/**
 * The `kafka` producer plugin, on kafkajs. Delivery: `acks=all` and idempotence by default, so a write that
 * resolves is on every in-sync replica and retries never duplicate it. Each event's key is its key (the
 * category unless given), so one category keeps its order in one partition; id, category, type, timestamp and
 * codec travel in headers. Concurrent `send()` calls are merged into one produce request (kafkajs has no
 * accumulator), one request in flight at a time, which keeps per-key order across calls.
 *
 * Failures: a write the broker rejected before appending makes its events `failed`; a lost ack (timeout,
 * broker gone mid-request) makes them `unknown`. `open()` retries the connection `connectRetries` times, then
 * fails with a retriable CONNECTION error naming the brokers. Topics are never auto-created: list them in
 * `ensureTopics` or call `ensureTopics()` yourself.
 */
export class KafkaProducerPlugin extends ProducerPlugin<KafkaProducerSettings> {
  #producer: Producer | undefined;
  #admin: Admin | undefined;
  #writer: KafkaWriter | undefined;
  readonly #partitionCounts = new Map<string, number>();

  constructor(settings: KafkaProducerSettingsInput, options: ProducerPluginOptions = {}) {
    super({ name: 'kafka', settings: kafkaSettings }, settings, options);
    if (this.settings.idempotent && this.settings.acks !== -1) {
      throw new PluginConfigError(`Setting "idempotent" of plugin "kafka" is true, which needs acks -1 (all), but acks is ${this.settings.acks}`, {
        plugin: 'kafka',
        path: 'idempotent',
        value: true,
        expected: 'false when acks is not -1',
      });
    }
  }

  protected async _open(): Promise<void> {
    const s = this.settings;
    const kafka = new Kafka({
      clientId: s.clientId,
      brokers: [...s.brokers],
      ssl: s.ssl,
      sasl: s.sasl as SASLOptions | undefined,
      connectionTimeout: s.connectionTimeoutMs,
      logLevel: logLevel.NOTHING,
      retry: { retries: s.connectRetries, initialRetryTime: 200, maxRetryTime: 2000 },
    });
    const producer = kafka.producer({
      idempotent: s.idempotent,
      // More than one request in flight lets kafkajs' idempotent producer reorder sequences; the writer keeps one.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: s.connectRetries, initialRetryTime: 200, maxRetryTime: 2000 },
    });
    const compression = await useCompression(s.compression);
    // The admin client answers partition counts, which the writer needs to choose partitions itself.
    const admin = kafka.admin();
    try {
      await producer.connect();
      await admin.connect();
      if (s.ensureTopics.length > 0) await ensureTopics(admin, s.ensureTopics);
    } catch (cause) {
      await producer.disconnect().catch(() => {});
      await admin.disconnect().catch(() => {});
      if (cause instanceof TributaryError) throw cause;
      throw new TributaryError(ErrorCodes.CONNECTION, `Plugin "kafka" could not connect to ${s.brokers.join(',')} after ${s.connectRetries} retries: ${(cause as Error).message}`, {
        retriable: true,
        cause,
        context: { plugin: 'kafka', brokers: s.brokers },
      });
    }
    this.#producer = producer;
    this.#admin = admin;
    this.#writer = new KafkaWriter(producer, {
      acks: s.acks,
      timeoutMs: s.requestTimeoutMs,
      compression,
      lingerMs: s.lingerMs,
      maxBatchBytes: s.maxBatchBytes,
      partitionCount: (topic, refresh) => this.#partitionCount(topic, refresh),
    });
  }

  async #partitionCount(topic: string, refresh: boolean): Promise<number> {
    const known = this.#partitionCounts.get(topic);
    if (known !== undefined && !refresh) return known;
    const meta = await this.#admin!.fetchTopicMetadata({ topics: [topic] });
    const count = meta.topics[0]?.partitions.length ?? 0;
    if (count === 0) throw new TributaryError(ErrorCodes.INVALID_ARGUMENT, `Topic "${topic}" does not exist (the kafka plugin never auto-creates topics; use ensureTopics)`, { context: { topic } });
    this.#partitionCounts.set(topic, count);
    return count;
  }

  protected async _send(batch: readonly OutgoingRecord[]): Promise<ReadonlyArray<EventOffset | undefined>> {
    let results;
    try {
      results = await this.#writer!.write(batch);
    } catch (cause) {
      // Nothing was sent: the partition count could not be had (unknown topic, no broker).
      throw new PartialSendError(`Kafka write of ${batch.length} event(s) not attempted: ${(cause as Error).message}`, batch.map(() => ({ status: 'failed' as const, error: cause })), {
        cause,
        retriable: (cause as { retriable?: boolean }).retriable === true,
      });
    }
    const failure = results.find((r) => !r.ok);
    if (!failure) return results.map((r) => (r.ok && r.offset >= 0n ? EventOffset.of(r.topic, r.partition, r.offset) : undefined));
    const outcomes: RecordOutcome[] = results.map((r) =>
      r.ok ? { status: 'ok', offset: r.offset >= 0n ? EventOffset.of(r.topic, r.partition, r.offset) : undefined } : { status: classifyWriteFailure(r.error), error: r.error },
    );
    const cause = failure.ok ? undefined : failure.error;
    const failed = outcomes.filter((o) => o.status !== 'ok').length;
    throw new PartialSendError(`Kafka did not take ${failed} of ${batch.length} event(s) (partition ${failure.topic}:${failure.partition}): ${(cause as Error)?.message}`, outcomes, {
      cause,
      retriable: true,
    });
  }

  protected async _close(): Promise<void> {
    await this.#writer?.drain();
    await this.#producer?.disconnect();
    await this.#admin?.disconnect();
  }
}
