import { describe, expect, inject, it } from 'vitest';
import { createTopics, randomGroup, randomTopic, testClient } from '@tributary/test-kit';
import { KafkaAdmin } from '../../src/admin/kafka-admin.js';
import { testKafka } from '../support/kafkajs.js';

const brokers = inject('kafkaBrokers');

describe('KafkaAdmin.listGroups', () => {
  it('lists a group with a member as Stable, a group holding only commits as Empty, each once and in order', async () => {
    const topic = randomTopic('list-groups');
    await createTopics(brokers, [{ topic, numPartitions: 1 }]);
    const active = randomGroup('list-active');
    const committed = randomGroup('list-committed');
    const never = randomGroup('list-never');

    // A group only an admin wrote commits for: no member, no protocol.
    const kafkajsAdmin = testKafka(brokers).admin();
    await kafkajsAdmin.connect();
    await kafkajsAdmin.setOffsets({ groupId: committed, topic, partitions: [{ partition: 0, offset: '0' }] });
    await kafkajsAdmin.disconnect();

    // A consumer group with one running member, written by another client (kafkajs).
    const consumer = testKafka(brokers).consumer({ groupId: active });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({ eachMessage: async () => {} });
    await joined;

    await using admin = new KafkaAdmin(testClient(brokers));
    try {
      const groups = await admin.listGroups();
      const ids = groups.map((g) => g.groupId);
      expect(ids).toEqual([...ids].sort());
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).not.toContain(never);
      expect(groups.find((g) => g.groupId === active)).toEqual({ groupId: active, state: 'Stable', protocolType: 'consumer', members: 1 });
      // Kafka 3.9 names a group that only ever held commits a consumer group; older brokers leave the type empty.
      expect(groups.find((g) => g.groupId === committed)).toMatchObject({ groupId: committed, state: 'Empty', members: 0 });

      await consumer.disconnect();
      // The member left: the same group is now Empty, still a consumer group.
      expect((await admin.listGroups()).find((g) => g.groupId === active)).toEqual({ groupId: active, state: 'Empty', protocolType: 'consumer', members: 0 });
    } finally {
      await consumer.disconnect();
    }
  });
});
