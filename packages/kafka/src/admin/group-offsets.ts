import { ErrorCodes, TributaryError } from '@tributary/core';
import { brokerSupports, kafkaProtocolError, sendRawRequest } from '../internal/kafkajs-internals.js';
import type { GroupCoordinators } from './group-coordinators.js';
import { decodeOffsetFetchResponse, encodeOffsetFetchRequest, OFFSET_FETCH_API_KEY, OFFSET_FETCH_VERSION } from '../protocol/offset-fetch-protocol.js';
import { partitionKey, topicOffsets, type TopicPartition } from './topic-partition.js';

/** Broker answers meaning "the group has members (or is rebalancing)": its commits are theirs to make. */
const GROUP_ACTIVE = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS']);

/** A group's commit of one partition: the next offset to read, and the leader epoch it was committed with. */
export interface GroupCommit {
  readonly offset: bigint;
  /** The epoch of the last record consumed before `offset` (KIP-320); -1 when the commit carried none. */
  readonly leaderEpoch: number;
}

/**
 * Set the commits of a group that has no active member, as Java's `Admin.alterConsumerGroupOffsets` does: one
 * OffsetCommit request with generation -1 and no member id, which the coordinator accepts only while the group
 * is empty (Kafka's GroupCoordinator: "the group is only using Kafka to store offsets"). So the check and the
 * write are one atomic step. Resolves false, having changed nothing, when the group has members.
 */
export async function setEmptyGroupOffsets(coordinators: GroupCoordinators, groupId: string, offsets: ReadonlyArray<TopicPartition & { offset: bigint }>): Promise<boolean> {
  const topics = topicOffsets(offsets);
  return coordinators.on(groupId, async (coordinator) => {
    try {
      await coordinator.offsetCommit({ groupId, groupGenerationId: -1, memberId: '', topics });
      return true;
    } catch (error) {
      if (GROUP_ACTIVE.has((error as { type?: string }).type ?? '')) return false;
      throw error;
    }
  });
}

/**
 * A group's commits of these partitions, with the leader epoch each carries (OffsetFetch v5, which kafkajs'
 * own request predates), by partition key; partitions without a commit are absent.
 * @throws TributaryError UNSUPPORTED for a broker older than Kafka 2.1; kafkajs' protocol error for a refusal
 *   (GROUP_AUTHORIZATION_FAILED, say).
 */
export async function readGroupCommits(coordinators: GroupCoordinators, groupId: string, partitions: readonly TopicPartition[]): Promise<Map<string, GroupCommit>> {
  const out = new Map<string, GroupCommit>();
  if (partitions.length === 0) return out;
  const response = await coordinators.on(groupId, async (coordinator) => {
    if (!brokerSupports(coordinator, OFFSET_FETCH_API_KEY, OFFSET_FETCH_VERSION)) {
      throw new TributaryError(ErrorCodes.UNSUPPORTED, `The group coordinator does not accept OffsetFetch version ${OFFSET_FETCH_VERSION} (Kafka 2.1 or later)`, { retriable: false, context: { groupId } });
    }
    const body = encodeOffsetFetchRequest(groupId, partitions);
    const answer = await sendRawRequest(coordinator, { apiKey: OFFSET_FETCH_API_KEY, apiVersion: OFFSET_FETCH_VERSION, apiName: 'OffsetFetch', body, decode: decodeOffsetFetchResponse });
    const errorCode = answer.errorCode || (answer.partitions.find((p) => p.errorCode !== 0)?.errorCode ?? 0);
    if (errorCode !== 0) throw kafkaProtocolError(errorCode);
    return answer;
  });
  for (const p of response.partitions) if (p.offset >= 0n) out.set(partitionKey(p.topic, p.partition), { offset: p.offset, leaderEpoch: p.leaderEpoch });
  return out;
}
