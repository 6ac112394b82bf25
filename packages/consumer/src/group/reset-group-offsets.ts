import { ErrorCodes, InvalidArgumentError, isValidTopic, quote, TributaryError, type EventOffset, type Position } from '@tributary/core';
import { fromPartitionKey, KafkaAdmin, KafkaClient, type KafkaConnectionOptions, type TopicPartition } from '@tributary/kafka';
import { parseStartPosition, positionTargets, type OutOfRangePolicy, type StartPosition } from '../positions/start-position.js';

/** What {@link resetGroupOffsets} is asked to do. */
export interface ResetGroupOffsetsOptions extends Partial<KafkaConnectionOptions> {
  /** A Kafka client to use instead of `brokers` and the other connection options. */
  client?: KafkaClient;
  groupId: string;
  /** The topics whose commits move. */
  topics: string[];
  /**
   * Where the group goes: 'earliest', 'latest' (every partition of every topic), a time (every partition: the
   * first record at or after it), or a Position / EventOffset (the partitions it names).
   */
  to: StartPosition | EventOffset | Position;
  /** A position outside a partition's range: 'fail' (default), or the nearer end's 'earliest' / 'latest'. */
  onOutOfRange?: OutOfRangePolicy;
}

/**
 * Move a whole consumer group's commits, as `kafka-consumer-groups --reset-offsets --execute` does: only while
 * the group has no active member, checked by the coordinator in the same step as the write, so no running member
 * can overwrite the new commits or be moved under its handlers. Stop the group's members first.
 * @returns the commits written (the next offset each partition reads).
 * @throws TributaryError GROUP_ACTIVE when the group has members (nothing is changed); OffsetOutOfRangeError for a
 *   position outside a partition (policy 'fail'); InvalidArgumentError for a bad option; CONNECTION.
 */
export async function resetGroupOffsets(options: ResetGroupOffsetsOptions): Promise<Array<TopicPartition & { offset: bigint }>> {
  const { groupId, topics } = options;
  if (typeof groupId !== 'string' || groupId.trim() === '') throw new InvalidArgumentError(`groupId must be a non-empty string, got ${quote(groupId)}`, { option: 'groupId', value: groupId });
  if (!Array.isArray(topics) || topics.length === 0 || !topics.every(isValidTopic)) {
    throw new InvalidArgumentError(`topics must be a non-empty array of topic names, got ${quote(topics)}`, { option: 'topics', value: topics });
  }
  const parsed = parseStartPosition(options.to as StartPosition, 'to', topics);
  const client = options.client ?? new KafkaClient(options as KafkaConnectionOptions, { clientId: 'tributary-admin' });
  await using admin = new KafkaAdmin(client);
  const targets = await positionTargets(parsed, topics, admin, options.onOutOfRange ?? 'fail');
  const offsets = [...targets].map(([key, offset]) => ({ ...fromPartitionKey(key), offset }));
  if (offsets.length === 0) return [];
  if (!(await admin.setEmptyGroupOffsets(groupId, offsets))) {
    const members = await admin.describeGroup(groupId).then((g) => g.members.length, () => undefined);
    throw new TributaryError(ErrorCodes.GROUP_ACTIVE, `Group "${groupId}" has ${members ?? 'some'} active member(s): its offsets can be reset only while it has none (stop its members first)`, {
      context: { groupId, members },
    });
  }
  return offsets;
}
