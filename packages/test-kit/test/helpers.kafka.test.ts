import { describe, expect, inject, it } from 'vitest';
import { createTopics, randomTopic, testKafka } from '../src/helpers.js';

const brokers = inject('kafkaBrokers');

async function retentionOf(topic: string): Promise<string | undefined> {
  const admin = testKafka(brokers).admin();
  await admin.connect();
  try {
    const configs = await admin.describeConfigs({ resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }], includeSynonyms: false });
    return configs.resources[0]!.configEntries.find((e) => e.configName === 'retention.ms')?.configValue;
  } finally {
    await admin.disconnect();
  }
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
