/**
 * Kafka's OffsetCommit request and response, version 7 (Kafka 2.3 and later, also accepted by 4.x): a group
 * member's commit with the leader epoch of the last record consumed before each offset (KIP-320), which kafkajs'
 * own OffsetCommit (v5 at most) cannot send. A member that starts from the commit gives the epoch to its reader,
 * which checks the position against the leader's log before reading: records lost to an unclean leader
 * election are then reported (LOG_TRUNCATED), not silently skipped.
 *
 * Layouts from Kafka's clients/src/main/resources/common/message/OffsetCommitRequest.json and
 * OffsetCommitResponse.json (version 7 is not flexible):
 * - request: GroupId, GenerationId (int32), MemberId, GroupInstanceId (v7+, nullable string), Topics [Name,
 *   Partitions [PartitionIndex (int32), CommittedOffset (int64), CommittedLeaderEpoch (int32, v6+; -1 unknown),
 *   CommittedMetadata (nullable string)]];
 * - response: ThrottleTimeMs (int32), Topics [Name, Partitions [PartitionIndex, ErrorCode (int16)]].
 */
import { BodyReader, Writer } from './wire.js';

export const OFFSET_COMMIT_API_KEY = 8;
export const OFFSET_COMMIT_VERSION = 7;

export interface OffsetCommitPartition {
  readonly topic: string;
  readonly partition: number;
  /** The next offset the group reads. */
  readonly offset: bigint;
  /** The leader epoch of the record before `offset`; -1 when unknown. */
  readonly leaderEpoch: number;
  readonly metadata: string | null;
}

export interface OffsetCommitRequest {
  readonly groupId: string;
  /** The member's generation: the coordinator refuses a commit of an older one (ILLEGAL_GENERATION). */
  readonly generationId: number;
  readonly memberId: string;
  /** Static membership's instance id (KIP-345); null for a dynamic member. */
  readonly groupInstanceId: string | null;
  readonly partitions: readonly OffsetCommitPartition[];
}

export interface OffsetCommitResponse {
  readonly throttleTimeMs: number;
  readonly partitions: ReadonlyArray<{ readonly topic: string; readonly partition: number; readonly errorCode: number }>;
}

/** The request body. Partitions grouped by topic, in first-seen order. */
export function encodeOffsetCommitRequest(request: OffsetCommitRequest): Buffer {
  const w = new Writer();
  w.string(request.groupId);
  w.int32(request.generationId);
  w.string(request.memberId);
  w.nullableString(request.groupInstanceId);
  w.partitionsByTopic(request.partitions, (p) => {
    w.int32(p.partition);
    w.int64(p.offset);
    w.int32(p.leaderEpoch);
    w.nullableString(p.metadata);
  });
  return w.done();
}

/** Decode an OffsetCommit v7 response body (what follows the correlation id). */
export function decodeOffsetCommitResponse(body: Buffer): OffsetCommitResponse {
  const r = new BodyReader(body, 'offset-commit response');
  const throttleTimeMs = r.int32();
  const partitions: Array<{ topic: string; partition: number; errorCode: number }> = [];
  r.partitionsByTopic((topic) => partitions.push({ topic, partition: r.int32(), errorCode: r.int16() }));
  return { throttleTimeMs, partitions };
}
