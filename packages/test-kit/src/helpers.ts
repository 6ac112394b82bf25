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

/**
 * Create topics and wait until every partition has a leader. Unless a topic's `configEntries` say otherwise,
 * it keeps its records whatever their age (`retention.ms=-1`): tests write events with fixed past timestamps,
 * and a broker's time retention (7 days by default, checked every few minutes) would otherwise delete them
 * in the middle of a test.
 */
export async function createTopics(brokers: string[], topics: ITopicConfig[], timeoutMs = 30_000): Promise<void> {
  const admin = testKafka(brokers, 'tributary-test-admin').admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map(keepingOldRecords), waitForLeaders: false });
    await waitForLeaders(admin, topics.map((t) => t.topic), timeoutMs);
  } finally {
    await admin.disconnect();
  }
}

function keepingOldRecords(topic: ITopicConfig): ITopicConfig {
  const entries = topic.configEntries ?? [];
  return entries.some((e) => e.name === 'retention.ms') ? topic : { ...topic, configEntries: [...entries, { name: 'retention.ms', value: '-1' }] };
}

/**
 * Poll `probe` every 250 ms until it gives a value (not undefined) and return it. A probe that throws counts as
 * not yet (the cluster may be between states); its last error is named if time runs out.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
}

/** Read the first `count` record values of `topic` as text, from the beginning, in a fresh consumer group. */
export async function consumeValues(kafka: Kafka, topic: string, count: number, timeoutMs = 60_000): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: randomGroup() });
  await consumer.connect();
  const values: string[] = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${values.length} of ${count} records of ${topic} in ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString() ?? '');
          if (values.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}
