/**
 * Kafka's OffsetForLeaderEpoch request and response, version 3 (Kafka 2.3 and later, also accepted by 4.x):
 * how a consumer checks, after a leader change, that the log it read still holds what it read (KIP-320). It
 * asks the leader where the epoch of its last consumed record ends; an end below its position means the log
 * was truncated under it (an unclean leader election).
 *
 * Layouts from Kafka's clients/src/main/resources/common/message/OffsetForLeaderEpochRequest.json and
 * OffsetForLeaderEpochResponse.json (version 3 is not flexible):
 * - request: ReplicaId (int32, v3+; -1 for a consumer), Topics [Topic, Partitions [Partition,
 *   CurrentLeaderEpoch (v2+), LeaderEpoch]];
 * - response: ThrottleTimeMs (v2+), Topics [Topic, Partitions [ErrorCode, Partition, LeaderEpoch (v1+),
 *   EndOffset]].
 */
import { BodyReader, Writer } from './wire.js';

export const OFFSET_FOR_LEADER_EPOCH_API_KEY = 23;
export const OFFSET_FOR_LEADER_EPOCH_VERSION = 3;

export interface EpochEndRequest {
  readonly topic: string;
  readonly partition: number;
  /** The leader epoch the asker believes current: fenced (FENCED_LEADER_EPOCH) when older than the leader's. */
  readonly currentLeaderEpoch: number;
  /** The epoch whose end offset is asked for: that of the last record consumed. */
  readonly leaderEpoch: number;
}

export interface EpochEnd {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  /**
   * The largest epoch the leader has at or below the one asked for (the one asked for unless the leader never
   * had it); -1 when the leader has none that old (its log starts later).
   */
  readonly leaderEpoch: number;
  /**
   * The first offset past that epoch in the leader's log: where the next epoch starts, or the log end offset
   * when it is the leader's current epoch; -1 with leaderEpoch -1.
   */
  readonly endOffset: bigint;
}

export interface OffsetForLeaderEpochResponse {
  readonly throttleTimeMs: number;
  readonly partitions: EpochEnd[];
}

/** The request body, as a consumer asks (replica id -1). Partitions of one topic are grouped, in first-seen order. */
export function encodeOffsetForLeaderEpochRequest(partitions: readonly EpochEndRequest[]): Buffer {
  const w = new Writer();
  w.int32(-1); // replica id: a consumer, which may not see past the high watermark
  w.partitionsByTopic(partitions, (p) => {
    w.int32(p.partition);
    w.int32(p.currentLeaderEpoch);
    w.int32(p.leaderEpoch);
  });
  return w.done();
}

/** Decode an OffsetForLeaderEpoch v3 response body (what follows the correlation id). */
export function decodeOffsetForLeaderEpochResponse(body: Buffer): OffsetForLeaderEpochResponse {
  const r = new BodyReader(body, 'offset-for-leader-epoch response');
  const throttleTimeMs = r.int32();
  const partitions: EpochEnd[] = [];
  r.partitionsByTopic((topic) => {
    const errorCode = r.int16();
    const partition = r.int32();
    const leaderEpoch = r.int32();
    const endOffset = r.int64();
    partitions.push({ topic, partition, errorCode, leaderEpoch, endOffset });
  });
  return { throttleTimeMs, partitions };
}
