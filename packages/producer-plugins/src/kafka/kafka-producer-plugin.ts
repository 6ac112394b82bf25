import { Kafka, logLevel, type Message, type Producer, type SASLOptions } from 'kafkajs';
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
  type ProducerPluginOptions,
  type SettingsInput,
} from '@tributary/core';
import { useCompression } from './compression.js';
import { classifyWriteFailure } from './outcome.js';
import { kafkaSettingsShape } from './settings.js';
import { ensureTopics } from './topics.js';
import { KafkaWriter, recordingPartitioner } from './writer.js';

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
  #writer: KafkaWriter | undefined;

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
    const partitionOf = new WeakMap<Message, number>();
    const producer = kafka.producer({
      idempotent: s.idempotent,
      // More than one request in flight lets kafkajs' idempotent producer reorder sequences; the writer keeps one.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: recordingPartitioner(partitionOf),
      retry: { retries: s.connectRetries, initialRetryTime: 200, maxRetryTime: 2000 },
    });
    const compression = await useCompression(s.compression);
    try {
      await producer.connect();
      if (s.ensureTopics.length > 0) {
        const admin = kafka.admin();
        await admin.connect();
        try {
          await ensureTopics(admin, s.ensureTopics);
        } finally {
          await admin.disconnect();
        }
      }
    } catch (cause) {
      await producer.disconnect().catch(() => {});
      if (cause instanceof TributaryError) throw cause;
      throw new TributaryError(ErrorCodes.CONNECTION, `Plugin "kafka" could not connect to ${s.brokers.join(',')} after ${s.connectRetries} retries: ${(cause as Error).message}`, {
        retriable: true,
        cause,
        context: { plugin: 'kafka', brokers: s.brokers },
      });
    }
    this.#producer = producer;
    this.#writer = new KafkaWriter(producer, partitionOf, {
      acks: s.acks,
      timeoutMs: s.requestTimeoutMs,
      compression,
      lingerMs: s.lingerMs,
      maxBatchBytes: s.maxBatchBytes,
    });
  }

  protected async _send(batch: readonly OutgoingRecord[]): Promise<ReadonlyArray<EventOffset | undefined>> {
    let written;
    try {
      written = await this.#writer!.write(batch);
    } catch (cause) {
      const status = classifyWriteFailure(cause);
      throw new PartialSendError(
        `Kafka ${status === 'failed' ? 'rejected' : 'did not acknowledge'} a write of ${batch.length} event(s): ${(cause as Error).message}`,
        batch.map(() => ({ status, error: cause })),
        { cause, retriable: status === 'unknown' || (cause as { retriable?: boolean }).retriable === true },
      );
    }
    return written.map((w) => (w.offset < 0n ? undefined : EventOffset.of(w.topic, w.partition, w.offset)));
  }

  protected async _close(): Promise<void> {
    await this.#writer?.drain();
    await this.#producer?.disconnect();
  }
}
