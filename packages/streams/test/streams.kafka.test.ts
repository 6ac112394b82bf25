import { inject } from 'vitest';
import { KafkaClient, KafkaLogTransport, silentLogger } from '@tributary/kafka';
import { randomTopic } from '@tributary/test-kit';
import { ensureStreamTopics } from '@tributary/streams';
import { streamBehaviour } from './support/stream-behaviour.js';

const brokers = inject('kafkaBrokers');

streamBehaviour('kafka', async () => {
  const prefix = randomTopic('streams');
  await ensureStreamTopics({ brokers }, { prefix, partitions: 4 });
  return { transport: new KafkaLogTransport(new KafkaClient({ brokers, logger: silentLogger })), prefix };
});
