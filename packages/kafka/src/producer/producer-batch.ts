import { RecordBatchBuilder, type RecordToEncode } from '../protocol/record-batch-builder.js';
import { classifyWriteFailure, type Acks, type WriteAttempt, type WriteOutcome } from './outcome.js';

/** Where a record was written, or why it was not, and whether it may be in the log all the same. */
export type WriteResult =
  | {
      ok: true;
      topic: string;
      partition: number;
      /**
       * Exact: Kafka offsets are 64-bit. -1 when no offset is known: acks 0, or a repeat the broker recognised
       * (DUPLICATE_SEQUENCE_NUMBER) after its record of the first append was gone.
       */
      offset: bigint;
    }
  | {
      ok: false;
      topic: string;
      partition: number;
      /** The last attempt's error. */
      error: unknown;
      /** failed: certainly not appended; unknown: an attempt may have appended the record. */
      outcome: WriteOutcome;
      /** Every attempt of the record's batch, in order, with whether it was sent. */
      attempts: readonly WriteAttempt[];
    };

/** One write() call: its results, filled in as its records' batches complete. */
export class Submission {
  readonly results: WriteResult[];
  #left: number;
  readonly #resolve: (results: WriteResult[]) => void;

  constructor(count: number, resolve: (results: WriteResult[]) => void) {
    this.results = new Array<WriteResult>(count);
    this.#left = count;
    this.#resolve = resolve;
    if (count === 0) resolve(this.results);
  }

  settle(index: number, result: WriteResult): void {
    this.results[index] = result;
    if (--this.#left === 0) this.#resolve(this.results);
  }
}

/**
 * Records bound for one partition, sent as one v2 record batch: Kafka's ProducerBatch. It takes records until it
 * holds `batchSize` bytes or is first sent, each encoded into the batch's bytes as it comes (so a record's buffers
 * are not kept while it waits); from then on its bytes are fixed, so every retry sends the same batch
 * under the same producer id, epoch and sequence numbers, and a broker that appended an earlier attempt answers
 * the repeat with the first append's offset instead of appending it again. Only a batch the broker certainly did not
 * append is ever given another epoch and sequence (see PartitionState.reset).
 */
export class ProducerBatch {
  readonly topic: string;
  readonly partition: number;
  readonly createdAt: number;
  /** Its records, encoded. */
  readonly builder: RecordBatchBuilder;
  readonly #owners: Submission[] = [];
  readonly #slots: number[] = [];
  bytes = 0;
  /** Its place in the partition's sending order once first taken for a request; -1 before. */
  order = -1;
  /** The encoded batch, once sent; every retry sends these bytes. */
  encoded: Buffer | undefined;
  /** The first sequence number, once sent by an idempotent producer; -1 before. */
  baseSequence = -1;
  /** The producer epoch its sequence numbers belong to. */
  epoch = -1;
  readonly attempts: WriteAttempt[] = [];
  /** Failures of its own (not waits behind an earlier batch of its partition): what `retries` and backoff count. */
  failures = 0;
  /** Not sent again before this time (retry backoff). */
  retryAt = 0;
  done = false;

  constructor(topic: string, partition: number, createdAt: number, builder = new RecordBatchBuilder()) {
    this.topic = topic;
    this.partition = partition;
    this.createdAt = createdAt;
    this.builder = builder;
  }

  /**
   * Encode the record into the batch, owned by `owner`'s result `slot`.
   * @throws RangeError from the encoding (a timestamp that is not whole milliseconds); nothing is added then.
   */
  add(record: RecordToEncode, size: number, owner: Submission, slot: number): void {
    this.builder.append(record);
    this.#owners.push(owner);
    this.#slots.push(slot);
    this.bytes += size;
  }

  /** Records in the batch. */
  get count(): number {
    return this.#owners.length;
  }

  get sent(): boolean {
    return this.encoded !== undefined;
  }

  /** The sequence number after its last record (int32, wrapping to 0 as Kafka's DefaultRecordBatch.incrementSequence does). */
  get nextSequence(): number {
    return (this.baseSequence + this.count) % 2 ** 31;
  }

  /** Whether an attempt was sent and its answer does not say the broker refused it before appending. */
  mayHaveAppended(acks: Acks): boolean {
    return this.attempts.some((a) => a.sent && classifyWriteFailure(a.error, acks) === 'unknown');
  }

  /** Whether the last attempt was sent and refused before any append (so this batch is certainly not in the log now). */
  lastRefused(acks: Acks): boolean {
    const last = this.attempts[this.attempts.length - 1];
    return last !== undefined && last.sent && classifyWriteFailure(last.error, acks) === 'failed';
  }

  /**
   * Its records in two batches, the first half and the rest, each with its records' owners, the batch's creation
   * time and its attempts so far: what a batch the broker refused as too large (MESSAGE_TOO_LARGE) is sent as.
   */
  split(): [ProducerBatch, ProducerBatch] {
    const count = this.count;
    const half = Math.ceil(count / 2);
    const piece = (from: number, to: number) => {
      const batch = new ProducerBatch(this.topic, this.partition, this.createdAt, this.builder.slice(from, to));
      batch.#owners.push(...this.#owners.slice(from, to));
      batch.#slots.push(...this.#slots.slice(from, to));
      batch.bytes = Math.round((this.bytes * (to - from)) / count);
      batch.attempts.push(...this.attempts);
      return batch;
    };
    return [piece(0, half), piece(half, count)];
  }

  /** Acknowledged from `base` (-1 when no offset is known): the k-th record is at base + k. */
  succeed(base: bigint): void {
    if (this.done) return;
    this.done = true;
    const { topic, partition } = this;
    for (let k = 0; k < this.#owners.length; k++) this.#owners[k]!.settle(this.#slots[k]!, { ok: true, topic, partition, offset: base < 0n ? -1n : base + BigInt(k) });
  }

  /** Given up: every record gets the last error, every attempt, and `outcome`. */
  fail(error: unknown, outcome: WriteOutcome): void {
    if (this.done) return;
    this.done = true;
    const { topic, partition, attempts } = this;
    const result: WriteResult = { ok: false, topic, partition, error, outcome, attempts };
    for (let k = 0; k < this.#owners.length; k++) this.#owners[k]!.settle(this.#slots[k]!, result);
  }
}
