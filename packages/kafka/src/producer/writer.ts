import { ErrorCodes, TributaryError } from '@tributary/core';
import { KafkaAdmin } from '../admin/kafka-admin.js';
import type { KafkaClient } from '../connection/kafka-client.js';
import { asTributaryError } from '../errors.js';
import { kKafkajs } from '../internal/symbols.js';
import { Batcher } from './batcher.js';
import { ClusterProducePorts } from './cluster-ports.js';
import { COMPRESSION_NAMES, compressionCodec, type CompressionName } from './compression.js';
import type { WriteAttempt, WriteOutcome } from './outcome.js';
import { sendPartitionRequest, type PartitionRequestOptions } from './partition-request.js';
import { partitionForKey } from './partitioner.js';
import type { ProducerSession } from './producer-session.js';
import { partitionKey } from '../admin/topic-partition.js';

/** Where a record was written, or why it was not, and whether it may be in the log all the same. */
export type WriteResult =
  | { ok: true; topic: string; partition: number; /** exact: Kafka offsets are 64-bit; -1 when acks=0 */ offset: bigint }
  | {
      ok: false;
      topic: string;
      partition: number;
      /** The last attempt's error. */
      error: unknown;
      /** failed: certainly not appended; unknown: an attempt may have appended the record. */
      outcome: WriteOutcome;
      /** Every attempt of the record's request, in order, with whether it was sent. */
      attempts: readonly WriteAttempt[];
    };

/**
 * The bytes of a record to write: a Tributary event's encoded record fits, and so does any other record (a dead
 * letter keeps a tombstone's null value, null header values and repeated header names, given as an array).
 */
export interface WritableRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /**
   * Header values by name, in the object's order; an array writes the name once per value, in order, and a null
   * value is written as a null header value, which Kafka clients read back as null.
   */
  readonly headers: Readonly<Record<string, Buffer | null | ReadonlyArray<Buffer | null>>>;
  /** Epoch milliseconds, in decimal. */
  readonly timestamp: string;
}

/** A record to write: its bytes, its topic, and its size in bytes (what batching counts). */
export interface RecordToWrite {
  readonly topic: string;
  readonly record: WritableRecord;
  readonly size: number;
  /**
   * The partition to write to. Default: by the key with Kafka's murmur2 partitioner (round-robin without a key),
   * so a key lands where any Kafka client would put it.
   */
  readonly partition?: number;
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
  /** Attempts of a partition's request after the first, at most, on retriable failures. Default: no limit but `deliveryTimeoutMs`. */
  retries?: number;
  /**
   * No attempt of a partition's request starts later than this many milliseconds after its first, so a write
   * gives up after about this plus one request's time. Default `timeoutMs`. Leave it above Kafka's
   * `broker.session.timeout.ms` (9 s by default) for writes to reach the new leader of a partition whose leader died.
   */
  deliveryTimeoutMs?: number;
}

/**
 * Writes records, merging concurrent writes into one round of requests (see {@link Batcher}), and tells each
 * record's partition and offset, or its exact outcome.
 *
 * Each partition's records are one record batch; the batches of the partitions a broker leads travel in one
 * Produce request to it (see BrokerRequests), and each partition's answer is its own, so a partition whose
 * leader moved is retried by itself. Partitions are chosen here with Kafka's murmur2 partitioner, so the k-th
 * record of a partition's batch sits at the base offset the broker returns plus k.
 *
 * Record batches and Produce requests are Tributary's (src/protocol/), sent on connections of kafkajs' internal
 * brokers rather than through its producer: the producer retries inside, keeps only the last attempt's error, and
 * keeps sending under sequence numbers that a lost request may already have used. Here each partition's records
 * are encoded once, and each retry reads the metadata again and sends the same batch with the same producer id and
 * sequence numbers, so the broker acknowledges a repeat of a request that did land with the first offsets and
 * never appends it twice (see {@link sendPartitionRequest}); every attempt is kept, and a record is reported
 * `failed` only when no attempt can have appended it (see classifyAttempts). After a request whose outcome stayed
 * unknown the writer takes a new producer id before its next write (see
 * {@link ProducerSession}), since the partition's sequence is then in doubt.
 */
export class KafkaWriter implements AsyncDisposable {
  readonly #ports: ClusterProducePorts;
  readonly #admin: KafkaAdmin;
  readonly #idempotent: boolean;
  readonly #request: PartitionRequestOptions;
  readonly #batcher: Batcher<RecordToWrite, WriteResult>;
  readonly #partitionCounts = new Map<string, number>();
  #session: ProducerSession | undefined;
  #roundRobin = 0;

