/**
 * What may be committed for one partition. Kafka's committed offset is the next offset to read: after offsets
 * 5, 6 and 7 have settled (handled, filtered out or dead-lettered) the commit is 8. A partition's records are
 * handled one at a time in offset order, so what has settled is always a prefix of what was fetched, and the
 * tracker only needs the last settled offset. Gaps between fetched offsets (compaction, transaction markers)
 * need no care: committing one past a settled offset resumes at the next real record.
 *
 * Offsets are bigints: Kafka offsets are 64-bit and must not go through floating point.
 *
 * With each offset goes the leader epoch of the last record consumed before it (KIP-320), committed with it so a
 * member that starts from the commit can check its position against the leader's log. The fetch loop gives the
 * epoch of the last batch a fetch returned records from: exact for a commit past the fetch's end, and for one
 * inside it at most the record's own epoch, never below it (epochs only grow along a log). A newer epoch can only
 * make a truncation go unnoticed, never report one that did not happen, which an older epoch would.
 */
export class PartitionCommitTracker {
  #committable: bigint | undefined;
  #leaderEpoch: number | undefined;
  #lastCommitted: bigint | undefined;

  /** @param lastCommitted what this process last committed for the partition, so commits stay forward-only. */
  constructor(lastCommitted?: bigint) {
    this.#lastCommitted = lastCommitted;
  }

  /**
   * Every fetched offset up to and including `offset` has settled. Called once per record, in offset order.
   * `leaderEpoch`: the leader epoch of the record (see the class's note), when known.
   * @throws RangeError when `offset` lies below what already settled (records handled out of order: a bug).
   */
  settleThrough(offset: bigint, leaderEpoch?: number): void {
    if (this.#committable !== undefined && offset < this.#committable) throw new RangeError(`offset ${offset} settled after offset ${this.#committable - 1n}`);
    this.#committable = offset + 1n;
    this.#leaderEpoch = leaderEpoch;
  }

  /**
   * Every record before `next` has settled, and the offsets from the last record to `next` hold none a reader
   * sees (transaction markers, aborted transactions, compacted gaps): commit up to `next`, as Kafka's Java
   * consumer commits its position past markers. Never moves the commit back. `leaderEpoch`: that of the last
   * record before `next`, when known.
   */
  settlePast(next: bigint, leaderEpoch?: number): void {
    if (this.#committable !== undefined && next <= this.#committable) return;
    this.#committable = next;
    this.#leaderEpoch = leaderEpoch;
  }

  /**
   * The reader was moved to `next` (a seek): take `next` as the position to commit. A seek forward thereby
   * commits past the records skipped on purpose; a seek backward commits nothing until handling passes the last
   * commit again, since commits only move forward.
   */
  seekTo(next: bigint): void {
    this.#committable = next;
    this.#leaderEpoch = undefined;
  }

  /**
   * The partition's log was truncated to `next` (an unclean leader election lost the records from there on):
   * read from `next`, and commit `next` even below the last commit, which points past the log's new records.
   */
  truncatedTo(next: bigint): void {
    this.#committable = next;
    this.#leaderEpoch = undefined;
    if (this.#lastCommitted !== undefined && this.#lastCommitted > next) this.#lastCommitted = undefined;
  }

  /** The offset to commit now, or undefined when nothing new has settled since the last commit. */
  toCommit(): bigint | undefined {
    if (this.#committable === undefined) return undefined;
    if (this.#lastCommitted !== undefined && this.#committable <= this.#lastCommitted) return undefined;
    return this.#committable;
  }

  /** The leader epoch of the record before the offset {@link toCommit} gives; undefined when not known. */
  get leaderEpoch(): number | undefined {
    return this.#leaderEpoch;
  }

  /** Record that `offset` was committed; commits only move forward. */
  committed(offset: bigint): void {
    if (this.#lastCommitted === undefined || offset > this.#lastCommitted) this.#lastCommitted = offset;
  }

  get lastCommitted(): bigint | undefined {
    return this.#lastCommitted;
  }
}
