import { ErrorCodes, isTributaryError } from '@tributary/core';
import type { OffsetToCommit } from '@tributary/consumer';
import { partitionKey, type GroupMetadata, type KafkaTransactionalWriter, type TopicPartition, type TransactionalRecord, type TransactionInDoubt } from '@tributary/kafka';

/** What a batch needs of a transactional writer (the Kafka layer's; a fake in unit tests). */
export type BatchWriter = Pick<KafkaTransactionalWriter, 'commit' | 'outcome'>;

/** What one executed command leaves to commit: its follow-ups (and dedupe mark), keyed by where it was read. */
export interface DoneCommand {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** The command's id (what the dedupe store remembers once committed). */
  readonly id: string;
  /** Its follow-ups, and the dedupe mark when the store keeps one on Kafka. */
  readonly records: readonly TransactionalRecord[];
  /** How many of `records` are follow-ups. */
  readonly followUps: number;
}

/**
 * The commands executed since the last transaction, by partition and offset, and the transactions that commit
 * them (Kafka's read-process-write, a transaction per batch as Spring and Karafka run it): when the consumer
 * group commits its settled offsets, one transaction carries the records of every command below those offsets
 * and the offsets themselves (`sendOffsets`). A read_committed reader thus sees a command's follow-ups exactly
 * when its offset is committed, whatever the batch holds:
 * - a command that failed (retried, then dead-lettered) left nothing here, and the group does not settle past
 *   it until it is dead-lettered, so a transaction never commits past it, and always holds the follow-ups of
 *   the commands before it;
 * - a transaction that fails is aborted, and what it held stays here for the next one (the records are the
 *   same bytes: nothing is published twice);
 * - a transaction whose commit was sent and whose outcome the writer could not learn (TRANSACTION_OUTCOME_UNKNOWN)
 *   stays in doubt: every later commit first asks the writer whether it committed, and fails while that is not
 *   known; committed, what it held is let go (never sent again), aborted, it goes in the next transaction;
 * - a command handled again (the partition read again from an earlier offset) replaces what it left before;
 *   a partition revoked takes its commands with it (the new owner runs them again).
 */
export class TransactionBatch {
  readonly #writer: BatchWriter;
  readonly #groupId: string;
  /** Per partition, in offset order, with an offset no command held lies above (none is when handling goes on). */
  readonly #done = new Map<string, { readonly commands: Map<bigint, DoneCommand>; last: bigint }>();
  /** Ids held, so a command sent twice and read twice before a commit runs once. */
  readonly #ids = new Map<string, number>();
  #size = 0;
  /** A transaction whose outcome is not known, with the offsets it carried. */
  #inDoubt: { readonly transaction: TransactionInDoubt; readonly offsets: readonly OffsetToCommit[] } | undefined;
  /** Commands of a transaction in doubt found committed, reported with the next commit that goes through. */
  #settled: DoneCommand[] = [];

  constructor(writer: BatchWriter, groupId: string) {
    this.#writer = writer;
    this.#groupId = groupId;
  }

  /** Commands held, not yet committed. */
  get size(): number {
    return this.#size;
  }

  /** Whether a command with this id is held (executed here, its transaction not yet committed). */
  holds(id: string): boolean {
    return this.#ids.has(id);
  }

  /**
   * The partition is handled from `offset` on (again, after a rewind, or for the first time): what was held
   * from there on is stale. Call before looking an id up with {@link holds}, so a command read again does not
   * count as its own duplicate.
   */
  handling(topic: string, partition: number, offset: bigint): void {
    const held = this.#done.get(partitionKey(topic, partition));
    if (!held || held.last < offset) return;
    for (const [at, done] of held.commands) if (at >= offset) this.#forget(held.commands, done);
    held.last = offset - 1n;
  }

