import { ErrorCodes, EventOffset, InvalidArgumentError, TributaryError, quote, validateTopic, type EventRecord, type StoredRecord } from '@tributary/core';
import { partitionForKey } from '@tributary/kafka';

/** Options of a {@link MemoryBus}. */
export interface MemoryBusOptions {
  /** Partitions of a topic created implicitly (by `append` to an unknown topic). Default 1. */
  defaultPartitions?: number;
  /** Whether `append` to an unknown topic creates it (as Kafka's `auto.create.topics.enable`). Default true. */
  autoCreateTopics?: boolean;
}

interface Waiter {
  offset: bigint;
  resolve(): void;
}

interface Partition {
  readonly records: StoredRecord[];
  waiters: Waiter[];
}

const shared = new Map<string, MemoryBus>();

function checkCount(partitions: number): number {
  if (Number.isInteger(partitions) && partitions >= 1 && partitions <= 10_000) return partitions;
  throw new InvalidArgumentError(`Invalid partition count ${quote(partitions)}: expected an integer from 1 to 10000`, { value: partitions, expected: 'partition count' });
}

function copyRecord(record: EventRecord): EventRecord {
  const headers: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(record.headers)) headers[name] = Buffer.from(value);
  return Object.freeze({ key: record.key === null ? null : Buffer.from(record.key), value: Buffer.from(record.value), headers, timestamp: record.timestamp });
}

/**
 * An in-process partitioned log with Kafka's semantics, for tests and for the `memory` producer plugin: topics
 * of N partitions, records appended at consecutive offsets from 0, read back from any offset, keys partitioned
 * by murmur2 exactly as Kafka's default partitioner does (the same key lands in the same partition number).
 *
 * Contract: an `append` call is atomic (all its records or none) and synchronous; offsets within a partition
 * are consecutive and never reused; nothing is ever removed (the low watermark stays 0). Records are copied on
 * append, so the caller's buffers may be reused; do not mutate the buffers `read` returns.
 */
export class MemoryBus {
  readonly #topics = new Map<string, Partition[]>();
  readonly #defaultPartitions: number;
  readonly #autoCreate: boolean;
  readonly #roundRobin = new Map<string, number>();

  constructor(options: MemoryBusOptions = {}) {
    this.#defaultPartitions = checkCount(options.defaultPartitions ?? 1);
    this.#autoCreate = options.autoCreateTopics ?? true;
  }

  /**
   * The process-wide bus named `name`, made on first use (with default options). It is how plugins loaded by
   * name (`{ plugin: 'memory', settings: { bus: 'orders' } }`) and consumers in the same process meet.
   */
  static shared(name = 'default'): MemoryBus {
    let bus = shared.get(name);
    if (!bus) shared.set(name, (bus = new MemoryBus()));
    return bus;
  }

  /**
   * Create a topic with `partitions` partitions (default: the bus's `defaultPartitions`). Creating an existing
   * topic with the same count does nothing.
   * @throws InvalidArgumentError for an invalid topic name or count, or when the topic exists with another count.
   */
  createTopic(topic: string, options: { partitions?: number } = {}): void {
    validateTopic(topic);
    const partitions = checkCount(options.partitions ?? this.#defaultPartitions);
    const existing = this.#topics.get(topic);
    if (existing) {
      if (existing.length === partitions) return;
      throw new InvalidArgumentError(`Topic ${quote(topic)} already exists with ${existing.length} partitions, not ${partitions}`, {
        topic,
        partitions: existing.length,
        expected: partitions,
      });
    }
    this.#topics.set(
      topic,
      Array.from({ length: partitions }, () => ({ records: [], waiters: [] })),
    );
  }

  /** True when the topic exists. */
  hasTopic(topic: string): boolean {
    return this.#topics.has(topic);
  }

