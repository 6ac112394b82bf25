/**
 * Kafka's OffsetFetch request and response, versions 5 (Kafka 2.1 and later, also accepted by 4.x) and 7 (Kafka
 * 2.5 and later): a group's commits with the leader epoch each was committed with (KIP-320), which kafkajs'
 * OffsetFetch (v4 at most) leaves out. A member starting from a commit gives that epoch to its reader, so the
 * position is checked against the leader's log first. Version 7 adds `RequireStable` (KIP-447): with it, the
 * coordinator answers UNSTABLE_OFFSET_COMMIT (88, retriable) for a partition whose offsets a transaction still
 * holds pending, instead of the commit made before that transaction.
 *
 * Layouts from Kafka's clients/src/main/resources/common/message/OffsetFetchRequest.json and
 * OffsetFetchResponse.json (version 5 is not flexible; version 6 is the first flexible one: compact strings and
 * arrays, each structure ending with its tagged fields):
 * - request: GroupId, Topics (nullable: all) [Name, PartitionIndexes [int32]], RequireStable (boolean, v7+);
 * - response: ThrottleTimeMs (int32), Topics [Name, Partitions [PartitionIndex, CommittedOffset (int64, -1
 *   none), CommittedLeaderEpoch (int32, v5+, -1 unknown), Metadata (nullable string), ErrorCode (int16)]],
 *   ErrorCode (int16: the group's, v2+).
 */
import { byTopic } from '../admin/topic-partition.js';
import { BodyReader, Writer } from './wire.js';

export const OFFSET_FETCH_API_KEY = 9;
/** The oldest version spoken: the first with the commit's leader epoch. */
export const OFFSET_FETCH_VERSION = 5;
/** The version with `RequireStable` (flexible). */
export const OFFSET_FETCH_STABLE_VERSION = 7;
/** The coordinator's answer for a partition whose offsets an open transaction holds (retriable). */
export const UNSTABLE_OFFSET_COMMIT = 88;

export type OffsetFetchVersion = typeof OFFSET_FETCH_VERSION | typeof OFFSET_FETCH_STABLE_VERSION;

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

export interface OffsetFetchOptions {
  /** Default 5. */
  readonly version?: OffsetFetchVersion;
  /** Version 7 only: answer UNSTABLE_OFFSET_COMMIT for partitions with transactional offsets pending. Default false. */
  readonly requireStable?: boolean;
}

type Partitions = ReadonlyArray<{ readonly topic: string; readonly partition: number }>;

/**
 * The request body: these partitions' commits in `groupId`. Partitions grouped by topic, in first-seen order.
 * For version 7, the body of a flexible request (the request header's tagged fields are the sender's).
 * @throws RangeError for `requireStable` with version 5, which cannot carry it.
 */
export function encodeOffsetFetchRequest(groupId: string, partitions: Partitions, options: OffsetFetchOptions = {}): Buffer {
  const { version = OFFSET_FETCH_VERSION, requireStable = false } = options;
  const w = new Writer();
  if (version === OFFSET_FETCH_VERSION) {
    if (requireStable) throw new RangeError(`OffsetFetch version ${version} cannot carry requireStable (version ${OFFSET_FETCH_STABLE_VERSION} or later expected)`);
    w.string(groupId);
    w.partitionsByTopic(partitions, (p) => w.int32(p.partition));
    return w.done();
  }
  w.compactString(groupId);
  w.compactArray([...byTopic(partitions)], ([topic, list]) => {
    w.compactString(topic);
    w.compactArray(list, (p) => w.int32(p.partition));
    w.noTaggedFields();
  });
  w.int8(requireStable ? 1 : 0);
  w.noTaggedFields();
  return w.done();
}

/** Decode an OffsetFetch response body of `version` (what follows the response header). */
export function decodeOffsetFetchResponse(body: Buffer, version: OffsetFetchVersion = OFFSET_FETCH_VERSION): OffsetFetchResponse {
  const r = new BodyReader(body, 'offset-fetch response');
  const throttleTimeMs = r.int32();
  const partitions: CommittedOffset[] = [];
  if (version === OFFSET_FETCH_VERSION) {
    r.partitionsByTopic((topic) => partitions.push({ topic, partition: r.int32(), offset: r.int64(), leaderEpoch: r.int32(), metadata: r.nullableString(), errorCode: r.int16() }));
    return { throttleTimeMs, errorCode: r.int16(), partitions };
  }
  r.compactArray(() => {
    const topic = r.compactString();
    r.compactArray(() => {
      partitions.push({ topic, partition: r.int32(), offset: r.int64(), leaderEpoch: r.int32(), metadata: r.compactNullableString(), errorCode: r.int16() });
      r.skipTaggedFields();
    });
    r.skipTaggedFields();
  });
  const errorCode = r.int16();
  r.skipTaggedFields();
  return { throttleTimeMs, errorCode, partitions };
}
