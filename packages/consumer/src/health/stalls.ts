import { ErrorCodes, TributaryError } from '@tributary/core';
import { partitionKey, partitionName, type TopicPartition } from '@tributary/kafka';

/**
 * Why a partition cannot progress:
 * - `dead-letter-failed`: a record must be dead-lettered and the write fails (most often: `<topic>.DLT` does not
 *   exist; create it, or it is created by `ensureTopics`);
 * - `decode-waiting`: a record cannot be decoded for a reason that may pass (a schema registry out of reach);
 * - `undecodable-batch`: the bytes at the position are not a record batch Tributary can read (CRC mismatch, an
 *   unknown compression); the partition stops there until it is sought past;
 * - `authorization`: the broker refuses this client access to the topic;
 * - `unsupported`: the broker lacks a protocol version Tributary needs;
 * - `fetch-failing`: fetches keep failing for a reason that may pass (a leader out of reach).
 */
export type StallReason = 'dead-letter-failed' | 'decode-waiting' | 'undecodable-batch' | 'authorization' | 'unsupported' | 'fetch-failing';

/** A partition that cannot progress, and since when. */
export interface PartitionStall extends TopicPartition {
  readonly reason: StallReason;
  /** The offset it waits at. */
  readonly offset: bigint;
  /** Milliseconds since the epoch when it stalled. */
  readonly since: number;
  /** What failed, as a Tributary error naming the partition, with the original as `cause`. */
  readonly error: TributaryError;
}

/** The partitions of a member that cannot progress: what the group reports through its error callback, a gauge and a warning. */
export class Stalls {
  readonly #stalls = new Map<string, PartitionStall>();

  /** Record a stall; true when it is new (or its reason changed), so it is reported once, not at every retry. */
  stall(p: TopicPartition, reason: StallReason, offset: bigint, cause: unknown): PartitionStall | undefined {
    const key = partitionKey(p.topic, p.partition);
    const known = this.#stalls.get(key);
    if (known?.reason === reason) return undefined;
    const code = reason === 'authorization' ? ErrorCodes.AUTHORIZATION : reason === 'unsupported' ? ErrorCodes.UNSUPPORTED : reason === 'undecodable-batch' ? ErrorCodes.DECODE_FAILED : cause instanceof TributaryError ? cause.code : ErrorCodes.CONNECTION;
    const message = cause instanceof Error ? cause.message : String(cause);
    const error = new TributaryError(code, `Partition ${partitionName(p)} cannot progress past offset ${offset} (${reason}): ${message}`, {
      cause,
      retriable: reason !== 'undecodable-batch',
      context: { topic: p.topic, partition: p.partition, offset: offset.toString(), reason },
    });
    const stall: PartitionStall = { topic: p.topic, partition: p.partition, reason, offset, since: Date.now(), error };
    this.#stalls.set(key, stall);
    return stall;
  }

  /** The partition progressed (or is no longer this member's): true when it was stalled. */
  clear(p: TopicPartition): boolean {
    return this.#stalls.delete(partitionKey(p.topic, p.partition));
  }

  list(): PartitionStall[] {
    return [...this.#stalls.values()];
  }
}
