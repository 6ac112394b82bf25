/**
 * Tracks, for one partition, which fetched offsets have settled (handled, filtered out or dead-lettered) and
 * what may be committed. Kafka's committed offset is the next offset to read: after offsets 5, 6 and 7 have
 * settled the commit is 8. With concurrent handling, offsets settle out of order; the commit only moves past
 * the settled prefix of what was fetched, and never backwards. Gaps between fetched offsets (compaction,
 * transaction markers) need no care: committing one past a settled offset resumes at the next real record.
 *
 * Offsets are bigints: Kafka offsets are 64-bit and must not go through floating point.
 */
export class PartitionCommitTracker {
  /** Fetched offsets in fetch order (increasing), with whether each has settled. */
  readonly #queue: Array<{ offset: bigint; settled: boolean }> = [];
  readonly #index = new Map<bigint, { offset: bigint; settled: boolean }>();
  #committable: bigint | undefined;
  #lastCommitted: bigint | undefined;

  /** @param lastCommitted what this process last committed for the partition, so commits stay forward-only. */
  constructor(lastCommitted?: bigint) {
    this.#lastCommitted = lastCommitted;
  }

  /** An offset was fetched and handed to handling. Offsets must be tracked in increasing order. */
  track(offset: bigint): void {
    const last = this.#queue[this.#queue.length - 1];
    if ((last && offset <= last.offset) || (this.#committable !== undefined && offset < this.#committable)) {
      throw new RangeError(`offset ${offset} tracked out of order`);
    }
    const entry = { offset, settled: false };
    this.#queue.push(entry);
    this.#index.set(offset, entry);
  }

  /** The offset's handling settled. Returns true when that moved the committable position. */
  settle(offset: bigint): boolean {
    const entry = this.#index.get(offset);
    if (!entry || entry.settled) return false;
    entry.settled = true;
    const before = this.#committable;
    while (this.#queue.length > 0 && this.#queue[0]!.settled) {
      const head = this.#queue.shift()!;
      this.#index.delete(head.offset);
      this.#committable = head.offset + 1n;
    }
    return before !== this.#committable;
  }

  /**
   * Forget everything fetched and not settled: handling stopped before them (a stop, a record whose
   * dead-letter write failed), and they will be fetched again from the first of them. The commit stays where
   * it is.
   */
  reset(): void {
    this.#queue.length = 0;
    this.#index.clear();
  }

  /**
   * The reader was moved to `next` (a seek): forget what was fetched, and take `next` as the position to
   * commit. A seek forward thereby commits past the records skipped on purpose; a seek backward commits
   * nothing until handling passes the last commit again, since commits only move forward.
   */
  seekTo(next: bigint): void {
    this.reset();
    this.#committable = next;
  }

  /** The offset to commit now, or undefined when nothing new has settled since the last commit. */
  toCommit(): bigint | undefined {
    if (this.#committable === undefined) return undefined;
    if (this.#lastCommitted !== undefined && this.#committable <= this.#lastCommitted) return undefined;
    return this.#committable;
  }

  /** Record that `offset` was committed; commits only move forward. */
  committed(offset: bigint): void {
    if (this.#lastCommitted === undefined || offset > this.#lastCommitted) this.#lastCommitted = offset;
  }

  get lastCommitted(): bigint | undefined {
    return this.#lastCommitted;
  }

  /** How many fetched offsets have not settled yet. */
  get inFlight(): number {
    return this.#queue.filter((e) => !e.settled).length;
  }
}