  add(done: DoneCommand): void {
    const key = partitionKey(done.topic, done.partition);
    let held = this.#done.get(key);
    if (!held) this.#done.set(key, (held = { commands: new Map(), last: done.offset }));
    const before = held.commands.get(done.offset);
    if (before) this.#forget(held.commands, before);
    held.commands.set(done.offset, done);
    if (done.offset > held.last) held.last = done.offset;
    this.#ids.set(done.id, (this.#ids.get(done.id) ?? 0) + 1);
    this.#size++;
  }

  /** Partitions no longer owned: their commands are run again by the new owner. */
  revoke(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) {
      const key = partitionKey(p.topic, p.partition);
      const held = this.#done.get(key);
      if (!held) continue;
      for (const done of held.commands.values()) this.#forget(held.commands, done);
      this.#done.delete(key);
    }
  }

  /**
   * Commit `offsets` (the group's settled offsets) with the records of every command below them, in one
   * transaction, sent with `member`, the consuming member's generation and id when the offsets were taken
   * (KIP-447: the coordinator refuses them once a rebalance ended that generation). Resolves with the commands
   * committed; rejects when the transaction failed (aborted: they are kept for the next one, unless a
   * rebalance revokes their partitions first, as it does after a refusal for the generation). The commands of an
   * earlier transaction in doubt that turned out committed are among those it resolves with.
   * @throws TributaryError from the transactional writer: COMMIT_FAILED when the member's generation is over;
   *   TRANSACTION_OUTCOME_UNKNOWN while the outcome of a transaction in doubt (this one or an earlier one) is not known.
   */
  async commit(offsets: readonly OffsetToCommit[], member?: GroupMetadata): Promise<DoneCommand[]> {
    if (this.#inDoubt) await this.#settleDoubt(this.#inDoubt);
    const taken: DoneCommand[] = [];
    for (const o of offsets) {
      const held = this.#done.get(partitionKey(o.topic, o.partition));
      if (held) for (const done of held.commands.values()) if (done.offset < o.offset) taken.push(done);
    }
    const records: TransactionalRecord[] = [];
    for (const done of taken) for (const r of done.records) records.push(r);
    const committing = offsets.map(({ topic, partition, offset, leaderEpoch }) => ({ topic, partition, offset, ...(leaderEpoch === undefined ? {} : { leaderEpoch }) }));
    try {
      await this.#writer.commit(records, { groupId: this.#groupId, offsets: committing, ...(member ? { member } : {}) });
    } catch (error) {
      const transaction = isTributaryError(error, ErrorCodes.TRANSACTION_OUTCOME_UNKNOWN) ? (error.context.transaction as TransactionInDoubt | undefined) : undefined;
      if (transaction) this.#inDoubt = { transaction, offsets };
      throw error;
    }
    for (const done of taken) {
      const held = this.#done.get(partitionKey(done.topic, done.partition))?.commands;
      // Revoked or handled again meanwhile: only what this transaction held is let go.
      if (held?.get(done.offset) === done) this.#forget(held, done);
    }
    const settled = this.#settled;
    this.#settled = [];
    return settled.length === 0 ? taken : [...settled, ...taken];
  }

  /**
   * Ask whether the transaction in doubt committed (throws while that is not known). Committed: every command
   * below its offsets is let go, those it held and any handled again since (their follow-ups are in the log once).
   */
  async #settleDoubt(doubt: { readonly transaction: TransactionInDoubt; readonly offsets: readonly OffsetToCommit[] }): Promise<void> {
    const outcome = await this.#writer.outcome(doubt.transaction);
    this.#inDoubt = undefined;
    if (outcome === 'aborted') return;
    for (const o of doubt.offsets) {
      const held = this.#done.get(partitionKey(o.topic, o.partition))?.commands;
      if (!held) continue;
      for (const done of [...held.values()]) {
        if (done.offset >= o.offset) continue;
        this.#forget(held, done);
        this.#settled.push(done);
      }
    }
  }

  #forget(held: Map<bigint, DoneCommand>, done: DoneCommand): void {
    held.delete(done.offset);
    const n = this.#ids.get(done.id) ?? 0;
    if (n <= 1) this.#ids.delete(done.id);
    else this.#ids.set(done.id, n - 1);
    this.#size--;
  }
}
