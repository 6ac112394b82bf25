import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type ITopicConfig } from 'kafkajs';
import { waitForLeaders } from './internal/readiness.js';

/** A topic name no other test uses: `<prefix>-<random>`. */
export function randomTopic(prefix = 'test'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** A consumer group id no other test uses. */
export function randomGroup(prefix = 'group'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** A kafkajs client for tests: quiet logs, short retries. */
export function testKafka(brokers: string[], clientId = 'tributary-test'): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
}

/** Create topics and wait until every partition has a leader. */
export async function createTopics(brokers: string[], topics: ITopicConfig[], timeoutMs = 30_000): Promise<void> {
  const admin = testKafka(brokers, 'tributary-test-admin').admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics, waitForLeaders: false });
    await waitForLeaders(admin, topics.map((t) => t.topic), timeoutMs);
  } finally {
    await admin.disconnect();
  }
}
