import { partitionKey } from '../admin/topic-partition.js';

/** Sequence numbers are int32 and wrap to 0 after Integer.MAX_VALUE (Kafka's DefaultRecordBatch.incrementSequence). */
const SEQUENCE_MODULUS = 2 ** 31;

/**
 * A producer id and epoch (from InitProducerId) with the next sequence number of each partition written under
 * them: the state of Kafka's idempotent producer. A partition's sequence moves on only when the broker has
 * acknowledged a request, so a retry carries the sequence numbers of the attempt it repeats; the broker keeps
 * the last five batches of each producer per partition (on its followers too) and answers a repeat of a batch it
 * appended with that batch's offset instead of appending it again.
 *
 * After a request whose outcome stayed unknown, a partition's next sequence is in doubt (the broker may or may
 * not have taken the numbers), and a different batch sent with the same numbers would be taken for a repeat and
 * acknowledged without being written. The writer then starts a new session: a new producer id, whose sequences
 * start again at 0.
 */
export class ProducerSession {
  readonly producerId: string;
  readonly producerEpoch: number;
  readonly #next = new Map<string, number>();

  constructor(producerId: string, producerEpoch: number) {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
  }

  /** The session of a producer that is not idempotent: producer id -1 (its batches carry no producer). */
  static notIdempotent(): ProducerSession {
    return new ProducerSession('-1', -1);
  }

  get idempotent(): boolean {
    return this.producerId !== '-1';
  }

  /** The first sequence number of the partition's next request. */
  sequence(topic: string, partition: number): number {
    return this.#next.get(partitionKey(topic, partition)) ?? 0;
  }

  /**
   * The producer fields of the partition's next record batch; outside idempotence, Kafka's "none" for each
   * (-1, as Java's producer writes them), which the broker does not check.
   */
  batchProducer(topic: string, partition: number): { producerId: bigint; producerEpoch: number; baseSequence: number } {
    if (!this.idempotent) return { producerId: -1n, producerEpoch: -1, baseSequence: -1 };
    return { producerId: BigInt(this.producerId), producerEpoch: this.producerEpoch, baseSequence: this.sequence(topic, partition) };
  }

  /** The broker acknowledged `count` records of the partition: the next request starts after them. */
  acknowledged(topic: string, partition: number, count: number): void {
    if (!this.idempotent) return;
    this.#next.set(partitionKey(topic, partition), (this.sequence(topic, partition) + count) % SEQUENCE_MODULUS);
  }
}
