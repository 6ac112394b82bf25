import { ErrorCodes, TributaryError } from '@tributary/core';
import type { KafkaAdmin } from '../admin/kafka-admin.js';
import { partitionKey, type TopicPartition } from '../admin/topic-partition.js';

/**
 * A transaction whose commit (EndTxn) was sent and whose answer was lost: a connection reset, a coordinator
 * killed as it answered. It may have committed or not. Its group offsets tell: they commit atomically with its
 * records, each with the transaction's `tag` as its metadata, so once the transaction has ended, the group's
 * commits carry the tag exactly when it committed.
 */
export interface TransactionInDoubt {
  readonly transactionalId: string;
  /** The metadata text committed with each of its offsets; unique to the transaction. */
  readonly tag: string;
  readonly groupId: string;
  readonly partitions: readonly TopicPartition[];
}

export type TransactionOutcome = 'committed' | 'aborted';

/** Between two tries at learning an outcome while Kafka does not answer. */
const RETRY_PAUSE_MS = 500;

/**
 * Whether a transaction in doubt committed, asked until `deadline` (epoch ms) while the coordinator is
 * unreachable. Ask once the transaction has ended (the writer's next InitProducerId ends it: the coordinator
 * completes a commit it began and aborts one it had not); the commits are read with RequireStable as well,
 * which waits for an open transaction's offsets.
 * @throws TributaryError TRANSACTION_OUTCOME_UNKNOWN when Kafka did not tell by the deadline, or refused to.
 */
export async function readTransactionOutcome(admin: KafkaAdmin, doubt: TransactionInDoubt, deadline: number): Promise<TransactionOutcome> {
  for (;;) {
    try {
      const commits = await admin.groupCommits(doubt.groupId, doubt.partitions, { requireStable: true, stableDeadlineMs: Math.max(1, deadline - Date.now()) });
      // One partition carrying the tag is enough: the offsets commit together or not at all, and a later commit
      // of the partition (another transaction, another owner after a rebalance) may have replaced the tag since.
      return doubt.partitions.some((p) => commits.get(partitionKey(p.topic, p.partition))?.metadata === doubt.tag) ? 'committed' : 'aborted';
    } catch (error) {
      if (!(error instanceof TributaryError) || !error.retriable || Date.now() + RETRY_PAUSE_MS > deadline) throw outcomeUnknown(doubt, error);
      await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
    }
  }
}

/** The error of a transaction whose outcome is not known: never retriable, naming the transaction in doubt. */
export function outcomeUnknown(doubt: TransactionInDoubt | undefined, cause: unknown, transactionalId = doubt?.transactionalId): TributaryError {
  const why = doubt
    ? `Kafka did not tell whether it committed (the commits of group "${doubt.groupId}" could not be read)`
    : 'it carried no group offsets, which would have told whether it committed';
  return new TributaryError(ErrorCodes.TRANSACTION_OUTCOME_UNKNOWN, `A commit of transactional id "${transactionalId}" was sent and its answer lost, and ${why}: it may have committed. It is not run again, which could commit its records twice`, {
    retriable: false,
    cause,
    context: { transactionalId, ...(doubt ? { transaction: doubt } : {}) },
  });
}
