import { ErrorCodes, TributaryError } from '@tributary/core';
import { KafkaWriter, type KafkaClient } from '@tributary/kafka';
import type { DeadLetter, DeadLetterPublisher } from '../processing/record-processor.js';
import { messageOf } from '../logging/logger.js';

/**
 * Writes dead letters with the Kafka layer's writer: idempotent, `acks=-1` (all in-sync replicas), no automatic
 * topic creation (a dead-letter topic is created on purpose, with the retention it needs). Each letter is one
 * awaited write, so letters of one partition reach their topic in order. A write is retried a few times, then
 * fails: the consumer pauses the partition and tries again later rather than waiting forever.
 */
export class KafkaDeadLetterPublisher implements DeadLetterPublisher {
  readonly #writer: KafkaWriter;

  constructor(client: KafkaClient) {
    // Bounded retries: a missing topic must fail so the partition pauses (and is reported stalled).
    this.#writer = new KafkaWriter(client, { retries: 3 });
  }

  connect(): Promise<void> {
    return this.#writer.connect();
  }

  disconnect(): Promise<void> {
    return this.#writer.close();
  }

  /** @throws TributaryError SEND_FAILED (retriable) naming the dead-letter topic, with the cause kept. */
  async publish(letter: DeadLetter): Promise<void> {
    let error: unknown;
    try {
      const record = { key: letter.key, value: letter.value, headers: letter.headers, timestamp: String(Date.now()) };
      const [result] = await this.#writer.write([{ topic: letter.topic, record, size: (record.key?.length ?? 0) + (record.value?.length ?? 0) }]);
      if (result?.ok) return;
      error = result?.error;
    } catch (cause) {
      error = cause;
    }
    throw new TributaryError(ErrorCodes.SEND_FAILED, `Writing a dead letter to "${letter.topic}" failed: ${messageOf(error)}`, {
      cause: error,
      retriable: true,
      context: { topic: letter.topic, origin: `${letter.origin.topic}:${letter.origin.partition}@${letter.origin.offset}` },
    });
  }
}
