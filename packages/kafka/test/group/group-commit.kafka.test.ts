import { describe, expect, inject, it } from 'vitest';
import { createTopics, randomGroup, randomTopic, testClient, waitFor } from '@tributary/test-kit';
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
      [partitionKey(topic, 0)]: { offset: 9n, leaderEpoch: 6, metadata: '' },
      [partitionKey(topic, 1)]: { offset: 5n, leaderEpoch: -1, metadata: '' },
      [partitionKey(topic, 2)]: { offset: 2n ** 40n, leaderEpoch: 0, metadata: '' },
    });
    // The offsets alone, as lag and group positions read them.
    expect(Object.fromEntries(await admin.groupOffsets(groupId, [topic]))).toEqual({ [partitionKey(topic, 0)]: 9n, [partitionKey(topic, 1)]: 5n, [partitionKey(topic, 2)]: 2n ** 40n });
    // A partition the group never committed is absent.
    expect(await admin.groupCommits(randomGroup('none'), partitions)).toEqual(new Map());
  });

  it('fail with COMMIT_FAILED when kafkajs would not send them (its client joining, not running), never resolving as if made', async () => {
    const topic = randomTopic('commit-unsent');
    await createTopics(brokers, [{ topic, numPartitions: 1 }]);
    const client = testClient(brokers);
    const groupId = randomGroup('commit-unsent');
    const member = new GroupMembership(client, { groupId, topics: [topic], sessionTimeoutMs: 6000, rebalanceTimeoutMs: 10_000, heartbeatIntervalMs: 500 });
    try {
      await member.connect();
      // While the member joins (its coordinator lookup is the first sign), kafkajs' runner exists but is not
      // running, and returns from a commit without sending it: as between a crash of its client and the restart.
      let beating = false;
      const error = await new Promise<unknown>((resolve, reject) => {
        let asked = false;
        const rebalancing = () => {
          if (asked) return;
          asked = true;
          member.commit([{ topic, partition: 0, offset: 3n }]).then(() => resolve('resolved'), resolve);
        };
        void member.join({ joined: () => {}, rebalancing, heartbeat: () => void (beating = true), crashed: (e, restart) => void (restart ? undefined : reject(e)) }).catch(reject);
      });
      expect(error).toMatchObject({ code: 'COMMIT_FAILED', retriable: true, context: { groupId } });
      // Running once it beats: the same commit goes through.
      await waitFor('a heartbeat', async () => (beating ? true : undefined), 30_000);
      await member.commit([{ topic, partition: 0, offset: 4n }]);
    } finally {
      await member.leave();
    }
    await using admin = new KafkaAdmin(client);
    expect(Object.fromEntries(await admin.groupOffsets(groupId, [topic]))).toEqual({ [partitionKey(topic, 0)]: 4n });
  });
});