  /** The topics, sorted. */
  topics(): string[] {
    return [...this.#topics.keys()].sort();
  }

  /**
   * How many partitions a topic has.
   * @throws InvalidArgumentError when the topic does not exist.
   */
  partitionCount(topic: string): number {
    return this.#partitions(topic).length;
  }

  /**
   * The partition a record with `key` goes to: murmur2 of the key as Kafka, or round-robin without a key.
   * @throws InvalidArgumentError when the topic does not exist.
   */
  partitionFor(topic: string, key: Uint8Array | string | null): number {
    const count = this.partitionCount(topic);
    if (key !== null) return partitionForKey(key, count);
    const next = this.#roundRobin.get(topic) ?? 0;
    this.#roundRobin.set(topic, next + 1);
    return next % count;
  }

  /**
   * Append records to a topic, each to the partition of its key (or to `options.partition`), atomically and in
   * order; returns each record's offset, in order. An unknown topic is created when `autoCreateTopics` is on.
   * @throws InvalidArgumentError for an unknown topic (auto-creation off) or partition; nothing is appended.
   */
  append(topic: string, records: readonly EventRecord[], options: { partition?: number } = {}): EventOffset[] {
    if (!this.#topics.has(topic) && this.#autoCreate) this.createTopic(topic);
    const partitions = this.#partitions(topic);
    if (options.partition !== undefined) this.#partition(topic, options.partition);
    const targets = records.map((r) => options.partition ?? this.partitionFor(topic, r.key));
    const offsets = records.map((record, i) => {
      const log = partitions[targets[i]!]!.records;
      const offset = EventOffset.of(topic, targets[i]!, log.length);
      log.push(Object.freeze({ offset, record: copyRecord(record) }));
      return offset;
    });
    for (const p of new Set(targets)) this.#wake(partitions[p]!);
    return offsets;
  }

  /**
   * Records of a partition from offset `from` on (at most `maxRecords`), in offset order. Reading at the high
   * watermark returns nothing.
   * @throws TributaryError OFFSET_OUT_OF_RANGE when `from` is past the high watermark (context: low, high).
   * @throws InvalidArgumentError for an unknown topic or partition.
   */
  read(topic: string, partition: number, from: bigint = 0n, options: { maxRecords?: number } = {}): StoredRecord[] {
    const log = this.#partition(topic, partition).records;
    const high = BigInt(log.length);
    if (from < 0n || from > high) {
      throw new TributaryError(ErrorCodes.OFFSET_OUT_OF_RANGE, `Offset ${from} is out of range for ${topic}:${partition}: expected 0 to ${high}`, {
        context: { topic, partition, offset: from.toString(), low: '0', high: high.toString() },
      });
    }
    const start = Number(from);
    return log.slice(start, options.maxRecords === undefined ? undefined : start + options.maxRecords);
  }

  /** Every record of a topic, partition by partition, each in offset order. */
  readAll(topic: string): StoredRecord[] {
    return this.#partitions(topic).flatMap((p) => p.records);
  }

  /** The first offset still stored (always 0: the bus never deletes). */
  lowWatermark(topic: string, partition: number): bigint {
    this.#partition(topic, partition);
    return 0n;
  }

  /** The offset the next record appended to the partition will get (the number of records in it). */
  highWatermark(topic: string, partition: number): bigint {
    return BigInt(this.#partition(topic, partition).records.length);
  }

  /**
   * Resolves once the partition holds a record at `offset` (its high watermark is past it): what a consumer
   * waits on at the end of the log.
   * @throws TributaryError ABORTED when `signal` aborts first.
   */
  waitForRecord(topic: string, partition: number, offset: bigint, signal?: AbortSignal): Promise<void> {
    const p = this.#partition(topic, partition);
    if (BigInt(p.records.length) > offset) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(this.#aborted(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        p.waiters = p.waiters.filter((w) => w !== waiter);
        reject(this.#aborted(signal!));
      };
      const waiter: Waiter = {
        offset,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      p.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #aborted(signal: AbortSignal): TributaryError {
    return new TributaryError(ErrorCodes.ABORTED, 'Waiting for records was aborted', { cause: signal.reason });
  }

  #wake(p: Partition): void {
    if (p.waiters.length === 0) return;
    const high = BigInt(p.records.length);
    const ready = p.waiters.filter((w) => w.offset < high);
    p.waiters = p.waiters.filter((w) => w.offset >= high);
    for (const waiter of ready) waiter.resolve();
  }

  #partitions(topic: string): Partition[] {
    const partitions = this.#topics.get(topic);
    if (partitions) return partitions;
    throw new InvalidArgumentError(`Unknown topic ${quote(topic)}: expected one of ${quote(this.topics())}`, { topic, expected: 'existing topic' });
  }

  #partition(topic: string, partition: number): Partition {
    const p = this.#partitions(topic)[partition];
    if (p && Number.isInteger(partition)) return p;
    throw new InvalidArgumentError(`Unknown partition ${quote(partition)} of topic ${quote(topic)}: expected 0 to ${this.partitionCount(topic) - 1}`, {
      topic,
      partition,
      expected: 'existing partition',
    });
  }
}
