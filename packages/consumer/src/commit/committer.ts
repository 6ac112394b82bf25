import { fromPartitionKey, partitionKey, type TopicPartition } from '@tributary/kafka';
import { PartitionCommitTracker } from './commit-tracker.js';

/** One partition's offset to commit: the next offset the group reads from it. */
export interface OffsetToCommit extends TopicPartition {
  readonly offset: bigint;
  /** The leader epoch of the last record consumed before `offset` (KIP-320), committed with it when known. */
  readonly leaderEpoch?: number;
}

/**
 * Sends commits to the group. Contract: resolves once the group coordinator accepted every offset given, and
 * rejects otherwise (then none of them counts as committed). The group's sink is kafkajs' commitOffsets, which
 * retries passing failures: a retry that lands after a rebalance can set a partition now read by another member
 * back to what this member handled. That can only deliver records again, never skip one, and the other
 * member's next commit moves the partition on.
 */
export type CommitSink = (offsets: readonly OffsetToCommit[]) => Promise<void>;

/**
 * The commit trackers of the partitions this member owns, and the commits made from them. Commits go out one
 * at a time, only for owned partitions, and only forward (see {@link PartitionCommitTracker}).
 */
export class Committer {
  readonly #trackers = new Map<string, PartitionCommitTracker>();
  /** What this process committed per partition, kept across assignments so commits never go back. */
  readonly #committed = new Map<string, bigint>();
  #chain: Promise<unknown> = Promise.resolve();
  /** Commits under way or queued behind one. */
  #inFlight = 0;

  /**
   * A new assignment: every owned partition gets a fresh tracker, since the client fetches each one again from
   * the group's commit after a rebalance. Trackers of partitions no longer owned are dropped, so nothing is
   * ever committed for them.
   */
  assign(partitions: Iterable<TopicPartition>): void {
    this.#trackers.clear();
    for (const { topic, partition } of partitions) {
      const key = partitionKey(topic, partition);
      this.#trackers.set(key, new PartitionCommitTracker(this.#committed.get(key)));
    }
  }

  /** The tracker of an owned partition; undefined for a partition this member does not own. */
  tracker(topic: string, partition: number): PartitionCommitTracker | undefined {
    return this.#trackers.get(partitionKey(topic, partition));
  }

  /** The offsets settled past the last commit, one per owned partition that has any. */
  pending(): OffsetToCommit[] {
    const out: OffsetToCommit[] = [];
    for (const [key, tracker] of this.#trackers) {
      const offset = tracker.toCommit();
      if (offset === undefined) continue;
      const leaderEpoch = tracker.leaderEpoch;
      out.push(leaderEpoch === undefined ? { ...fromPartitionKey(key), offset } : { ...fromPartitionKey(key), offset, leaderEpoch });
    }
    return out;
  }

  /**
   * Commit what has settled, after any commit already under way. Resolves with the offsets committed (none when
   * nothing was new); rejects with the sink's error.
   */
  commit(sink: CommitSink): Promise<readonly OffsetToCommit[]> {
    this.#inFlight++;
    const run = this.#chain.then(async () => {
      const offsets = this.pending();
      if (offsets.length === 0) return offsets;
      await sink(offsets);
      for (const o of offsets) {
        const key = partitionKey(o.topic, o.partition);
        this.#trackers.get(key)?.committed(o.offset);
        if ((this.#committed.get(key) ?? -1n) < o.offset) this.#committed.set(key, o.offset);
      }
      return offsets;
    });
    this.#chain = run.catch(() => undefined).finally(() => this.#inFlight--);
    return run;
  }

  /** Whether a commit is under way or queued. */
  get busy(): boolean {
    return this.#inFlight > 0;
  }

  /** What this process last committed for a partition. */
  lastCommitted(topic: string, partition: number): bigint | undefined {
    return this.#committed.get(partitionKey(topic, partition));
  }
}
