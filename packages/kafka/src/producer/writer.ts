import type { Message, Producer } from 'kafkajs';
import { ErrorCodes, TributaryError, type EventRecord } from '@tributary/core';
import { KafkaAdmin } from '../admin/kafka-admin.js';
import type { KafkaClient } from '../connection/kafka-client.js';
import { asTributaryError } from '../errors.js';
import { kKafkajs } from '../internal/symbols.js';
import { Batcher } from './batcher.js';
import { compressionType, type CompressionName } from './compression.js';
import { classifyAttempts, type WriteOutcome } from './outcome.js';
import { partitionForKey } from './partitioner.js';

/** Where a record was written, or why it was not, and whether it may be in the log all the same. */
export type WriteResult =
  | { ok: true; topic: string; partition: number; /** exact: Kafka offsets are 64-bit; -1 when acks=0 */ offset: bigint }
  | { ok: false; topic: string; partition: number; error: unknown; /** failed: certainly not appended */ outcome: WriteOutcome };

/** A record to write: Tributary's encoded record, its topic, and its size in bytes (what batching counts). */
export interface RecordToWrite {
  readonly topic: string;
  readonly record: EventRecord;
  readonly size: number;
}

/** Options of a {@link KafkaWriter}. */
export interface KafkaWriterOptions {
  /** -1 (all in-sync replicas, the default), 1 (the leader) or 0 (no ack: offsets are then unknown). */
  acks?: -1 | 0 | 1;
  /** Exactly-once appends per partition across retries (Kafka's idempotent producer). Needs acks -1. Default true. */
  idempotent?: boolean;
  /** Milliseconds the broker may take to reach `acks` replicas. Default 30000. */
  timeoutMs?: number;
  compression?: CompressionName;
  /** How long to wait for more concurrent writes to merge into one request when none is in flight. Default 0. */
  lingerMs?: number;
  /** A request stops taking more writes once it holds this many bytes. Default 1 MiB. */
  maxBatchBytes?: number;
  /** Attempts of a partition's request after the first, on a retriable failure. Default 5. */
  retries?: number;
}

/**
 * Writes records, merging concurrent writes into one round of requests (see {@link Batcher}), and tells each
 * record's partition and offset, or its exact outcome.
 *
 * Each partition's records go in a request of their own, in parallel. kafkajs retries a multi-broker request
 * per broker and keeps the responses of brokers that answered; when a partition's leader moves to a broker that
 * already answered for another partition, that partition is never sent again, yet the call succeeds (records
 * acknowledged and not in the log). A request holding one partition cannot lose track of it. Partitions are
 * chosen here with Kafka's murmur2 partitioner, so the k-th record of a partition's request sits at the base
 * offset the broker returns plus k.
 *
 * Retries are Tributary's, not kafkajs' (whose loop hides earlier attempts' errors): every attempt's failure is
 * kept, so a record is reported `failed` only when no attempt could have appended it (see classifyAttempts). With
 * idempotence, a retry of a request that did land is recognised by the broker by its sequence numbers and
 * acknowledged with the first offsets, never appended twice.
 */
export class KafkaWriter implements AsyncDisposable {
  readonly #producer: Producer;
  readonly #admin: KafkaAdmin;
  readonly #acks: -1 | 0 | 1;
  readonly #timeoutMs: number;
  readonly #compression: ReturnType<typeof compressionType>;
  readonly #retries: number;
  readonly #batcher: Batcher<RecordToWrite, WriteResult>;
  readonly #partitionCounts = new Map<string, number>();
  #roundRobin = 0;

