/**
 * Kafka's TxnOffsetCommit request and response, version 3 (Kafka 2.5 and later, KIP-447): a transactional
 * producer's offsets for a consumer group, sent to the group coordinator within a transaction, with the consumer's
 * generation, member id and group instance id. The coordinator checks them as it checks a member's own commit,
 * so a zombie (a member whose partitions a rebalance gave to another) cannot commit its transaction: it gets
 * ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID or FENCED_INSTANCE_ID, and its transaction must abort. kafkajs sends
 * version 0 or 1 at most, which carry the group id alone, so any producer with the transactional id commits.
 *
 * Layouts from Kafka's clients/src/main/resources/common/message/TxnOffsetCommitRequest.json and
 * TxnOffsetCommitResponse.json (version 3 is flexible: compact strings and arrays, tagged fields):
 * - request: TransactionalId, GroupId, ProducerId (int64), ProducerEpoch (int16), GenerationId (int32), MemberId,
 *   GroupInstanceId (nullable), Topics [Name, Partitions [PartitionIndex (int32), CommittedOffset (int64),
 *   CommittedLeaderEpoch (int32; -1 unknown), CommittedMetadata (nullable)]];
 * - response: ThrottleTimeMs (int32), Topics [Name, Partitions [PartitionIndex (int32), ErrorCode (int16)]].
 */
import { byTopic } from '../admin/topic-partition.js';
import type { OffsetCommitPartition, OffsetCommitRequest, OffsetCommitResponse } from './offset-commit-protocol.js';
import { BodyReader, Writer } from './wire.js';

export const TXN_OFFSET_COMMIT_API_KEY = 28;
export const TXN_OFFSET_COMMIT_VERSION = 3;

/** The error codes by which the coordinator fences a member of an older generation (Java's CommitFailedException). */
export const GENERATION_FENCING_ERRORS: ReadonlyMap<number, string> = new Map([
  [22, 'ILLEGAL_GENERATION'],
  [25, 'UNKNOWN_MEMBER_ID'],
  [82, 'FENCED_INSTANCE_ID'],
]);

/** One offset, as a member's own commit carries it (the next offset to read, the leader epoch before it). */
export type TxnOffsetCommitPartition = OffsetCommitPartition;

/** A member's commit (its generation, member id and instance id, as OffsetCommit carries them), in a transaction. */
export interface TxnOffsetCommitRequest extends OffsetCommitRequest {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

export type TxnOffsetCommitResponse = OffsetCommitResponse;

/** The request body (flexible: the request header's tagged fields are the sender's). Partitions grouped by topic. */
export function encodeTxnOffsetCommitRequest(request: TxnOffsetCommitRequest): Buffer {
  const w = new Writer();
  w.compactString(request.transactionalId);
  w.compactString(request.groupId);
  w.int64(request.producerId);
  w.int16(request.producerEpoch);
  w.int32(request.generationId);
  w.compactString(request.memberId);
  w.compactNullableString(request.groupInstanceId);
  w.compactArray([...byTopic(request.partitions)], ([topic, list]) => {
    w.compactString(topic);
    w.compactArray(list, (p) => {
      w.int32(p.partition);
      w.int64(p.offset);
      w.int32(p.leaderEpoch);
      w.compactNullableString(p.metadata);
      w.noTaggedFields();
    });
    w.noTaggedFields();
  });
  w.noTaggedFields();
  return w.done();
}

/** Decode a TxnOffsetCommit v3 response body (what follows the response header). */
export function decodeTxnOffsetCommitResponse(body: Buffer): TxnOffsetCommitResponse {
  const r = new BodyReader(body, 'txn-offset-commit response');
  const throttleTimeMs = r.int32();
  const partitions: Array<{ topic: string; partition: number; errorCode: number }> = [];
  r.compactArray(() => {
    const topic = r.compactString();
    r.compactArray(() => {
      partitions.push({ topic, partition: r.int32(), errorCode: r.int16() });
      r.skipTaggedFields();
    });
    r.skipTaggedFields();
  });
  r.skipTaggedFields();
  return { throttleTimeMs, partitions };
}
