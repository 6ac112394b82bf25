import { ErrorCodes, TributaryError } from '@tributary/core';
import { KafkaAdmin } from '../admin/kafka-admin.js';
import { waitForPartitions } from '../admin/topic-wait.js';
import type { KafkaClient } from '../connection/kafka-client.js';
import { asTributaryError } from '../errors.js';
import { kKafkajs } from '../internal/symbols.js';
import { wholeMillis } from '../protocol/record-batch-builder.js';
import { ClusterProducePorts } from './cluster-ports.js';
import { COMPRESSION_NAMES, compressionCodec, type CompressionName } from './compression.js';
import { partitionForKey } from './partitioner.js';
import { Submission, type WriteResult } from './producer-batch.js';
import { Sender, type SenderOptions } from './sender.js';

export type { WriteResult } from './producer-batch.js';

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
  /**
   * Java's `linger.ms`: how long a partition's batch waits for more records before it may be sent, when it is not
   * full. Records written while a partition's requests are on the wire gather in its next batch whatever this is.
   * Default 0: measured on two cores, 5 ms cost a caller that awaits each send() two to three times its
   * throughput and won nothing for concurrent senders, whose records gather behind the requests in flight anyway.
   */
  lingerMs?: number;
  /**
   * Java's `batch.size`: a partition's batch takes records until it holds this many bytes (as `RecordToWrite.size`
   * counts them, plus about 24 bytes of encoding each); a record larger than this goes in a batch of its own. One
   * Produce request carries one batch per partition, so this bounds what one request moves per partition. Default
   * 256 KiB: measured on two cores, 16 KiB (Java's default) moved a third of the records of a send() of 1000, 128
   * KiB half as many, and 256 KiB to 1 MiB the same within noise; it stays well under the broker's
   * `max.message.bytes` (1 MiB by default). A batch over a topic's `max.message.bytes` is refused
   * (MESSAGE_TOO_LARGE) before it is appended, and sent again as halves, as Java's producer splits it; a record
   * over it alone fails with EVENT_TOO_LARGE, naming its size and the limit.
   */
  batchSize?: number;
  /** @deprecated The name `batchSize` replaces. */
  maxBatchBytes?: number;
  /**
   * Java's `max.in.flight.requests.per.connection`: Produce requests to one broker on the wire at once, 1 to 5.
   * Default 5. Order per partition holds whatever it is: an idempotent producer's sequence numbers keep it, and
   * without idempotence a partition has one batch on the wire at a time.
   */
  maxInFlightRequests?: number;
  /** Sends of a batch after its first, at most, on retriable failures. Default: no limit but `deliveryTimeoutMs`. */
  retries?: number;
  /**
   * Java's `delivery.timeout.ms`: a record is given up once this many milliseconds have passed since it was
   * written and no attempt has landed; no attempt starts later. Default `timeoutMs`. Leave it above Kafka's
   * `broker.session.timeout.ms` (9 s by default) for writes to reach the new leader of a partition whose leader died.
   */
  deliveryTimeoutMs?: number;
}

/** Java's `batch.size` is 16 KiB; see `batchSize` for why this one is larger. */
const DEFAULT_BATCH_SIZE = 256 * 1024;

/** Produce requests carry at most this many bytes of batches (Java's `max.request.size`); a larger batch goes alone. */
const MAX_REQUEST_BYTES = 1024 * 1024;

/**
 * Writes records, and tells each record's partition and offset, or its exact outcome.
 *
 * Kafka's producer pipeline, as Java's client has it: each write's records join their partition's open batch
 * (`batchSize`, `lingerMs`); the batches of the partitions a broker leads travel in one Produce request to it, up
 * to `maxInFlightRequests` requests per broker on the wire (see `Sender`). Concurrent writes merge into shared
 * batches and requests; each partition keeps the order in which records were written, across writes. Partitions are
 * chosen here with Kafka's murmur2 partitioner, so the k-th record of a batch sits at the base offset the broker
 * returns plus k.
 *
 * Record batches and Produce requests are Tributary's (src/protocol/), sent on connections of kafkajs' internal
 * brokers rather than through its producer. The idempotent producer's state (producer id, epoch, each partition's
 * sequence numbers) is kept here (see PartitionState): a batch is encoded once, so a retry sends the same bytes
 * under the same numbers and the broker never appends it twice; every attempt is kept, and a record is reported
 * `failed` only when no attempt can have appended it (see classifyAttempts).
 */
export class KafkaWriter implements AsyncDisposable {
  readonly #ports: ClusterProducePorts;
  readonly #admin: KafkaAdmin;
  readonly #idempotent: boolean;
  readonly #options: Omit<SenderOptions, 'now' | 'backoff'>;
  readonly #partitionCounts = new Map<string, number>();
  readonly #pending = new Set<Promise<WriteResult[]>>();
  #sender: Sender | undefined;
  #roundRobin = 0;
  /** Writes waiting for a topic's partition count, in call order: later writes wait behind them. */
  #waiting = 0;
  #gate: Promise<unknown> = Promise.resolve();
  /** Writes that have waited at the gate so far; numbers them for {@link #missing}. */
  #queued = 0;
  /**
   * A failed topic lookup, and the last write queued before it failed: the writes that waited behind the lookup
   * take its answer instead of a lookup each (a burst of writes to a missing topic fails together, not a second
   * apart); a later write looks up again.
   */
  readonly #missing = new Map<string, { upTo: number; error: unknown }>();
  #connecting: Promise<void> | undefined;

