import { inject } from 'vitest';
import { EventOffset, type StoredRecord } from '@tributary/core';
import { describeProducerPluginConformance } from '@tributary/core/testing';
import { createTopics } from '@tributary/test-kit';
import { readToEnd } from '@tributary/kafka';
import { KafkaProducerPlugin } from '../../src/kafka/kafka-producer-plugin.js';

const brokers = inject('kafkaBrokers');

async function readBack(topic: string): Promise<StoredRecord[]> {
  const records = await readToEnd({ brokers }, topic);
  return records.map((r) => ({
    offset: EventOffset.of(r.topic, r.partition, r.offset),
    record: { key: r.key, value: r.value ?? Buffer.alloc(0), headers: r.headers, timestamp: r.timestamp },
  }));
}

describeProducerPluginConformance(
  'kafka',
  async ({ settings, partitions, topic }) => {
    await createTopics(brokers, [{ topic, numPartitions: partitions }]);
    return { plugin: new KafkaProducerPlugin({ ...settings, brokers }), readBack };
  },
  { timeoutMs: 60_000 },
);
