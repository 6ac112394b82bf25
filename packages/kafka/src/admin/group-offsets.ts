import type { Kafka } from 'kafkajs';
import { createInternalCluster } from '../internal/kafkajs-internals.js';
import { topicOffsets, type TopicPartition } from './topic-partition.js';

/** Broker answers meaning "the group has members (or is rebalancing)": its commits are theirs to make. */
const GROUP_ACTIVE = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS']);
const COORDINATOR_MOVING = new Set(['NOT_COORDINATOR_FOR_GROUP', 'GROUP_LOAD_IN_PROGRESS', 'GROUP_COORDINATOR_NOT_AVAILABLE']);

/**
 * Set the commits of a group that has no active member, as Java's `Admin.alterConsumerGroupOffsets` does: one
 * OffsetCommit request with generation -1 and no member id, which the coordinator accepts only while the group
 * is empty (Kafka's GroupCoordinator: "the group is only using Kafka to store offsets"). So the check and the
 * write are one atomic step. Resolves false, having changed nothing, when the group has members.
 */
export async function setEmptyGroupOffsets(kafka: Kafka, groupId: string, offsets: ReadonlyArray<TopicPartition & { offset: bigint }>): Promise<boolean> {
  const topics = topicOffsets(offsets);
  const cluster = createInternalCluster(kafka);
  await cluster.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const coordinator = await cluster.findGroupCoordinator({ groupId });
        await coordinator.offsetCommit({ groupId, groupGenerationId: -1, memberId: '', topics });
        return true;
      } catch (error) {
        const type = (error as { type?: string }).type ?? '';
        if (GROUP_ACTIVE.has(type)) return false;
        // The coordinator moved or is still loading the group (right after a broker start): find it again.
        if (!COORDINATOR_MOVING.has(type) || attempt >= 10) throw error;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  } finally {
    await cluster.disconnect();
  }
}
