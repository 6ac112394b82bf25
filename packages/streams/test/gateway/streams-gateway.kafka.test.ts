import { inject } from 'vitest';
import { KafkaClient, KafkaLogTransport, silentLogger } from '@tributary/kafka';
import { randomTopic } from '@tributary/test-kit';
import { createStreams, ensureStreamTopics } from '@tributary/streams';
import { gatewaySuite } from './support/gateway-suite.js';

const brokers = inject('kafkaBrokers');

gatewaySuite(
  'Streams hub on Kafka',
  async () => {
    const prefix = randomTopic('gateway');
    await ensureStreamTopics({ brokers }, { prefix, partitions: 2 });
    const hub = createStreams({ transport: new KafkaLogTransport(new KafkaClient({ brokers, logger: silentLogger })), prefix, logger: silentLogger });
    return { service: hub, cleanup: () => hub.closeHub() };
  },
  { timeoutMs: 60_000 },
);
