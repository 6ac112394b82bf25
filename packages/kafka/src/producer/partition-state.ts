import type { RecordToEncode } from '../protocol/record-batch-builder.js';
import { restampRecordBatch } from '../protocol/record-batch-encoder.js';
import type { Acks } from './outcome.js';
import { ProducerBatch, type Submission } from './producer-batch.js';

/** Producer ids and epochs as Kafka's InitProducerId hands them out; id -1 for a producer that is not idempotent. */
export interface ProducerIdentity {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

/** The highest producer epoch (int16); past it a partition needs a new producer id. */
export const MAX_EPOCH = 32_767;

/** Bytes a record's encoding adds to its key, value and headers, about: varint lengths and deltas for a few headers. */
const RECORD_OVERHEAD = 24;

/** What decides when a partition's next batch may go. */
export interface DrainRules {
  readonly now: number;
  readonly lingerMs: number;
  readonly batchSize: number;
  /** Batches of the partition on the wire at once, at most: 5 with idempotence (what the broker dedupes), else 1. */
  readonly maxInFlight: number;
  /** close() or drain() is waiting: no lingering. */
  readonly flushing: boolean;
}

/**
 * One partition's batches and, for an idempotent producer, its sequence numbers: what Kafka's Java producer keeps
 * in RecordAccumulator's deque and TransactionManager's per-partition entry.
 *
 * Order: batches wait in `queue` in the order their records were written, batches to be sent again first, in
 * sequence order; `inFlight` holds those on the wire. A batch gets its sequence numbers when it is first sent, so
 * the partition's sequence is the order of sending. The broker appends a producer's batches of one epoch only in
 * sequence order (it refuses a gap with OUT_OF_ORDER_SEQUENCE_NUMBER), so what it appended is always a prefix of
 * what was sent: a batch sent again waits until it is the partition's first unacknowledged batch, and the batches
 * after it follow it, as Java's RecordAccumulator.shouldStopDrainBatchesForPartition has it.
 *
 * When the broker's sequence and ours part (a batch given up after it was sent, a gap at the head the broker
 * cannot explain, or a producer id the broker no longer knows), no new batch is sent until the partition's batches
 * on the wire have come back; then the partition takes the next epoch and starts again at sequence 0, as Java's
 * idempotent producer bumps its epoch (KIP-360). A batch waiting to be sent again goes under the new epoch only
 * when the broker certainly did not append it; one that it may have appended is given up as `unknown` instead,
 * since sending it under new numbers could append it twice.
 */
export class PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly queue: ProducerBatch[] = [];
  readonly inFlight: ProducerBatch[] = [];
  producerId: bigint;
  epoch: number;
  nextSequence = 0;
  /** The broker's sequence and ours may have parted: send nothing new until the partition starts a new epoch. */
  resetNeeded = false;
  /** The lowest send order, since the last reset, of a batch given up as certainly not appended. */
  #deadFrom = Number.POSITIVE_INFINITY;
  #sendOrder = 0;
  /** Bytes a batch takes at most, below `batchSize` once the broker refused a batch as too large. */
  #batchCap = Number.POSITIVE_INFINITY;
  readonly #idempotent: boolean;

  constructor(topic: string, partition: number, producer: ProducerIdentity) {
    this.topic = topic;
    this.partition = partition;
    this.producerId = producer.producerId;
    this.epoch = producer.producerEpoch;
    this.#idempotent = producer.producerId >= 0n;
  }

  /**
   * Add a record to the last batch while it has room and was not sent, else to a new one. A record counts its
   * size plus what encoding adds to it (its length, attributes, deltas and the lengths of its parts), so a batch
   * stays near `batchSize` bytes once encoded, as Java's producer estimates its batches.
   * @throws RangeError when the record cannot be encoded (see ProducerBatch.add); the partition is as it was.
   */
  append(record: RecordToEncode, size: number, owner: Submission, slot: number, now: number, batchSize: number): void {
    const cost = size + RECORD_OVERHEAD;
    const limit = batchSize < this.#batchCap ? batchSize : this.#batchCap;
    const last = this.queue[this.queue.length - 1];
    if (last && last.order < 0 && (last.count === 0 || last.bytes + cost <= limit)) return last.add(record, cost, owner, slot);
    const batch = new ProducerBatch(this.topic, this.partition, now);
    batch.add(record, cost, owner, slot);
    this.queue.push(batch);
  }

  /**
   * The batch that may be sent now, or the time it may be (a retry's backoff, the linger), or undefined when it
   * waits for something else (batches ahead of it on the wire, a reset).
   */
  sendable(rules: DrainRules): ProducerBatch | number | undefined {
    const batch = this.queue[0];
    if (!batch) return undefined;
    if (batch.order >= 0) {
      // Sent before: only as the partition's first unacknowledged batch, and after its backoff.
      if (this.resetNeeded || this.inFlight.some((b) => b.order < batch.order)) return undefined;
      return batch.retryAt <= rules.now ? batch : batch.retryAt;
    }
    if (this.resetNeeded || this.inFlight.length >= rules.maxInFlight) return undefined;
    const lingered = batch.createdAt + rules.lingerMs;
    if (rules.flushing || this.queue.length > 1 || batch.bytes >= rules.batchSize || lingered <= rules.now) return batch;
    return lingered;
  }

