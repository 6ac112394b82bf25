import type { TributaryError } from '@tributary/core';
import { partitionKey, type DecodedRecord, type TopicPartition, type UndecodableBatch } from '@tributary/kafka';
import type { StallReason } from '../health/stalls.js';

/*
 * The fetch loop's table of the partitions it reads: each one's position, what was fetched for it and waits to be
 * handled, and when it may be fetched again. Kept apart from the loop (which sends fetches and hands records to
 * the processor) because its rules are plain bookkeeping: an epoch that moves at each seek, rewind or revocation
 * so that records fetched for an older position are dropped, and the order in which waiting partitions take turns.
 */

/** What one fetch of a partition gave, waiting for the partition's worker. */
export interface QueuedFetch {
  readonly records: readonly DecodedRecord[];
  /** The partition's {@link PartitionState.epoch} when fetched: dropped once it moved on. */
  readonly epoch: number;
  /** One past what the fetch covered, transaction markers and aborted transactions included. */
  readonly end?: bigint;
  /** The leader epoch of the last batch the fetch returned records from: committed with the offsets it settles. */
  readonly leaderEpoch?: number;
  readonly undecodable?: { readonly batch: UndecodableBatch; readonly error: TributaryError };
}

export interface PartitionState extends TopicPartition {
  /** The next offset to fetch. */
  next: bigint;
  /** The leader epoch of the record before `next`, as fetched: the reader checks it after a leader change. */
  lastEpoch: number | undefined;
  /** Moves on at each seek, rewind or revocation: fetched records of an older epoch are dropped. */
  epoch: number;
  owned: boolean;
  /**
   * Records fetched and waiting for the partition's worker: at most one fetch's worth; or a batch that could not
   * be decoded, to dead-letter in its turn (after the records before it settled).
   */
  queued: QueuedFetch | undefined;
  fetching: boolean;
  working: boolean;
  resetting: boolean;
  /** After a failed fetch of this partition, not before this time. */
  retryAt: number;
  /** Failed fetches in a row: the back-off grows with them. */
  failures: number;
  /** At its end while other partitions had records: polled again, not before this time, while that lasts. */
  pollAt: number;
  /** Why it was reported stalled, if it was: its next progress is reported too. */
  stalled: StallReason | undefined;
}

/** The partitions a fetch loop reads, by `topic\0partition`, in the order they take turns. */
export class PartitionStates {
  readonly #states = new Map<string, PartitionState>();
  /** Called when a change may let a partition be fetched. */
  readonly #wake: () => void;

  constructor(wake: () => void) {
    this.#wake = wake;
  }

  /** Read these newly owned partitions, each from its offset (any earlier state of them is dropped). */
  assign(partitions: ReadonlyArray<TopicPartition & { next: bigint; lastEpoch?: number }>): void {
    for (const p of partitions) {
      this.drop(p);
      this.#states.set(partitionKey(p.topic, p.partition), {
        topic: p.topic, partition: p.partition, next: p.next, lastEpoch: p.lastEpoch, epoch: 0, owned: true,
        queued: undefined, fetching: false, working: false, resetting: false, retryAt: 0, failures: 0, pollAt: 0, stalled: undefined,
      });
    }
    this.#wake();
  }

  /** Stop reading the partition: what was fetched or is in hand for it is dropped. */
  drop(p: TopicPartition): void {
    const key = partitionKey(p.topic, p.partition);
    const s = this.#states.get(key);
    if (!s) return;
    s.owned = false;
    s.epoch++;
    s.queued = undefined;
    this.#states.delete(key);
  }

  get(p: TopicPartition): PartitionState | undefined {
    return this.#states.get(partitionKey(p.topic, p.partition));
  }

  /** Read the partition from `next` on: what was fetched beyond is dropped, the record in hand is its last. */
  seek(s: PartitionState, next: bigint): void {
    s.next = next;
    s.lastEpoch = undefined;
    s.epoch++;
    s.queued = undefined;
    // A partition stopped at bytes it cannot read goes on from the new position.
    s.retryAt = 0;
    s.failures = 0;
    this.#wake();
  }

  /** Read the partition again from `offset`, unless a seek or revocation already moved it elsewhere (its epoch moved). */
  rewind(s: PartitionState, epoch: number, offset: bigint): void {
    if (!s.owned || s.epoch !== epoch) return;
    s.next = offset;
    // The epoch of the record before `offset` is not kept per record: the position goes unchecked this once.
    s.lastEpoch = undefined;
    s.epoch++;
    s.queued = undefined;
    this.#wake();
  }

  /** Whether a fetch of some partition is on its way. */
  inFlight(): boolean {
    for (const s of this.#states.values()) if (s.fetching) return true;
    return false;
  }

  /** Whether some partition has fetched records waiting for its worker. */
  anyQueued(): boolean {
    for (const s of this.#states.values()) if (s.queued) return true;
    return false;
  }

  /**
   * The partitions that may be fetched at `now`: none queued, fetching or being reset, past their retry time,
   * not paused, and (when `busy`, records being in hand elsewhere) past their next poll at the log's end.
   */
  fetchable(now: number, busy: boolean, paused: (s: PartitionState) => boolean): PartitionState[] {
    const out: PartitionState[] = [];
    for (const s of this.#states.values()) {
      if (s.queued || s.fetching || s.resetting || s.retryAt > now || (busy && s.pollAt > now) || paused(s)) continue;
      out.push(s);
    }
    return out;
  }

  /** Milliseconds from `now` until the next retry or poll is due, at most `max`. */
  msUntilDue(now: number, max: number): number {
    let wait = max;
    // Only times still ahead: one passed belongs to a partition held back for another reason (paused, say).
    for (const s of this.#states.values()) for (const at of [s.retryAt, s.pollAt]) if (at > now) wait = Math.min(wait, at - now);
    return wait;
  }

  /**
   * The partitions with records waiting and no worker, oldest waiting first, each moved to the back of the line as
   * it is handed out, so none is starved when fewer workers than partitions run. Lazy: the caller marks each one
   * working before asking for the next.
   */
  *waitingInTurn(): Generator<PartitionState> {
    for (const [key, s] of this.#states) {
      if (!s.queued || s.working) continue;
      this.#states.delete(key);
      this.#states.set(key, s);
      yield s;
    }
  }
}
