import { randomBytes } from 'node:crypto';
import { KafkaAdmin, KafkaClient, silentLogger } from '@tributary/kafka';

/** A topic name no other test uses: `<prefix>-<random>`. */
export function randomTopic(prefix = 'test'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** A consumer group id no other test uses. */
export function randomGroup(prefix = 'group'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** A topic to create for a test (the shape Kafka's CreateTopics request takes). */
export interface TestTopic {
  topic: string;
  /** Default 1. */
  numPartitions?: number;
  /** Default: the cluster's (3 on three nodes, with min.insync.replicas 2; else 1). */
  replicationFactor?: number;
  configEntries?: Array<{ name: string; value: string }>;
}

/** A Kafka client for tests: quiet, short retries. */
export function testClient(brokers: string[], clientId = 'tributary-test'): KafkaClient {
  return new KafkaClient({ brokers, clientId, retries: 5, logger: silentLogger });
}

/**
 * Create topics and wait until every partition has a leader. Unless a topic's `configEntries` say otherwise,
 * it keeps its records whatever their age (`retention.ms=-1`): tests write events with fixed past timestamps,
 * and a broker's time retention (7 days by default, checked every few minutes) would otherwise delete them
 * in the middle of a test.
 */
export async function createTopics(brokers: string[], topics: TestTopic[], timeoutMs = 30_000): Promise<void> {
  await using admin = new KafkaAdmin(testClient(brokers, 'tributary-test-admin'));
  await admin.ensureTopics(
    topics.map(keepingOldRecords).map((t) => ({
      topic: t.topic,
      partitions: t.numPartitions ?? 1,
      ...(t.replicationFactor === undefined ? {} : { replicationFactor: t.replicationFactor }),
      configs: Object.fromEntries((t.configEntries ?? []).map((e) => [e.name, e.value])),
    })),
    timeoutMs,
  );
}

function keepingOldRecords(topic: TestTopic): TestTopic {
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