  /** Take the batch `sendable` gave for a request: a new one gets its send order and sequence numbers. */
  take(): ProducerBatch {
    const batch = this.queue.shift()!;
    if (batch.order < 0) {
      batch.order = this.#sendOrder++;
      batch.epoch = this.epoch;
      if (this.#idempotent) {
        batch.baseSequence = this.nextSequence;
        this.nextSequence = batch.nextSequence;
      }
    }
    this.inFlight.push(batch);
    return batch;
  }

  /** The batch's request came back (answered or not). */
  landed(batch: ProducerBatch): void {
    const at = this.inFlight.indexOf(batch);
    if (at >= 0) this.inFlight.splice(at, 1);
  }

  /** Whether a batch sent before this one is still unacknowledged (on the wire or waiting to be sent again). */
  hasEarlierUnacknowledged(batch: ProducerBatch): boolean {
    return this.inFlight.some((b) => b.order < batch.order) || this.queue.some((b) => b.order >= 0 && b.order < batch.order);
  }

  /** Put a sent batch back to be sent again, among the other such batches in send order, ahead of new batches. */
  requeue(batch: ProducerBatch): void {
    let at = 0;
    while (at < this.queue.length && this.queue[at]!.order >= 0 && this.queue[at]!.order < batch.order) at++;
    this.queue.splice(at, 0, batch);
  }

  /**
   * Put in place of a batch the broker refused as too large (MESSAGE_TOO_LARGE, given before any append) its two
   * halves, to be sent again ahead of the partition's later batches under its epoch and sequence numbers: the first
   * half from its base sequence, the second from where the first ends, so the batches sent after it keep theirs,
   * as Java's RecordAccumulator.splitAndReenqueue does. The partition's later batches take at most half its bytes.
   */
  split(batch: ProducerBatch): void {
    const pieces = batch.split();
    // The halves take the batch's place in the sending order; the batches after it move down.
    const shift = pieces.length - 1;
    for (const b of this.queue) if (b.order > batch.order) b.order += shift;
    for (const b of this.inFlight) if (b.order > batch.order) b.order += shift;
    if (this.#deadFrom > batch.order) this.#deadFrom += shift;
    this.#sendOrder += shift;
    let sequence = batch.baseSequence;
    pieces.forEach((piece, i) => {
      piece.order = batch.order + i;
      piece.epoch = batch.epoch;
      if (this.#idempotent) {
        piece.baseSequence = sequence;
        sequence = piece.nextSequence;
      }
      this.requeue(piece);
    });
    this.#batchCap = Math.min(this.#batchCap, Math.max(1, Math.floor(batch.bytes / 2)));
  }

  /** A sent batch was given up; `certainlyNotAppended` when its outcome is `failed`. Its successors cannot follow it. */
  gaveUp(batch: ProducerBatch, certainlyNotAppended: boolean): void {
    if (!this.#idempotent || batch.order < 0) return;
    this.resetNeeded = true;
    if (certainlyNotAppended) this.#deadFrom = Math.min(this.#deadFrom, batch.order);
  }

  /**
   * Start the partition's sequence again at 0 under `producer` (the next epoch, or a new producer id), once none of
   * its batches is on the wire. Batches waiting to be sent again are stamped with the new numbers when the broker
   * certainly did not append them; the others are returned, to be given up as `unknown`.
   */
  reset(producer: ProducerIdentity, acks: Acks): ProducerBatch[] {
    this.producerId = producer.producerId;
    this.epoch = producer.producerEpoch;
    this.nextSequence = 0;
    const doubtful: ProducerBatch[] = [];
    let notAppended = false;
    for (const batch of [...this.queue]) {
      if (batch.order < 0) break;
      // The broker appends in sequence order: after a batch it certainly does not have, it has none of the later ones.
      notAppended ||= batch.order > this.#deadFrom || !batch.mayHaveAppended(acks) || batch.lastRefused(acks);
      if (!notAppended) {
        this.queue.splice(this.queue.indexOf(batch), 1);
        doubtful.push(batch);
        continue;
      }
      batch.epoch = this.epoch;
      batch.baseSequence = this.nextSequence;
      batch.encoded &&= restampRecordBatch(batch.encoded, { producerId: this.producerId, producerEpoch: this.epoch, baseSequence: batch.baseSequence });
      batch.retryAt = 0;
      this.nextSequence = batch.nextSequence;
    }
    this.resetNeeded = false;
    this.#deadFrom = Number.POSITIVE_INFINITY;
    return doubtful;
  }
}
