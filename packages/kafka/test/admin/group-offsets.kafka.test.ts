import { describe, expect, inject, it } from 'vitest';
import { createTopics, randomGroup, randomTopic, testClient } from '@tributary/test-kit';
import { KafkaAdmin } from '../../src/admin/kafka-admin.js';
import type { TopicPartition } from '../../src/admin/topic-partition.js';
import { partitionKey } from '../../src/admin/topic-partition.js';
import { testKafka } from '../support/kafkajs.js';

const brokers = inject('kafkaBrokers');

/** Counts the coordinator's UNSTABLE_OFFSET_COMMIT answers; `reached(n)` resolves once it gave n of them. */
function unstableAnswers() {
  let count = 0;
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  return {
    get count() {
      return count;
    },
    onUnstable: (_: readonly TopicPartition[]) => {
      count++;
      for (const w of waiting) if (count >= w.n) w.resolve();
    },
    reached: (n: number) => new Promise<void>((resolve) => (count >= n ? resolve() : waiting.push({ n, resolve }))),
  };
}

/** Whether `promise` has settled by the time the microtasks queued now have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true), () => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('reading a group\'s commits with requireStable (OffsetFetch v7, KIP-447)', () => {
  it('waits while a transaction holds offsets of the partition and resolves with them once it commits; without it, answers the old commit at once', async () => {
    const topic = randomTopic('stable');
    await createTopics(brokers, [{ topic, numPartitions: 1 }]);
    const groupId = randomGroup('stable');
    const p = { topic, partition: 0 };
    const key = partitionKey(topic, 0);
    await using admin = new KafkaAdmin(testClient(brokers));
    expect(await admin.setEmptyGroupOffsets(groupId, [{ ...p, offset: 3n }])).toBe(true);

    const producer = testKafka(brokers).producer({ transactionalId: `stable-${groupId}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const transaction = await producer.transaction();
      await transaction.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '9' }] }] });

      // Without requireStable: the commit made before the transaction.
      expect((await admin.groupCommits(groupId, [p])).get(key)?.offset).toBe(3n);

      const answers = unstableAnswers();
      const stable = admin.groupCommits(groupId, [p], { requireStable: true, onUnstable: answers.onUnstable });
      await answers.reached(3);
      expect(await settled(stable)).toBe(false);

      await transaction.commit();
      expect((await stable).get(key)?.offset).toBe(9n);
      expect(answers.count).toBeGreaterThanOrEqual(3);
    } finally {
      await producer.disconnect();
    }
  });

  it('after an abort, resolves with the commit before the transaction; past its deadline, fails TIMEOUT naming the group and partition', async () => {
    const topic = randomTopic('stable-abort');
    await createTopics(brokers, [{ topic, numPartitions: 1 }]);
    const groupId = randomGroup('stable-abort');
    const p = { topic, partition: 0 };
    await using admin = new KafkaAdmin(testClient(brokers));
    expect(await admin.setEmptyGroupOffsets(groupId, [{ ...p, offset: 4n }])).toBe(true);

    const producer = testKafka(brokers).producer({ transactionalId: `stable-abort-${groupId}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const transaction = await producer.transaction();
      await transaction.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '12' }] }] });

      const timedOut = await admin.groupCommits(groupId, [p], { requireStable: true, stableDeadlineMs: 300 }).then(() => 'resolved', (e: unknown) => e);
      expect(timedOut).toMatchObject({ code: 'TIMEOUT', retriable: true, context: { groupId, topic, partition: 0 } });

      const answers = unstableAnswers();
      const stable = admin.groupCommits(groupId, [p], { requireStable: true, onUnstable: answers.onUnstable });
      await answers.reached(2);
      expect(await settled(stable)).toBe(false);
      await transaction.abort();
      expect(Object.fromEntries(await stable)).toEqual({ [partitionKey(topic, 0)]: { offset: 4n, leaderEpoch: -1, metadata: '' } });
    } finally {
      await producer.disconnect();
    }
  });
});
