import type { Producer, Transaction } from 'kafkajs';
import { InvalidArgumentError, TributaryError } from '@tributary/core';
import type { KafkaClient } from '../connection/kafka-client.js';
import { byTopic, topicOffsets } from '../admin/topic-partition.js';
import { asTributaryError } from '../errors.js';
import { kKafkajs } from '../internal/symbols.js';

/** First back-off of a kafkajs request that failed for a reason that may pass; doubles on each retry. */
const RETRY_INITIAL_MS = 20;

/** A record to write in a transaction: bytes, headers, and its topic (and partition, or a key to pick it). */
export interface TransactionalRecord {
  readonly topic: string;
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, Buffer>>;
}

/** Consumer group offsets to commit with the transaction: the next offset to read of each partition. */
export interface TransactionalOffsets {
  readonly groupId: string;
  readonly offsets: ReadonlyArray<{ readonly topic: string; readonly partition: number; readonly offset: bigint }>;
}

/** Options of a {@link KafkaTransactionalWriter}. */
export interface KafkaTransactionalWriterOptions {
  /**
   * The transactional id: stable across restarts of the same worker, so a restarted worker fences its
   * predecessor and aborts the transaction it left open (Kafka's zombie fencing).
   */
  transactionalId: string;
  /** How long the broker lets a transaction stay open before aborting it. Default 60000 ms. */
  transactionTimeoutMs?: number;
}

/**
 * Writes records and commits consumer-group offsets in one Kafka transaction (exactly-once read-process-write):
 * a reader with `isolationLevel: 'read_committed'` sees the records only if the offsets were committed with
 * them, and never the records of a transaction that aborted. Transactions run one at a time; concurrent calls
 * queue. Built on kafkajs' transactional producer, which the Kafka layer keeps behind this class.
 *
 * Fencing is by transactional id (Kafka's original scheme, before KIP-447): give each worker a stable id of its
 * own, and one worker per id.
 */
export class KafkaTransactionalWriter implements AsyncDisposable {
  readonly #producer: Producer;
  #queue: Promise<unknown> = Promise.resolve();
  #connected: Promise<void> | undefined;

  /** @throws InvalidArgumentError for a missing transactional id. */
  constructor(client: KafkaClient, options: KafkaTransactionalWriterOptions) {
    if (typeof options?.transactionalId !== 'string' || options.transactionalId === '') {
      throw new InvalidArgumentError('transactionalId must be a non-empty string, stable for one worker across its restarts', { option: 'transactionalId', value: options?.transactionalId });
    }
    this.#producer = client[kKafkajs].producer({
      transactionalId: options.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: options.transactionTimeoutMs ?? 60_000,
      // A transaction begun just after the last one committed meets CONCURRENT_TRANSACTIONS while the coordinator
      // still writes the last one's markers, which takes milliseconds: Kafka's Java producer retries that after
      // 20 ms, where the client's 100 ms back-off would cap a writer at a few transactions a second.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: RETRY_INITIAL_MS, maxRetryTime: 5000 },
    });
  }

  /** Connect and fence any earlier writer with the same transactional id (its open transaction is aborted). */
  async connect(): Promise<void> {
    try {
      await (this.#connected ??= this.#producer.connect());
    } catch (error) {
      this.#connected = undefined;
      throw asTributaryError(error, 'Connecting the transactional writer');
    }
  }

  /**
   * Write `records` and commit `offsets` atomically. Resolves once committed; on a failure the transaction is
   * aborted (nothing of it becomes visible to read_committed readers), run again when the failure may pass, and
   * the error thrown when it does not.
   * @throws TributaryError (CONNECTION, AUTHORIZATION...) with the cause kept.
   */
  commit(records: readonly TransactionalRecord[], offsets?: TransactionalOffsets): Promise<void> {
    const run = this.#queue.then(() => this.#withRetries(records, offsets));
    this.#queue = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    await this.#queue;
    if (this.#connected) await this.#producer.disconnect();
    this.#connected = undefined;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * A transaction that failed for a reason that may pass (a coordinator moving, as a group's first commit can
   * meet) was aborted, so running it again is safe: up to five attempts.
   */
  async #withRetries(records: readonly TransactionalRecord[], offsets?: TransactionalOffsets): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#run(records, offsets);
      } catch (error) {
        if (!(error instanceof TributaryError) || !error.retriable || attempt >= 5) throw error;
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
  }

  async #run(records: readonly TransactionalRecord[], offsets?: TransactionalOffsets): Promise<void> {
    await this.connect();
    let transaction: Transaction | undefined;
    try {
      transaction = await this.#producer.transaction();
      const perTopic = byTopic(records);
      if (perTopic.size > 0) {
        await transaction.sendBatch({
          acks: -1,
          topicMessages: [...perTopic].map(([topic, list]) => ({
            topic,
            messages: list.map((r) => ({ key: r.key, value: r.value, headers: { ...(r.headers ?? {}) }, ...(r.partition === undefined ? {} : { partition: r.partition }) })),
          })),
        });
      }
      if (offsets && offsets.offsets.length > 0) {
        await transaction.sendOffsets({ consumerGroupId: offsets.groupId, topics: topicOffsets(offsets.offsets) });
      }
      await transaction.commit();
    } catch (error) {
      if (transaction?.isActive()) await transaction.abort().catch(() => {});
      throw error instanceof TributaryError ? error : asTributaryError(error, 'A transaction failed and was aborted');
    }
  }
}