  constructor(client: KafkaClient, options: KafkaWriterOptions = {}) {
    this.#idempotent = options.idempotent ?? true;
    const acks = options.acks ?? -1;
    if (this.#idempotent && acks !== -1) throw new TributaryError(ErrorCodes.INVALID_ARGUMENT, `idempotent writes need acks -1 (all), got acks ${acks}`, { context: { option: 'acks', value: acks } });
    const timeoutMs = options.timeoutMs ?? 30_000;
    const batchSize = options.batchSize ?? options.maxBatchBytes ?? DEFAULT_BATCH_SIZE;
    const maxInFlight = options.maxInFlightRequests ?? 5;
    const checks: Array<[string, number, number, number]> = [
      ['timeoutMs', timeoutMs, 0, Number.POSITIVE_INFINITY],
      ['retries', options.retries ?? 0, 0, Number.POSITIVE_INFINITY],
      ['deliveryTimeoutMs', options.deliveryTimeoutMs ?? 0, 0, Number.POSITIVE_INFINITY],
      ['lingerMs', options.lingerMs ?? 0, 0, 60_000],
      ['batchSize', batchSize, 1, Number.POSITIVE_INFINITY],
      ['maxInFlightRequests', maxInFlight, 1, 5],
    ];
    for (const [option, value, min, max] of checks) {
      if (!(value >= min && value <= max)) throw new TributaryError(ErrorCodes.INVALID_ARGUMENT, `${option} must be a number from ${min} to ${max}, got ${String(value)}`, { context: { option, value } });
    }
    if (!Number.isInteger(maxInFlight)) throw new TributaryError(ErrorCodes.INVALID_ARGUMENT, `maxInFlightRequests must be an integer, got ${maxInFlight}`, { context: { option: 'maxInFlightRequests', value: maxInFlight } });
    const compression = options.compression ?? 'none';
    if (!COMPRESSION_NAMES.includes(compression)) {
      throw new TributaryError(ErrorCodes.INVALID_ARGUMENT, `compression must be one of ${COMPRESSION_NAMES.join(', ')}, got ${String(compression)}`, { context: { option: 'compression', value: compression } });
    }
    this.#options = {
      acks,
      timeoutMs,
      compression: compressionCodec(compression),
      lingerMs: options.lingerMs ?? 0,
      batchSize,
      maxInFlight,
      maxRequestBytes: MAX_REQUEST_BYTES,
      retries: options.retries ?? Number.POSITIVE_INFINITY,
      deliveryTimeoutMs: options.deliveryTimeoutMs ?? timeoutMs,
    };
    const admin = new KafkaAdmin(client);
    this.#admin = admin;
    this.#ports = new ClusterProducePorts(client[kKafkajs], (topic, names) => admin.topicConfig(topic, names));
  }

  /** Connect, take a producer id (when idempotent), and connect the admin that answers partition counts. */
  async connect(): Promise<void> {
    try {
      const producer = this.#idempotent ? await this.#ports.initProducerId(this.#options.deliveryTimeoutMs) : { producerId: -1n, producerEpoch: -1 };
      await this.#ports.connect();
      await this.#admin.connect();
      this.#sender = new Sender(this.#ports, producer, this.#options);
    } catch (error) {
      this.#connecting = undefined;
      await this.close().catch(() => {});
      throw asTributaryError(error, 'Connecting the Kafka writer');
    }
  }

