import { Kafka, logLevel, type Admin } from 'kafkajs';
import { KafkaRuntimeError } from '../errors.js';

const PROBE_TOPIC = '__tributary_probe';

/**
 * Confirm readiness from a client's view: the cluster describes itself with `brokerCount` brokers and a
 * controller, and a probe topic replicated to every broker gets leaders.
 */
export async function waitForClusterReady(brokers: string[], brokerCount: number, timeoutMs: number): Promise<void> {
  const kafka = new Kafka({ clientId: 'tributary-readiness', brokers, logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const admin = kafka.admin();
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  try {
    while (Date.now() < deadline) {
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === brokerCount && cluster.controller !== null) {
          const topics = await admin.listTopics();
          if (!topics.includes(PROBE_TOPIC)) {
            await admin.createTopics({ waitForLeaders: false, topics: [{ topic: PROBE_TOPIC, numPartitions: 1, replicationFactor: brokerCount }] });
          }
          await waitForLeaders(admin, [PROBE_TOPIC], Math.max(1, deadline - Date.now()));
          return;
        }
      } catch (error) {
        last = error;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await admin.disconnect().catch(() => {});
  }
  throw new KafkaRuntimeError('not-ready', `The Kafka cluster at ${brokers.join(',')} was not ready within ${timeoutMs} ms (expected ${brokerCount} broker(s) and a controller)`, { brokers }, last);
}


/**
 * Wait until every partition of `topics` has a leader. Right after a topic is created some brokers answer
 * "does not host this topic-partition" for a moment: that is retried. (The test kit sits below the producer
 * plugins, whose ensureTopics does the same for users, so it keeps its own copy.)
 */
export async function waitForLeaders(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics });
      if (meta.topics.length === topics.length && meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new KafkaRuntimeError('not-ready', `Topics ${topics.join(', ')} had no leader for every partition within ${timeoutMs} ms`, { topics }, last);
}
