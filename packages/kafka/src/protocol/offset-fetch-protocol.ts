/**
 * Kafka's OffsetFetch request and response, version 5 (Kafka 2.1 and later, also accepted by 4.x): a group's
 * commits with the leader epoch each was committed with (KIP-320), which kafkajs' OffsetFetch (v4 at most)
 * leaves out. A member starting from a commit gives that epoch to its reader, so the position is checked against
 * the leader's log first.
 *
 * Layouts from Kafka's clients/src/main/resources/common/message/OffsetFetchRequest.json and
 * OffsetFetchResponse.json (version 5 is not flexible):
 * - request: GroupId, Topics (nullable: all) [Name, PartitionIndexes [int32]];
 * - response: ThrottleTimeMs (int32), Topics [Name, Partitions [PartitionIndex, CommittedOffset (int64, -1
 *   none), CommittedLeaderEpoch (int32, v5+, -1 unknown), Metadata (nullable string), ErrorCode (int16)]],
 *   ErrorCode (int16: the group's, v2+).
 */
import { BodyReader, Writer } from './wire.js';

export const OFFSET_FETCH_API_KEY = 9;
export const OFFSET_FETCH_VERSION = 5;

export interface CommittedOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset the group reads; -1 when the group has no commit for the partition. */
  readonly offset: bigint;
  /** The leader epoch the commit carried; -1 when it carried none (an older client's, or a reset's). */
  readonly leaderEpoch: number;
  readonly metadata: string | null;
  readonly errorCode: number;
}

export interface OffsetFetchResponse {
  readonly throttleTimeMs: number;
  /** The group's own error (COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR, GROUP_AUTHORIZATION_FAILED...). */
  readonly errorCode: number;
  readonly partitions: CommittedOffset[];
}

/** The request body: these partitions' commits in `groupId`. Partitions grouped by topic, in first-seen order. */
export function encodeOffsetFetchRequest(groupId: string, partitions: ReadonlyArray<{ readonly topic: string; readonly partition: number }>): Buffer {
  const w = new Writer();
  w.string(groupId);
  w.partitionsByTopic(partitions, (p) => w.int32(p.partition));
  return w.done();
}

/** Decode an OffsetFetch v5 response body (what follows the correlation id). */
export function decodeOffsetFetchResponse(body: Buffer): OffsetFetchResponse {
  const r = new BodyReader(body, 'offset-fetch response');
  const throttleTimeMs = r.int32();
  const partitions: CommittedOffset[] = [];
  r.partitionsByTopic((topic) => partitions.push({ topic, partition: r.int32(), offset: r.int64(), leaderEpoch: r.int32(), metadata: r.nullableString(), errorCode: r.int16() }));
  const errorCode = r.int16();
  return { throttleTimeMs, errorCode, partitions };
}
