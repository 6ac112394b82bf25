import { describe, expect, inject, it } from 'vitest';
import { isTributaryError } from '@tributary/core';
import { createTopics, randomTopic } from '@tributary/test-kit';
import { testKafka } from '../support/kafkajs.js';
import { ensureTopics } from '../../src/admin/ensure-topics.js';

const brokers = inject('kafkaBrokers');

describe('ensureTopics', () => {
  it('creates missing topics with their partitions and configs, and leaves existing ones alone', async () => {
    const admin = testKafka(brokers).admin();
    await admin.connect();
    try {
      const fresh = randomTopic('ensure');
      const existing = randomTopic('ensure-existing');
      await createTopics(brokers, [{ topic: existing, numPartitions: 2 }]);
      const result = await ensureTopics({ brokers }, [
        { topic: fresh, partitions: 4, configs: { 'cleanup.policy': 'compact' } },
        { topic: existing, partitions: 2 },
      ]);
      expect(result).toEqual({ created: [fresh], existing: [existing] });
      const meta = await admin.fetchTopicMetadata({ topics: [fresh] });
      expect(meta.topics[0]!.partitions).toHaveLength(4);
      const configs = await admin.describeConfigs({ resources: [{ type: 2, name: fresh, configNames: ['cleanup.policy'] }], includeSynonyms: false });
      expect(configs.resources[0]!.configEntries[0]!.configValue).toBe('compact');
      // Running it again changes nothing.
      expect(await ensureTopics({ brokers }, [{ topic: fresh, partitions: 4 }])).toEqual({ created: [], existing: [fresh] });
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses an existing topic with fewer partitions than asked, and an invalid name, naming them', async () => {
    const admin = testKafka(brokers).admin();
    await admin.connect();
    try {
      const topic = randomTopic('ensure-small');
      await createTopics(brokers, [{ topic, numPartitions: 1 }]);
      const error = await ensureTopics({ brokers }, [{ topic, partitions: 3 }]).catch((e: unknown) => e);
      expect(isTributaryError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toContain(topic);
      const bad = await ensureTopics({ brokers }, [{ topic: 'bad topic!' }]).catch((e: unknown) => e);
      expect((bad as Error).message).toContain('"bad topic!"');
    } finally {
      await admin.disconnect();
    }
  });
});
