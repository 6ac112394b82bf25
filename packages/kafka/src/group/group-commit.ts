/**
 * A group member's commits as OffsetCommit v7, with the leader epoch of the last record consumed before each
 * offset (KIP-320): what Kafka's Java consumer commits, so a member that starts from the commit (Tributary's or
 * Java's) can check its position against the leader's log. kafkajs keeps the membership (generation, member id)
 * and hands each commit here (see createCommittingConsumer).
 */
import { brokerSupports, kafkaProtocolError, sendRawRequest, type InternalBroker, type InternalOffsetCommit } from '../internal/kafkajs-internals.js';
import { decodeOffsetCommitResponse, encodeOffsetCommitRequest, OFFSET_COMMIT_API_KEY, OFFSET_COMMIT_VERSION } from '../protocol/offset-commit-protocol.js';
import { partitionKey, type TopicPartition } from '../admin/topic-partition.js';

/** An offset to commit, with the leader epoch of the record before it when known. */
export type OffsetWithEpoch = TopicPartition & { readonly offset: bigint; readonly leaderEpoch?: number };

/** The leader epochs of the offsets a member commits, by partition, for the commit under way. */
export class CommitEpochs {
  #byPartition = new Map<string, { offset: bigint; leaderEpoch: number }>();

  /** The offsets about to be committed: their epochs replace those of earlier commits. */
  set(offsets: readonly OffsetWithEpoch[]): void {
    this.#byPartition = new Map();
    for (const o of offsets) if (o.leaderEpoch !== undefined && o.leaderEpoch >= 0) this.#byPartition.set(partitionKey(o.topic, o.partition), { offset: o.offset, leaderEpoch: o.leaderEpoch });
  }

  /** The epoch to commit `offset` of the partition with: -1 (unknown) unless it was given for that very offset. */
  of(topic: string, partition: number, offset: bigint): number {
    const known = this.#byPartition.get(partitionKey(topic, partition));
    return known !== undefined && known.offset === offset ? known.leaderEpoch : -1;
  }
}

/**
 * Send kafkajs' commit as OffsetCommit v7 with the epochs known for its offsets, or as kafkajs would (v5, no
 * epoch) to a broker older than Kafka 2.3.
 * @throws kafkajs' protocol error for the first partition the coordinator refused, as kafkajs' own request
 *   does (kafkajs rejoins on REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID; refreshes its
 *   coordinator on NOT_COORDINATOR), or a connection error.
 */
export async function sendOffsetCommit(broker: InternalBroker, request: InternalOffsetCommit, epochs: CommitEpochs, kafkajsCommit: () => Promise<unknown>): Promise<unknown> {
  if (!brokerSupports(broker, OFFSET_COMMIT_API_KEY, OFFSET_COMMIT_VERSION)) return kafkajsCommit();
  const partitions = request.topics.flatMap(({ topic, partitions }) =>
    partitions.map((p) => {
      // kafkajs passes offsets as its Long, or as text: both print as decimal.
      const offset = BigInt(String(p.offset));
      return { topic, partition: p.partition, offset, leaderEpoch: epochs.of(topic, p.partition, offset), metadata: p.metadata ?? null };
    }),
  );
  const body = encodeOffsetCommitRequest({ groupId: request.groupId, generationId: request.groupGenerationId, memberId: request.memberId, groupInstanceId: null, partitions });
  const response = await sendRawRequest(broker, { apiKey: OFFSET_COMMIT_API_KEY, apiVersion: OFFSET_COMMIT_VERSION, apiName: 'OffsetCommit', body, decode: decodeOffsetCommitResponse });
  const refused = response.partitions.find((p) => p.errorCode !== 0);
  if (refused) throw kafkaProtocolError(refused.errorCode);
  return response;
}
