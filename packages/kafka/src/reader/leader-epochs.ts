/**
 * What a reader knows of its partitions' leader epochs (KIP-320): the current epoch of each partition's
 * leader, sent with every fetch so that a deposed leader or a reader with stale metadata is fenced, and the
 * epoch under which each partition's position was last found consistent with the leader's log. When the
 * leader epoch moves past that one (a leader change), the position is checked against the new leader's log
 * before it is read from, as Kafka's Java consumer does: records the reader consumed may have been truncated
 * away by an unclean leader election, and the log may have grown again since with records of another history.
 */
import { brokerSupports, type InternalBroker } from '../internal/kafkajs-internals.js';
import type { EpochEnd } from '../protocol/offset-for-leader-epoch-protocol.js';
import { sendMetadata, sendOffsetForLeaderEpoch } from './broker-requests.js';
import { METADATA_API_KEY, METADATA_VERSION } from '../protocol/metadata-protocol.js';
import { partitionKey } from '../admin/topic-partition.js';

/** A position to check: `offset` follows a record of leader epoch `lastEpoch`. */
export interface PositionToValidate {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly lastEpoch: number;
}

/**
 * How a position stands against the leader's log:
 * - `valid`: the leader's log holds the epoch up to the position at least; read on;
 * - `truncated`: the epoch ends at `truncatedTo`, below the position: what lay between was lost;
 * - `unknown-epoch`: the leader has no epoch that old (its log starts later): the position cannot be checked;
 * - `error`: the leader answered this Kafka error code for the partition.
 */
export type Validation =
  | { readonly kind: 'valid' }
  | { readonly kind: 'truncated'; readonly truncatedTo: bigint }
  | { readonly kind: 'unknown-epoch' }
  | { readonly kind: 'error'; readonly errorCode: number };

/** Leader epochs by partition, refreshed from Metadata v7; -1 where unknown (then nothing is fenced or checked). */
export class LeaderEpochs {
  readonly #current = new Map<string, number>();
  readonly #validated = new Map<string, number>();
  #stale = true;

  /** The leaders may have changed: the next {@link refresh} asks again. */
  markStale(): void {
    this.#stale = true;
  }

  get stale(): boolean {
    return this.#stale;
  }

  /** The partition's current leader epoch as last learned; -1 when unknown. */
  current(topic: string, partition: number): number {
    return this.#current.get(partitionKey(topic, partition)) ?? -1;
  }

  /**
   * Ask `broker` for the leader epochs of `topics`. A broker without Metadata v7 (before Kafka 2.1) leaves them
   * unknown: fetches then go without fencing, as before KIP-320.
   */
  async refresh(broker: InternalBroker, topics: readonly string[]): Promise<void> {
    this.#stale = false;
    if (!brokerSupports(broker, METADATA_API_KEY, METADATA_VERSION)) return;
    try {
      const metadata = await sendMetadata(broker, topics);
      for (const t of metadata.topics) {
        for (const p of t.partitions) {
          if (p.errorCode === 0 && p.leaderEpoch >= 0) this.#current.set(partitionKey(t.topic, p.partition), p.leaderEpoch);
          else this.#current.delete(partitionKey(t.topic, p.partition));
        }
      }
    } catch (error) {
      this.#stale = true;
      throw error;
    }
  }

  /**
   * Whether `lastEpoch` at this position must be checked before the partition is read: the leader epoch is
   * known and newer than the one the position was last found good under (or it never was).
   */
  needsValidation(topic: string, partition: number, lastEpoch: number | undefined): boolean {
    if (lastEpoch === undefined || lastEpoch < 0) return false;
    const current = this.current(topic, partition);
    if (current < 0) return false;
    const validated = this.#validated.get(partitionKey(topic, partition));
    return validated === undefined || current > validated;
  }

  /** The partition's position was read from, or found good, under leader epoch `epoch`. */
  validated(topic: string, partition: number, epoch: number): void {
    if (epoch < 0) return;
    const k = partitionKey(topic, partition);
    if ((this.#validated.get(k) ?? -1) < epoch) this.#validated.set(k, epoch);
  }

  /**
   * Check positions against the leader's log with one OffsetForLeaderEpoch: where does the epoch of each last
   * consumed record end there? An end below the position means those offsets now hold other records or none.
   * Positions found good are remembered as validated under the epoch sent.
   * @throws what the request throws (the broker out of reach, say): the caller fails these partitions.
   */
  async validate(broker: InternalBroker, positions: readonly PositionToValidate[]): Promise<Validation[]> {
    const asked = positions.map((p) => ({ topic: p.topic, partition: p.partition, currentLeaderEpoch: this.current(p.topic, p.partition), leaderEpoch: p.lastEpoch }));
    const response = await sendOffsetForLeaderEpoch(broker, asked);
    const ends = new Map(response.partitions.map((e) => [partitionKey(e.topic, e.partition), e]));
    return positions.map((p, i) => {
      const end = ends.get(partitionKey(p.topic, p.partition));
      const validation = judge(end, p.offset);
      if (validation.kind === 'valid') this.validated(p.topic, p.partition, asked[i]!.currentLeaderEpoch);
      return validation;
    });
  }
}

/** Kafka's Java consumer's rule (SubscriptionState.maybeCompleteValidation). */
function judge(end: EpochEnd | undefined, offset: bigint): Validation {
  // UNKNOWN_SERVER_ERROR: the broker left the partition out of its answer.
  if (!end) return { kind: 'error', errorCode: -1 };
  if (end.errorCode !== 0) return { kind: 'error', errorCode: end.errorCode };
  if (end.endOffset < 0 || end.leaderEpoch < 0) return { kind: 'unknown-epoch' };
  if (end.endOffset < offset) return { kind: 'truncated', truncatedTo: end.endOffset };
  return { kind: 'valid' };
}
