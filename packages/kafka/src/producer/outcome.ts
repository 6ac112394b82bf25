import { leafErrors } from '../errors.js';

/**
 * Whether a failed write left its records in the log. `failed` only when we know nothing was appended: every
 * attempt either never left (no leader known, the leader unreachable) or was answered with a rejection that
 * Kafka makes before appending. Everything else (timeouts, dropped connections, answers that may come after the
 * append) is `unknown`: the records may or may not be in the log.
 */
export type WriteOutcome = 'failed' | 'unknown';

/** One attempt at a partition's request: its error, and whether the request was handed to a connection. */
export interface WriteAttempt {
  readonly error: unknown;
  /** false when the attempt failed before the request was written: no leader known, or the leader unreachable. */
  readonly sent: boolean;
}

/** The acks a request asked for: -1 (all in-sync replicas), 1 (the leader) or 0 (none). */
export type Acks = -1 | 0 | 1;

/**
 * Produce answers (kafkajs' names) that Kafka gives only before appending: the request is validated, the
 * producer's epoch and sequence checked, and `min.insync.replicas` compared with the ISR (NOT_ENOUGH_REPLICAS,
 * "Avoid writing to leader if there are not enough insync replicas", Partition.appendRecordsToLeader) before
 * anything is written.
 */
const REJECTED_BEFORE_APPEND = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'INVALID_REQUIRED_ACKS',
  'UNSUPPORTED_COMPRESSION_TYPE',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'NOT_ENOUGH_REPLICAS',
  'INVALID_TIMESTAMP',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'UNSUPPORTED_VERSION',
]);

/**
 * Answers that come before the append when the leader answers at once (acks 1), but not with acks -1: a request
 * appended by a leader and waiting for the in-sync replicas is answered NOT_LEADER_OR_FOLLOWER when that
 * leader steps down, and UNKNOWN_TOPIC_OR_PARTITION when the partition leaves the broker (Kafka's DelayedProduce
 * and Partition.checkEnoughReplicasReachOffset: `case None => (false, Errors.NOT_LEADER_OR_FOLLOWER)`); the
 * records may already be on the new leader.
 */
const REJECTED_BEFORE_APPEND_UNLESS_ACKS_ALL = new Set(['NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER', 'UNKNOWN_TOPIC_OR_PARTITION']);

/** Classify the failure of a request that was sent: `failed` only for an answer Kafka gives before appending. */
export function classifyWriteFailure(error: unknown, acks: Acks = -1): WriteOutcome {
  // kafkajs retried and kept only the last attempt's error: an earlier one may have appended.
  if ((error as { retryCount?: unknown } | null)?.retryCount !== undefined && Number((error as { retryCount: unknown }).retryCount) > 0) return 'unknown';
  const leaves = leafErrors(error);
  if (leaves.length === 0) return 'unknown';
  const definite = leaves.every(
    (leaf) => leaf.type !== undefined && (REJECTED_BEFORE_APPEND.has(leaf.type) || (acks !== -1 && REJECTED_BEFORE_APPEND_UNLESS_ACKS_ALL.has(leaf.type))),
  );
  return definite ? 'failed' : 'unknown';
}

/**
 * The outcome of a write tried several times: `failed` only when no attempt can have appended the records. One
 * sent attempt whose answer was lost (a timeout, a dropped connection) may have appended them, so the write is
 * `unknown` whatever later attempts said (a retry refused with NOT_ENOUGH_REPLICAS does not undo an earlier
 * append that timed out).
 */
export function classifyAttempts(attempts: readonly WriteAttempt[], acks: Acks = -1): WriteOutcome {
  if (attempts.length === 0) return 'unknown';
  return attempts.every((a) => !a.sent || classifyWriteFailure(a.error, acks) === 'failed') ? 'failed' : 'unknown';
}
