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
import { KafkaAdmin, KafkaClient, KafkaWriter, silentLogger, type Logger, type WriteResult } from '@tributary/kafka';
import { kafkaSettingsShape } from './settings.js';

const kafkaSettings = setting.object(kafkaSettingsShape);

/** The kafka plugin's own settings, validated (see `kafkaSettingsShape` for each one's meaning and default). */
export type KafkaProducerSettings = InferSettings<typeof kafkaSettings>;
/** What a user writes: the kafka settings plus the base `topic` and `maxEventBytes`. */
export type KafkaProducerSettingsInput = SettingsInput<typeof kafkaSettings> & { topic: string; maxEventBytes?: number };

/**
 * The `kafka` producer plugin, on the Kafka layer's writer (@tributary/kafka). Delivery: `acks=all` and idempotence by default, so a write that
 * resolves is on every in-sync replica and retries never duplicate it. Each event's key is its key (the
 * category unless given), so one category keeps its order in one partition; id, category, type, timestamp and
 * codec travel in headers. Concurrent `send()` calls are merged into shared record batches and Produce requests,
 * one request per broker carrying a batch for each partition it leads, up to five requests per broker in flight;
 * the idempotent producer's sequence numbers keep each partition (so each key) in the order of the calls.
 *
 * Failures: `failed` is exact. Each partition's batch is retried for up to `requestTimeoutMs`, each retry
 * on freshly read metadata (a dead leader's partitions move within the broker session timeout) and with the
 * same producer id and sequence numbers, so the broker never appends a retried request twice and acknowledges
 * it with the offsets of the attempt that did land. Every attempt is kept: events are `failed` only when no
 * attempt can have appended them (each was refused before the append, e.g. NOT_ENOUGH_REPLICAS, or never left
 * because no leader could be reached); once an attempt was sent and its answer lost (timeout, broker gone
 * mid-request, or NOT_LEADER_OR_FOLLOWER with acks=all, which a leader that steps down gives after appending)
 * they are `unknown` whatever later attempts said. `open()` retries the connection `connectRetries` times, then
 * fails with a retriable CONNECTION error naming the brokers. Topics are never auto-created: list them in
 * `ensureTopics` or call `ensureTopics()` yourself.
 */
export class KafkaProducerPlugin extends ProducerPlugin<KafkaProducerSettings> {
  #writer: KafkaWriter | undefined;
  readonly #logger: Logger;

  constructor(settings: KafkaProducerSettingsInput, options: ProducerPluginOptions & { logger?: Logger } = {}) {
    super({ name: 'kafka', settings: kafkaSettings }, settings, options);
    if (this.settings.idempotent && this.settings.acks !== -1) {
      throw new PluginConfigError(`Setting "idempotent" of plugin "kafka" is true, which needs acks -1 (all), but acks is ${this.settings.acks}`, {
        plugin: 'kafka',
        path: 'idempotent',
        value: true,
        expected: 'false when acks is not -1',
      });
    }
    // The plugin reports every failure through send()'s outcomes; the client's own retries stay quiet.
    this.#logger = options.logger ?? silentLogger;
  }

  protected async _open(): Promise<void> {
    const s = this.settings;
    const client = new KafkaClient(
      {
        brokers: s.brokers,
        clientId: s.clientId,
        tls: s.tls === undefined ? false : { ...s.tls },
        sasl: s.sasl,
        connectionTimeoutMs: s.connectionTimeoutMs,
        requestTimeoutMs: s.requestTimeoutMs,
        retries: s.connectRetries,
        logger: this.#logger,
      },
      { optionPath: 'settings' },
    );
    const batchSize = s.batchSize ?? s.maxBatchBytes;
    const writer = new KafkaWriter(client, {
      acks: s.acks,
      idempotent: s.idempotent,
      timeoutMs: s.requestTimeoutMs,
      compression: s.compression,
      ...(s.lingerMs === undefined ? {} : { lingerMs: s.lingerMs }),
      ...(batchSize === undefined ? {} : { batchSize }),
      maxInFlightRequests: s.maxInFlightRequests,
      // Retried until this has passed, whatever the count: the default 30 s outlasts the broker session timeout
      // after which a dead leader's partitions get new leaders.
      deliveryTimeoutMs: s.requestTimeoutMs,
    });
    try {
      await writer.connect();
      if (s.ensureTopics.length > 0) {
        await using admin = new KafkaAdmin(client);
        await admin.ensureTopics(s.ensureTopics);
      }
    } catch (cause) {
      await writer.close().catch(() => {});
      if (cause instanceof TributaryError && cause.code !== ErrorCodes.CONNECTION) throw cause;
      throw new TributaryError(ErrorCodes.CONNECTION, `Plugin "kafka" could not connect to ${s.brokers.join(',')} after ${s.connectRetries} retries: ${(cause as Error).message}`, {
        // An untrusted certificate stays what it was (not retriable); a broker out of reach may come back.
        retriable: cause instanceof TributaryError ? cause.retriable : true,
        cause,
        context: { plugin: 'kafka', brokers: s.brokers },
      });
    }
    this.#writer = writer;
  }

  /**
   * Not async, so that the records are not held while they are written: the writer encodes each into its batch at
   * once, and their buffers can go (an async function would keep its parameters until it ends).
   */
  protected _send(batch: readonly OutgoingRecord[]): Promise<ReadonlyArray<EventOffset | undefined>> {
    // write() refuses by rejecting, never by throwing.
    return offsetsOf(this.#writer!.write(batch), batch.length);
  }

  protected async _close(): Promise<void> {
    await this.#writer?.close();
  }
}

/** Each record's offset, or a PartialSendError telling each record's fate. */
async function offsetsOf(written: Promise<WriteResult[]>, count: number): Promise<ReadonlyArray<EventOffset | undefined>> {
  let results;
  try {
    results = await written;
  } catch (cause) {
    // Nothing was sent: the partition count or a producer id could not be had (unknown topic, no broker).
    throw new PartialSendError(`Kafka write of ${count} event(s) not attempted: ${(cause as Error).message}`, Array.from({ length: count }, () => ({ status: 'failed' as const, error: cause })), {
      cause,
      retriable: (cause as { retriable?: boolean }).retriable === true,
    });
  }
  const failure = results.find((r) => !r.ok);
  if (!failure) return results.map((r) => (r.ok && r.offset >= 0n ? EventOffset.of(r.topic, r.partition, r.offset) : undefined));
  const outcomes: RecordOutcome[] = results.map((r) =>
    r.ok ? { status: 'ok', offset: r.offset >= 0n ? EventOffset.of(r.topic, r.partition, r.offset) : undefined } : { status: r.outcome, error: r.error },
  );
  const cause = failure.ok ? undefined : failure.error;
  const failed = outcomes.filter((o) => o.status !== 'ok').length;
  throw new PartialSendError(`Kafka did not take ${failed} of ${count} event(s) (partition ${failure.topic}:${failure.partition}): ${(cause as Error)?.message}`, outcomes, {
    cause,
    retriable: true,
  });
}