  constructor(client: KafkaClient, options: KafkaWriterOptions = {}) {
    const idempotent = options.idempotent ?? true;
    this.#acks = options.acks ?? -1;
    if (idempotent && this.#acks !== -1) throw new TributaryError(ErrorCodes.INVALID_ARGUMENT, `idempotent writes need acks -1 (all), got acks ${this.#acks}`, { context: { option: 'acks', value: this.#acks } });
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#compression = compressionType(options.compression ?? 'none');
    this.#retries = options.retries ?? 5;
    this.#producer = client[kKafkajs].producer({
      idempotent,
      // More than one request in flight lets kafkajs' idempotent producer reorder sequences; the batcher keeps one.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // As few retries inside kafkajs as it allows (its idempotent producer refuses none): #sendPartition
      // retries, keeping what each attempt said, and an error kafkajs retried itself counts as unknown
      // (classifyWriteFailure), since the attempt it hides may have appended.
      retry: { retries: idempotent ? 1 : 0, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    this.#admin = new KafkaAdmin(client);
    this.#batcher = new Batcher({ lingerMs: options.lingerMs ?? 0, maxBatchBytes: options.maxBatchBytes ?? 1024 * 1024, flush: (items) => this.#flush(items) });
  }

  /** Connect the producer and the admin that answers partition counts. */
  async connect(): Promise<void> {
    try {
      await this.#producer.connect();
      await this.#admin.connect();
    } catch (error) {
      await this.close().catch(() => {});
      throw asTributaryError(error, 'Connecting the Kafka writer');
    }
  }

  /** Write records (one caller's batch, kept in one round of requests); resolves with each record's fate. */
  write(records: readonly RecordToWrite[]): Promise<WriteResult[]> {
    let bytes = 0;
    for (const r of records) bytes += r.size;
    return this.#batcher.submit(records as RecordToWrite[], bytes);
  }

  /** Resolves once every write submitted so far has completed or failed. */
  drain(): Promise<void> {
    return this.#batcher.drain();
  }

  /** Let writes in flight finish, then disconnect. */
  async close(): Promise<void> {
    await this.#batcher.drain();
    await Promise.allSettled([this.#producer.disconnect(), this.#admin.close()]);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * The partition count of a topic, cached; asked again after a failed write (it may have grown).
   * @throws TributaryError INVALID_ARGUMENT when the topic does not exist (topics are never auto-created).
   */
  async partitionCount(topic: string, refresh = false): Promise<number> {
    const known = this.#partitionCounts.get(topic);
    if (known !== undefined && !refresh) return known;
    const count = await this.#admin.partitionCount(topic);
    if (count === 0) throw new TributaryError(ErrorCodes.INVALID_ARGUMENT, `Topic "${topic}" does not exist (Tributary never auto-creates topics; use ensureTopics)`, { context: { topic } });
    this.#partitionCounts.set(topic, count);
    return count;
  }

  async #flush(items: RecordToWrite[]): Promise<WriteResult[]> {
    const groups = await this.#group(items);
    const results: WriteResult[] = new Array(items.length);
    let refresh = false;
    await Promise.all(
      [...groups.values()].map(async ({ topic, partition, indices }) => {
        const messages: Message[] = indices.map((i) => {
          const { record } = items[i]!;
          return { key: record.key, value: record.value, headers: record.headers, timestamp: record.timestamp, partition };
        });
        const sent = await this.#sendPartition(topic, partition, messages);
        if (sent.ok) indices.forEach((i, k) => (results[i] = { ok: true, topic, partition, offset: sent.base < 0n ? -1n : sent.base + BigInt(k) }));
        else {
          refresh = true;
          for (const i of indices) results[i] = { ok: false, topic, partition, error: sent.error, outcome: sent.outcome };
        }
      }),
    );
    // A failure may come from a changed partition count: look it up again before the next write.
    if (refresh) for (const topic of new Set(items.map((r) => r.topic))) await this.partitionCount(topic, true).catch(() => {});
    return results;
  }

  /** One partition's request, tried again on retriable failures; every attempt's error counts for the outcome. */
  async #sendPartition(topic: string, partition: number, messages: Message[]): Promise<{ ok: true; base: bigint } | { ok: false; error: unknown; outcome: WriteOutcome }> {
    const errors: unknown[] = [];
    for (let attempt = 0; ; attempt++) {
      try {
        const [meta] = await this.#producer.sendBatch({ acks: this.#acks, timeout: this.#timeoutMs, compression: this.#compression, topicMessages: [{ topic, messages }] });
        const base = meta && meta.partition === partition ? BigInt(meta.baseOffset ?? '-1') : undefined;
        if (base === undefined && this.#acks !== 0) throw new Error(`kafkajs returned no offset for ${topic}:${partition}`);
        return { ok: true, base: base ?? -1n };
      } catch (error) {
        errors.push(error);
        if (attempt >= this.#retries || (error as { retriable?: boolean }).retriable === false) return { ok: false, error, outcome: classifyAttempts(errors) };
        await new Promise((r) => setTimeout(r, Math.min(1000, 100 * 2 ** attempt)));
      }
    }
  }

  async #group(items: RecordToWrite[]): Promise<Map<string, { topic: string; partition: number; indices: number[] }>> {
    const counts = new Map<string, number>();
    const groups = new Map<string, { topic: string; partition: number; indices: number[] }>();
    for (let i = 0; i < items.length; i++) {
      const { topic, record } = items[i]!;
      let count = counts.get(topic);
      if (count === undefined) counts.set(topic, (count = await this.partitionCount(topic)));
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
