import { describe, inject } from 'vitest';
import { KafkaClient, KafkaLogTransport, silentLogger } from '@tributary/kafka';
import { createTopics, randomTopic } from '@tributary/test-kit';
import { transportConformance } from './log-transport-conformance.js';

const brokers = inject('kafkaBrokers');

describe('KafkaLogTransport', () => {
  transportConformance('kafka', async () => ({
    transport: new KafkaLogTransport(new KafkaClient({ brokers, logger: silentLogger })),
    topic: async (partitions) => {
      const topic = randomTopic('transport');
      await createTopics(brokers, [{ topic, numPartitions: partitions }]);
      return topic;
    },
  }));
});
