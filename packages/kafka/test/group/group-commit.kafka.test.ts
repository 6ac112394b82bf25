import { describe, expect, inject, it } from 'vitest';
import { createTopics, randomGroup, randomTopic, testClient } from '@tributary/test-kit';
import { KafkaAdmin } from '../../src/admin/kafka-admin.js';
import { partitionKey } from '../../src/admin/topic-partition.js';
import { GroupMembership } from '../../src/group/group-membership.js';
import { joinedAndBeating } from '../support/membership.js';

const brokers = inject('kafkaBrokers');

describe("a group member's commits", () => {
  it('carry the leader epoch given with each offset (OffsetCommit v7), read back with it (OffsetFetch v5), and by kafkajs too', async () => {
    const topic = randomTopic('commit-epochs');
    await createTopics(brokers, [{ topic, numPartitions: 3 }]);
    const client = testClient(brokers);
    const groupId = randomGroup('commit-epochs');
    const member = new GroupMembership(client, { groupId, topics: [topic], sessionTimeoutMs: 6000, rebalanceTimeoutMs: 10_000, heartbeatIntervalMs: 500 });
    try {
      await member.connect();
      await joinedAndBeating(member);
      await member.commit([
        { topic, partition: 0, offset: 7n, leaderEpoch: 4 },
        { topic, partition: 1, offset: 5n },
        { topic, partition: 2, offset: 2n ** 40n, leaderEpoch: 0 },
      ]);
      // A later commit of one partition replaces its epoch, and leaves the others' commits as they were.
      await member.commit([{ topic, partition: 0, offset: 9n, leaderEpoch: 6 }]);
    } finally {
      await member.leave();
    }
    await using admin = new KafkaAdmin(client);
    const partitions = [0, 1, 2].map((partition) => ({ topic, partition }));
    expect(Object.fromEntries(await admin.groupCommits(groupId, partitions))).toEqual({
      [partitionKey(topic, 0)]: { offset: 9n, leaderEpoch: 6 },
      [partitionKey(topic, 1)]: { offset: 5n, leaderEpoch: -1 },
      [partitionKey(topic, 2)]: { offset: 2n ** 40n, leaderEpoch: 0 },
    });
    // kafkajs' own OffsetFetch (v4) reads the same offsets.
    expect(Object.fromEntries(await admin.groupOffsets(groupId, [topic]))).toEqual({ [partitionKey(topic, 0)]: 9n, [partitionKey(topic, 1)]: 5n, [partitionKey(topic, 2)]: 2n ** 40n });
    // A partition the group never committed is absent.
    expect(await admin.groupCommits(randomGroup('none'), partitions)).toEqual(new Map());
  });
});