  constructor(client: KafkaClient, options: KafkaWriterOptions = {}) {
    this.#idempotent = options.idempotent ?? true;
    const acks = options.acks ?? -1;
    if (this.#idempotent && acks !== -1) throw new TributaryError(ErrorCodes.INVALID_ARGUMENT, `idempotent writes need acks -1 (all), got acks ${acks}`, { context: { option: 'acks', value: acks } });
    const timeoutMs = options.timeoutMs ?? 30_000;
    for (const [option, value] of [['timeoutMs', timeoutMs], ['retries', options.retries ?? 0], ['deliveryTimeoutMs', options.deliveryTimeoutMs ?? 0]] as const) {
      if (!(value >= 0)) throw new TributaryError(ErrorCodes.INVALID_ARGUMENT, `${option} must be a number >= 0, got ${String(value)}`, { context: { option, value } });
    }
    const compression = options.compression ?? 'none';
    if (!COMPRESSION_NAMES.includes(compression)) {
      throw new TributaryError(ErrorCodes.INVALID_ARGUMENT, `compression must be one of ${COMPRESSION_NAMES.join(', ')}, got ${String(compression)}`, { context: { option: 'compression', value: compression } });
    }
    this.#request = {
      acks,
      timeoutMs,
      compression: compressionCodec(compression),
      retries: options.retries ?? Number.POSITIVE_INFINITY,
      deliveryTimeoutMs: options.deliveryTimeoutMs ?? timeoutMs,
    };
    this.#ports = new ClusterProducePorts(client[kKafkajs]);
    this.#admin = new KafkaAdmin(client);
    this.#batcher = new Batcher({ lingerMs: options.lingerMs ?? 0, maxBatchBytes: options.maxBatchBytes ?? 1024 * 1024, flush: (items) => this.#flush(items) });
  }

  /** Connect, take a producer id (when idempotent), and connect the admin that answers partition counts. */
  async connect(): Promise<void> {
    try {
      this.#session = await this.#ports.newSession(this.#idempotent, this.#request.deliveryTimeoutMs);
      await this.#admin.connect();
    } catch (error) {
      await this.close().catch(() => {});
      throw asTributaryError(error, 'Connecting the Kafka writer');
    }
  }

  /**
   * Write records (one caller's batch, kept in one round of requests); resolves with each record's fate.
   * @throws TributaryError when nothing was sent: the topic's partition count or a producer id could not be had.
   */
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
    await Promise.allSettled([this.#ports.disconnect(), this.#admin.close()]);
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
    const session = await this.#currentSession();
    const results: WriteResult[] = new Array(items.length);
    let refresh = false;
    let sequenceInDoubt = false;
    await Promise.all(
      [...groups.values()].map(async ({ topic, partition, indices }) => {
        const records = indices.map((i) => items[i]!.record);
        const sent = await sendPartitionRequest(this.#ports, session, { topic, partition, records }, this.#request);
        if (sent.ok) indices.forEach((i, k) => (results[i] = { ok: true, topic, partition, offset: sent.base < 0n ? -1n : sent.base + BigInt(k) }));
        else {
          refresh = true;
          sequenceInDoubt ||= sent.sequenceInDoubt;
          for (const i of indices) results[i] = { ok: false, topic, partition, error: sent.error, outcome: sent.outcome, attempts: sent.attempts };
        }
      }),
    );
    // The next write starts a new session; the requests of this one all used the old one to the end.
    if (sequenceInDoubt) this.#session = undefined;
    // A failure may come from a changed partition count: look it up again before the next write.
    if (refresh) for (const topic of new Set(items.map((r) => r.topic))) await this.partitionCount(topic, true).catch(() => {});
    return results;
  }

  /** The session to write with: the current one, or a new producer id after a write left a sequence in doubt. */
  async #currentSession(): Promise<ProducerSession> {
    if (this.#session) return this.#session;
    try {
      this.#session = await this.#ports.newSession(this.#idempotent, this.#request.deliveryTimeoutMs);
      return this.#session;
    } catch (error) {
      throw asTributaryError(error, 'Taking a new producer id');
    }
  }

  async #group(items: RecordToWrite[]): Promise<Map<string, { topic: string; partition: number; indices: number[] }>> {
    const counts = new Map<string, number>();
    const groups = new Map<string, { topic: string; partition: number; indices: number[] }>();
    for (let i = 0; i < items.length; i++) {
      const { topic, record, partition: chosen } = items[i]!;
      let count = counts.get(topic);
      if (count === undefined) counts.set(topic, (count = await this.partitionCount(topic)));
      if (chosen !== undefined && (!Number.isInteger(chosen) || chosen < 0 || chosen >= count)) {
        throw new TributaryError(ErrorCodes.INVALID_ARGUMENT, `Topic "${topic}" has ${count} partitions; a record asks for partition ${chosen}`, { context: { topic, partition: chosen, partitions: count } });
      }
      // Records without a key are spread round-robin, as kafkajs does.
      const partition = chosen ?? (record.key ? partitionForKey(record.key, count) : this.#roundRobin++ % count);
      const id = partitionKey(topic, partition);
      let group = groups.get(id);
      if (!group) groups.set(id, (group = { topic, partition, indices: [] }));
      group.indices.push(i);
    }
    return groups;
  }
}
