import { Kafka, logLevel, type ITopicConfig } from 'kafkajs';

/**
 * A plain kafkajs client for the Kafka layer's own tests: an independent writer (transactions, explicit replica
 * assignments) and a way to check what the layer sends against what kafkajs sees. Only this package's tests use
 * it; every other package reaches Kafka through the layer.
 */
export function testKafka(brokers: string[], clientId = 'tributary-kafka-test'): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
}

/** Create topics exactly as given (replica assignments included) and wait until each partition has a leader. */
export async function createTopicsAsGiven(brokers: string[], topics: ITopicConfig[]): Promise<void> {
  const admin = testKafka(brokers).admin();
  await admin.connect();
  try {
    // kafkajs' own wait fails on a fresh multi-node topic ("does not host this topic-partition"): poll instead.
    await admin.createTopics({ topics, waitForLeaders: false });
    const names = topics.map((t) => t.topic);
    for (const deadline = Date.now() + 30_000; ; ) {
      const meta = await admin.fetchTopicMetadata({ topics: names }).catch(() => undefined);
      if (meta?.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      if (Date.now() > deadline) throw new Error(`topics ${names.join(', ')} got no leaders in 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
}
