import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { ErrorCodes, TributaryError } from '@tributary/core';
import type { DeadLetter, DeadLetterPublisher } from '../processing/record-processor.js';
import { messageOf } from '../logging/logger.js';

/**
 * Writes dead letters with a kafkajs producer: idempotent, `acks=-1` (all in-sync replicas), no automatic
 * topic creation (a dead-letter topic is created on purpose, with the retention it needs). Each letter is one
 * awaited send, so letters of one partition reach their topic in order. A send is retried a few times inside
 * kafkajs, then fails: the consumer pauses the partition and tries again later rather than waiting forever.
 */
export class KafkaDeadLetterPublisher implements DeadLetterPublisher {
  readonly #producer: Producer;

  constructor(kafka: Kafka) {
    this.#producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Bounded, unlike kafkajs' idempotent default (forever): a missing topic must fail so the partition pauses.
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    return this.#producer.connect();
  }

  disconnect(): Promise<void> {
    return this.#producer.disconnect();
  }

  /** @throws TributaryError SEND_FAILED (retriable) naming the dead-letter topic, with kafkajs' error as cause. */
  async publish(letter: DeadLetter): Promise<void> {
    try {
      await this.#producer.send({ topic: letter.topic, acks: -1, messages: [{ key: letter.key, value: letter.value, headers: letter.headers }] });
    } catch (cause) {
      throw new TributaryError(ErrorCodes.SEND_FAILED, `Writing a dead letter to "${letter.topic}" failed: ${messageOf(cause)}`, {
        cause,
        retriable: true,
        context: { topic: letter.topic, origin: `${letter.origin.topic}:${letter.origin.partition}@${letter.origin.offset}` },
      });
    }
  }
}