  /**
   * Write records; resolves with each record's fate, in order, once every one is known. Records of one partition
   * are appended in the order of the write() calls that gave them. Each record is encoded into its batch before
   * write() returns when the writer is connected and knows the topics (else once they are), so its buffers may be
   * reused from then on.
   * @throws TributaryError (the promise rejects with it) when nothing was sent: not connected, a topic's partition count could not be had, or a
   *   record asks for a partition the topic does not have.
   */
  write(records: readonly RecordToWrite[]): Promise<WriteResult[]> {
    if (this.#sender && this.#waiting === 0 && records.every((r) => this.#partitionCounts.has(r.topic))) {
      try {
        return this.#track(this.#append(records));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    // Behind a connect or a topic lookup: this write and the ones after it wait their turn, so order across writes holds.
    this.#waiting++;
    const ticket = ++this.#queued;
    // The gate opens for the next write once this one's records are in their batches, not once they are written.
    const appended = this.#gate.then(async () => {
      if (!this.#sender) await (this.#connecting ??= this.connect());
      for (const topic of new Set(records.map((r) => r.topic))) await this.#lookUp(topic, ticket);
      return { results: this.#append(records) };
    });
    this.#gate = appended.then(
      () => (this.#waiting--, undefined),
      () => (this.#waiting--, undefined),
    );
    return this.#track(appended.then((a) => a.results));
  }

  /** Resolves once every write submitted so far has completed or failed; batches go without lingering meanwhile. */
  async drain(): Promise<void> {
    this.#sender?.flushing(true);
    try {
      while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    } finally {
      this.#sender?.flushing(false);
    }
  }

  /** Let writes in flight finish, then disconnect. */
  async close(): Promise<void> {
    await this.drain();
    this.#sender?.stop();
    await Promise.allSettled([this.#ports.disconnect(), this.#admin.close()]);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * The partition count of a topic, cached; asked again after a failed write (it may have grown). Every broker is
   * asked when the first knows nothing of the topic, and a topic none knows is asked for again for up to a second
   * (see `waitForPartitions`); a refresh of a known topic keeps the known count when the answer has none.
   * @throws TributaryError INVALID_ARGUMENT when the topic does not exist (topics are never auto-created).
   */
  async partitionCount(topic: string, refresh = false): Promise<number> {
    const known = this.#partitionCounts.get(topic);
    if (known !== undefined && !refresh) return known;
    // The metadata follows the topic once it is known (a broker that does not know it yet may refuse that too).
    const ask = async () => {
      const found = await this.#ports.partitionCount(topic);
      if (found.count > 0) await this.#ports.addTopic(topic);
      return found;
    };
    const describe = () => this.#ports.lastLookup(topic);
    const count = await waitForPartitions(topic, ask, { retryForMs: this.#options.deliveryTimeoutMs, describe, ...(known === undefined ? {} : { known }) });
    this.#partitionCounts.set(topic, count);
    return count;
  }

  /** The topic's partition count for a write queued as `ticket`; a lookup that failed after it was queued answers it. */
  async #lookUp(topic: string, ticket: number): Promise<void> {
    const missing = this.#missing.get(topic);
    if (missing && ticket <= missing.upTo) throw missing.error;
    try {
      await this.partitionCount(topic);
      this.#missing.delete(topic);
    } catch (error) {
      this.#missing.set(topic, { upTo: this.#queued, error });
      throw error;
    }
  }

  #track(written: Promise<WriteResult[]>): Promise<WriteResult[]> {
    this.#pending.add(written);
    const done = () => this.#pending.delete(written);
    written.then((results) => {
      done();
      // A failure may come from a changed partition count: look it up again before later writes use it.
      const failed = new Set(results.filter((r) => !r.ok).map((r) => r.topic));
      for (const topic of failed) void this.partitionCount(topic, true).catch(() => {});
    }, done);
    return written;
  }

  /**
   * Put each record in its partition's open batch, all at once, so a write's records of one partition stay
   * together and in order. Each is encoded into its batch there: nothing of the caller's records is kept.
   * @throws TributaryError INVALID_ARGUMENT for a partition the topic does not have, or a timestamp that is not
   *   whole milliseconds; nothing is added then.
   */
  #append(records: readonly RecordToWrite[]): Promise<WriteResult[]> {
    const sender = this.#sender!;
    const partitions = new Array<number>(records.length);
    for (let i = 0; i < records.length; i++) {
      const { topic, record, partition: chosen } = records[i]!;
      const count = this.#partitionCounts.get(topic)!;
      if (chosen !== undefined && (!Number.isInteger(chosen) || chosen < 0 || chosen >= count)) {
        throw new TributaryError(ErrorCodes.INVALID_ARGUMENT, `Topic "${topic}" has ${count} partitions; a record asks for partition ${chosen}`, { context: { topic, partition: chosen, partitions: count } });
      }
      // Checked before any record is appended (each is encoded into its batch then), so a bad one adds nothing.
      if (wholeMillis(record.timestamp) === undefined) {
        throw new TributaryError(ErrorCodes.INVALID_ARGUMENT, `Record ${i} for topic "${topic}" has timestamp "${record.timestamp}": expected an integer number of milliseconds since the epoch`, {
          context: { topic, record: i, timestamp: record.timestamp },
        });
      }
      // Records without a key are spread round-robin, as kafkajs does.
      partitions[i] = chosen ?? (record.key ? partitionForKey(record.key, count) : this.#roundRobin++ % count);
    }
    return new Promise<WriteResult[]>((resolve) => {
      const submission = new Submission(records.length, resolve);
      const now = Date.now();
      let last: ReturnType<Sender['partition']> | undefined;
      for (let i = 0; i < records.length; i++) {
        const { topic, record, size } = records[i]!;
        const state = last && last.topic === topic && last.partition === partitions[i] ? last : sender.partition(topic, partitions[i]!);
        state.append(record, size, submission, i, now, this.#options.batchSize);
        if (state !== last) sender.added(state);
        last = state;
      }
    });
  }
}
