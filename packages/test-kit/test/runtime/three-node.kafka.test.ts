import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { KafkaAdmin, readToEnd } from '@tributary/kafka';
import { createTopics, randomTopic, testClient, waitFor } from '../../src/helpers.js';
import { useKafkaCluster } from '../../src/vitest/cluster.js';
import { write } from '../support/write.js';

async function processState(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

describe('three-node cluster', () => {
  const clusterOf = useKafkaCluster({ nodes: 3 });

  it('keeps accepting acks=all writes after one broker is killed, and the broker rejoins after a restart', async () => {
    const cluster = clusterOf();
    const topic = randomTopic('durable');
    await createTopics(cluster.brokers, [{ topic, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }]);
    const client = testClient(cluster.brokers);
    await using admin = new KafkaAdmin(client);
    const acked: string[] = [];
    const sendBatch = async (from: number) => {
      const values = Array.from({ length: 50 }, (_, i) => `v-${from + i}`);
      // Retried past the cluster's broker session timeout (4 s), so the write reaches a new leader.
      await write(client, topic, values, { deliveryTimeoutMs: 30_000 });
      acked.push(...values);
    };
    await sendBatch(0);

    const leader = (await admin.describeTopic(topic))[0]!.leader;
    const victim = cluster.node(leader);
    await victim.kill();
    expect(victim.running).toBe(false);

    // Writes go on with two of three replicas in sync (min.insync.replicas=2).
    await sendBatch(50);
    await sendBatch(100);

    await victim.start();
    const isr = await waitFor('the restarted broker back in the ISR', async () => {
      const partition = (await admin.describeTopic(topic))[0]!;
      return partition.isr.length === 3 ? partition.isr : undefined;
    });
    expect([...isr].sort()).toEqual([1, 2, 3]);
    expect((await admin.describeCluster()).brokers).toHaveLength(3);

    // Every acknowledged write is in the log exactly once.
    const seen = (await readToEnd(client, topic)).map((r) => r.value!.toString());
    const missing = acked.filter((v) => !seen.includes(v));
    const duplicates = seen.filter((v, i) => seen.indexOf(v) !== i);
    expect({ missing, duplicates }).toEqual({ missing: [], duplicates: [] });
  });

  it('pauses and resumes a node by its pid', async () => {
    const cluster = clusterOf();
    const node = cluster.nodes.find((n) => n.running)!;
    // A signal is delivered asynchronously: the kernel shows the JVM stopped (state T) a moment after kill().
    node.pause();
    expect(await waitFor('the paused node stopped', async () => ((await processState(node.pid!)) === 'T' ? true : undefined), 10_000)).toBe(true);
    node.resume();
    expect(await waitFor('the resumed node running', async () => ((await processState(node.pid!)) !== 'T' ? true : undefined), 10_000)).toBe(true);
  });
});
