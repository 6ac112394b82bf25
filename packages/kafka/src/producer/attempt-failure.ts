import { leafErrors } from '../errors.js';

/*
 * How the sender reads a failed attempt of a batch: which broker answers mean the leader may have moved, which
 * mean the broker's producer state and ours differ, and what the sender does next. Kept apart from the sender's
 * bookkeeping (batches, in-flight requests, sequence numbers) because it is a pure function of the errors, and the
 * rules follow Java's Sender and TransactionManager closely enough to be read (and tested) on their own.
 */

/** Answers saying the broker's producer state for the partition and ours differ. */
const SEQUENCE_ERRORS = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING']);
/** Answers after which the metadata is read again: the partition's leader may have moved. */
const METADATA_ERRORS = new Set(['NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER', 'UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'FENCED_LEADER_EPOCH', 'KAFKA_STORAGE_ERROR']);

/**
 * What to do with a batch after a failed attempt:
 * - `split`: refused as too large before any append, several records: sent again as two halves;
 * - `too-large`: refused as too large, a lone record: it fails with EVENT_TOO_LARGE;
 * - `duplicate`: the broker appended it before and no longer holds its offset (Java completes it without one);
 * - `sequence-gap`: the broker has no state for the producer, or a gap before this batch: it waits behind an
 *   earlier batch not appended yet, or (at the head) the partition starts a new epoch;
 * - `requeue`: a sequence error while the partition already waits to start a new epoch: it goes under that epoch;
 * - `fenced`: another producer took the id or epoch: given up;
 * - `retry`: sent again after a back-off if the error allows it and retries and delivery time remain, else given up.
 */
export type AttemptVerdict = 'split' | 'too-large' | 'duplicate' | 'sequence-gap' | 'requeue' | 'fenced' | 'retry';

/** What the verdict is drawn from, besides the error. */
export interface FailedAttempt {
  /** Whether the request may have reached the broker (false: the connection could not even be had). */
  readonly sent: boolean;
  /** Whether the producer has an id (batches carry sequence numbers). */
  readonly idempotent: boolean;
  /** Records in the batch. */
  readonly records: number;
  /** Whether an earlier attempt of the batch may have appended it; asked only for a MESSAGE_TOO_LARGE refusal. */
  mayHaveAppended(): boolean;
  /** Whether the partition already waits to start over under a new epoch. */
  readonly resetNeeded: boolean;
}

/** The verdict on a failed attempt, and whether the metadata should be read again (the leader may have moved). */
export function judgeAttempt(error: unknown, attempt: FailedAttempt): { verdict: AttemptVerdict; refresh: boolean } {
  const types = new Set(leafErrors(error).map((leaf) => leaf.type));
  const refresh = !attempt.sent || types.has(undefined) || [...types].some((t) => t !== undefined && METADATA_ERRORS.has(t));
  return { verdict: verdictOf(types, attempt), refresh };
}

function verdictOf(types: ReadonlySet<string | undefined>, attempt: FailedAttempt): AttemptVerdict {
  if (attempt.sent && types.has('MESSAGE_TOO_LARGE')) {
    // Refused before the append: a batch of several records goes again as two halves under its own sequence
    // numbers (unless an earlier attempt may have appended it); a lone record cannot be made smaller.
    if (attempt.records > 1 && !attempt.mayHaveAppended()) return 'split';
    if (attempt.records === 1) return 'too-large';
  }
  if (attempt.idempotent && attempt.sent) {
    if (types.has('DUPLICATE_SEQUENCE_NUMBER')) return 'duplicate';
    if (types.has('OUT_OF_ORDER_SEQUENCE_NUMBER') || types.has('UNKNOWN_PRODUCER_ID')) return 'sequence-gap';
    if (attempt.resetNeeded && [...types].some((t) => t !== undefined && SEQUENCE_ERRORS.has(t))) return 'requeue';
    if (types.has('INVALID_PRODUCER_EPOCH') || types.has('PRODUCER_FENCED') || types.has('INVALID_PRODUCER_ID_MAPPING')) return 'fenced';
  }
  return 'retry';
}

/**
 * kafkajs and Tributary errors say whether trying again may help; anything else (a TypeError, say) does not. A
 * sequence error is never retried as it is: the same numbers would be refused again.
 */
export function canRetry(error: unknown): boolean {
  const leaves = leafErrors(error);
  return leaves.length > 0 && leaves.every((leaf) => leaf.retriable === true && (leaf.type === undefined || !SEQUENCE_ERRORS.has(leaf.type)));
}
