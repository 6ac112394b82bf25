import { KafkaAdmin, KafkaClient, silentLogger } from '@tributary/kafka';
import { KafkaRuntimeError } from '../errors.js';

const PROBE_TOPIC = '__tributary_probe';

/**
 * Confirm readiness from a client's view: the cluster describes itself with `brokerCount` brokers and a
 * controller, and a probe topic replicated to every broker gets leaders.
 */
export async function waitForClusterReady(brokers: string[], brokerCount: number, timeoutMs: number): Promise<void> {
  const client = new KafkaClient({ brokers, clientId: 'tributary-readiness', retries: 2, logger: silentLogger });
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    // A fresh admin each round: one whose first connection failed (the broker not listening yet) starts over.
    const admin = new KafkaAdmin(client);
    try {
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length === brokerCount && cluster.controller !== null) {
        await admin.ensureTopics([{ topic: PROBE_TOPIC, partitions: 1, replicationFactor: brokerCount }], Math.max(1, deadline - Date.now()));
        return;
      }
    } catch (error) {
      last = error;
    } finally {
      await admin.close().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new KafkaRuntimeError('not-ready', `The Kafka cluster at ${brokers.join(',')} was not ready within ${timeoutMs} ms (expected ${brokerCount} broker(s) and a controller)`, { brokers }, last);
}
