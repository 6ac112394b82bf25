import { describe, expect, inject, it } from 'vitest';
import { KafkaAdmin } from '@tributary/kafka';
import { createTopics, randomTopic, testClient } from '../src/helpers.js';

const brokers = inject('kafkaBrokers');

async function retentionOf(topic: string): Promise<string | undefined> {
  await using admin = new KafkaAdmin(testClient(brokers));
  return (await admin.topicConfig(topic, ['retention.ms']))['retention.ms'];
}

describe('createTopics', () => {
  it('makes topics that keep records of any age, unless the caller sets a retention', async () => {
    const kept = randomTopic('kept');
    const timed = randomTopic('timed');
    await createTopics(brokers, [
      { topic: kept, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] },
      { topic: timed, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
    ]);
    expect(await retentionOf(kept)).toBe('-1');
    expect(await retentionOf(timed)).toBe('3600000');
  });
});
