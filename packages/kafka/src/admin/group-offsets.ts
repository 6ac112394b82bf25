import type { Admin, Kafka } from 'kafkajs';
import { topicOffsets, type TopicPartition } from './topic-partition.js';

// kafkajs' Cluster and Broker are internal; only the calls below are relied on (kafkajs 2.2.x, which is
// unmaintained and will not change under us). The producer plugins' KafkaFetcher uses the same door.
interface KafkajsBroker {
  offsetCommit(request: { groupId: string; groupGenerationId: number; memberId: string; topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> }): Promise<unknown>;
}
interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(query: { groupId: string }): Promise<KafkajsBroker>;
}

function createCluster(kafka: Kafka): KafkajsCluster | undefined {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = symbol ? (kafka as unknown as Record<symbol, (o: object) => KafkajsCluster>)[symbol] : undefined;
  return create?.call(kafka, { allowAutoTopicCreation: false, maxInFlightRequests: null });
}

/** Broker answers meaning "the group has members (or is rebalancing)": its commits are theirs to make. */
const GROUP_ACTIVE = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS']);
const COORDINATOR_MOVING = new Set(['NOT_COORDINATOR_FOR_GROUP', 'GROUP_LOAD_IN_PROGRESS', 'GROUP_COORDINATOR_NOT_AVAILABLE']);

/**
 * Set the commits of a group that has no active member, as Java's `Admin.alterConsumerGroupOffsets` does: one
 * OffsetCommit request with generation -1 and no member id, which the coordinator accepts only while the group
 * is empty (Kafka's GroupCoordinator: "the group is only using Kafka to store offsets"). So the check and the
 * write are one atomic step. Resolves false, having changed nothing, when the group has members.
 *
 * Without kafkajs' internal cluster (another kafkajs version) it falls back on `admin.setOffsets`, which does
 * the same through a throwaway member and costs a few seconds.
 */
export async function setEmptyGroupOffsets(kafka: Kafka, admin: Admin, groupId: string, offsets: ReadonlyArray<TopicPartition & { offset: bigint }>): Promise<boolean> {
  const topics = topicOffsets(offsets);
  const cluster = createCluster(kafka);
  if (!cluster) return setOffsetsThroughAdmin(admin, groupId, topics);
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

async function setOffsetsThroughAdmin(admin: Admin, groupId: string, topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>): Promise<boolean> {
  try {
    for (const { topic, partitions } of topics) await admin.setOffsets({ groupId, topic, partitions });
    return true;
  } catch (error) {
    if (/must have no running instances/.test((error as Error).message)) return false;
    throw error;
  }
}
