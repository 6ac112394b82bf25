/**
 * Vitest helpers: a Kafka cluster of its own for one test file.
 *
 * @module @tributary/test-kit/vitest
 */
import { afterAll, beforeAll } from 'vitest';
import { startKafkaCluster, type KafkaCluster, type KafkaClusterOptions } from '../runtime/cluster.js';

/**
 * A cluster of its own for one test file (three nodes for fault tests, say): started before the file's first
 * test, stopped after its last. Returns a getter, since the cluster exists only once `beforeAll` has run.
 */
export function useKafkaCluster(options: KafkaClusterOptions, startTimeoutMs = 180_000): () => KafkaCluster {
  let cluster: KafkaCluster | undefined;
  beforeAll(async () => {
    cluster = await startKafkaCluster(options);
  }, startTimeoutMs);
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => {
    if (!cluster) throw new Error('the cluster is started in beforeAll: use it inside a test');
    return cluster;
  };
}
