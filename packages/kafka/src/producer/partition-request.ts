import { ErrorCodes, TributaryError } from '@tributary/core';
import { leafErrors } from '../errors.js';
import { encodeRecordBatch, type RecordToEncode } from '../protocol/record-batch-encoder.js';
import { classifyAttempts, type Acks, type WriteAttempt, type WriteOutcome } from './outcome.js';
import type { ProducerSession } from './producer-session.js';

/**
 * One partition's records as one Produce request carries them: a record batch encoded once, with the session's
 * producer id and epoch and the partition's first sequence number in its header, and sent as it is by every
 * attempt.
 */
export interface PartitionProduce {
  readonly topic: string;
  readonly partition: number;
  /** A whole v2 record batch (see encodeRecordBatch). */
  readonly batch: Buffer;
  readonly acks: Acks;
  readonly timeoutMs: number;
}

/** A partition's leader, reached. */
export interface PartitionLeader {
  /**
   * Send the request and resolve with the base offset the broker gave the records (-1 with acks 0).
   * Rejects with the broker's error for the partition, or with what became of the connection.
   */
  produce(request: PartitionProduce): Promise<bigint>;
}

/** Where partition requests go: the cluster's metadata and connections. */
export interface ProducePorts {
  /**
   * The partition's leader, connected. `refresh` reads the cluster's metadata again first (a retry: the leader
   * may have moved). Rejects when no leader is known or it cannot be reached; the request has not been sent then.
   */
  leader(topic: string, partition: number, refresh: boolean): Promise<PartitionLeader>;
}

/** How a partition's request is sent and retried. */
export interface PartitionRequestOptions {
  readonly acks: Acks;
  readonly timeoutMs: number;
  /** The batch's compression codec: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  readonly compression: number;
  /** Attempts after the first, at most. */
  readonly retries: number;
  /** No attempt starts later than this many milliseconds after the first. */
  readonly deliveryTimeoutMs: number;
  /** The wait before retry `n` (0-based). Default 100 ms doubling up to 1 s. */
  readonly backoff?: (retry: number) => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** A partition request's result: the base offset, or every attempt's error and what they mean for the records. */
export type PartitionRequestResult =
  | { ok: true; base: bigint }
  | {
      ok: false;
      /** The last attempt's error. */
      error: unknown;
      attempts: readonly WriteAttempt[];
      outcome: WriteOutcome;
      /** The session's sequence for the partition may no longer match the broker's: start a new session. */
      sequenceInDoubt: boolean;
    };

/** Answers saying the broker's producer state and the session's disagree; retrying with the same numbers cannot help. */
const SEQUENCE_ERRORS = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'DUPLICATE_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);

const defaultBackoff = (retry: number) => Math.min(1000, 100 * 2 ** retry);
const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Send one partition's records, retrying retriable failures until `retries` or `deliveryTimeoutMs` is spent.
 * The records are encoded once, into one record batch; every retry reads the metadata again (a killed leader is
 * replaced within the broker session timeout) and sends the same batch, with the same producer id and sequence
 * numbers, so a retry of an attempt that did append is acknowledged with the first append's offset, never written
 * twice (for an idempotent session). Every attempt is kept with whether it was sent: the records are `failed`
 * only if no attempt can have appended them. Records that cannot be encoded are `failed` at once, with an
 * ENCODE_FAILED error, and nothing is sent.
 */
export async function sendPartitionRequest(
  ports: ProducePorts,
  session: ProducerSession,
  records: { topic: string; partition: number; records: readonly RecordToEncode[] },
  options: PartitionRequestOptions,
): Promise<PartitionRequestResult> {
  const { topic, partition } = records;
  const backoff = options.backoff ?? defaultBackoff;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const batch = await encodeBatch(session, records, options.compression);
  if (!Buffer.isBuffer(batch)) return { ok: false, error: batch, attempts: [{ error: batch, sent: false }], outcome: 'failed', sequenceInDoubt: false };
  const request: PartitionProduce = { topic, partition, batch, acks: options.acks, timeoutMs: options.timeoutMs };
  const started = now();
  const attempts: WriteAttempt[] = [];
  for (let retry = 0; ; retry++) {
    let leader: PartitionLeader | undefined;
    try {
      leader = await ports.leader(topic, partition, retry > 0);
      const base = await leader.produce(request);
      session.acknowledged(topic, partition, records.records.length);
      return { ok: true, base };
    } catch (error) {
      attempts.push({ error, sent: leader !== undefined });
    }
    const last = attempts[attempts.length - 1]!;
    const wait = backoff(retry);
    if (!canRetry(last.error) || retry >= options.retries || now() + wait - started > options.deliveryTimeoutMs) {
      const outcome = classifyAttempts(attempts, options.acks);
      const sequenceInDoubt = session.idempotent && (outcome === 'unknown' || attempts.some((a) => a.sent && isSequenceError(a.error)));
      return { ok: false, error: last.error, attempts, outcome, sequenceInDoubt };
    }
    await sleep(wait);
  }
}

/** The partition's record batch under the session's producer id, epoch and next sequence, or why it cannot be had. */
async function encodeBatch(session: ProducerSession, records: { topic: string; partition: number; records: readonly RecordToEncode[] }, compression: number): Promise<Buffer | TributaryError> {
  const { topic, partition } = records;
  try {
    return await encodeRecordBatch(records.records, { compression, ...session.batchProducer(topic, partition) });
  } catch (cause) {
    const message = `Encoding the records for ${topic}:${partition} failed: ${cause instanceof Error ? cause.message : String(cause)}`;
    return new TributaryError(ErrorCodes.ENCODE_FAILED, message, { cause, retriable: false, context: { topic, partition } });
  }
}

/** kafkajs and Tributary errors say whether trying again may help; anything else (a TypeError, say) does not. */
function canRetry(error: unknown): boolean {
  const leaves = leafErrors(error);
  return leaves.length > 0 && leaves.every((leaf) => leaf.retriable === true && !isSequenceError(leaf));
}

function isSequenceError(error: unknown): boolean {
  return leafErrors(error).some((leaf) => leaf.type !== undefined && SEQUENCE_ERRORS.has(leaf.type));
}
