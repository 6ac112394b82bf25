import { leafErrors } from '../errors.js';

/**
 * Whether a failed kafkajs write left its records in the log. `failed` only when we know nothing was
 * appended: the broker answered with a rejection that happens before the append, or nothing was sent at all.
 * Everything else (timeouts, dropped connections, retries exhausted after an unanswered request) is
 * `unknown`: the ack was lost and the records may or may not be in the log.
 */
export type WriteOutcome = 'failed' | 'unknown';

/** Broker error types that reject a produce request before anything is appended. */
const REJECTED_BEFORE_APPEND = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'INVALID_REQUIRED_ACKS',
  'UNSUPPORTED_COMPRESSION_TYPE',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'NOT_ENOUGH_REPLICAS',
  'INVALID_TIMESTAMP',
  'INVALID_PRODUCER_EPOCH',
  'UNSUPPORTED_VERSION',
]);

/** Classify a kafkajs write failure as `failed` (nothing appended) or `unknown`. */
export function classifyWriteFailure(error: unknown): WriteOutcome {
  // kafkajs retried and kept only the last attempt's error: an earlier one may have appended.
  if ((error as { retryCount?: unknown } | null)?.retryCount !== undefined && Number((error as { retryCount: unknown }).retryCount) > 0) return 'unknown';
  const leaves = leafErrors(error);
  if (leaves.length === 0) return 'unknown';
  const definite = leaves.every(
    (leaf) =>
      (leaf.type !== undefined && REJECTED_BEFORE_APPEND.has(leaf.type)) ||
      // kafkajs refuses before sending anything.
      /producer is disconnected/i.test(leaf.message ?? '') ||
      /Invalid (topic|messages|message without value)/i.test(leaf.message ?? ''),
  );
  return definite ? 'failed' : 'unknown';
}

/**
 * The outcome of a write tried several times: `failed` only when every attempt failed in a way that appends
 * nothing. One attempt whose answer was lost (a timeout, a dropped connection) may have appended the records, so
 * the write is `unknown` whatever later attempts said (a retry refused with NOT_ENOUGH_REPLICAS does not undo an
 * earlier append that timed out).
 */
export function classifyAttempts(errors: readonly unknown[]): WriteOutcome {
  if (errors.length === 0) return 'unknown';
  return errors.every((e) => classifyWriteFailure(e) === 'failed') ? 'failed' : 'unknown';
}
