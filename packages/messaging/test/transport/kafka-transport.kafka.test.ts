import { describe, inject } from 'vitest';
import { KafkaClient, silentLogger } from '@tributary/kafka';
import { createTopics, randomTopic } from '@tributary/test-kit';
import { KafkaTransport } from '@tributary/messaging';
import { transportConformance } from './transport-conformance.js';

const brokers = inject('kafkaBrokers');

describe('KafkaTransport', () => {
  transportConformance('kafka', async () => ({
    transport: new KafkaTransport(new KafkaClient({ brokers, logger: silentLogger })),
    topic: async (partitions) => {
      const topic = randomTopic('transport');
      await createTopics(brokers, [{ topic, numPartitions: partitions }]);
      return topic;
    },
  }));
});
