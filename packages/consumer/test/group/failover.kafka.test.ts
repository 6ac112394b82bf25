import { describe, expect, it } from 'vitest';
import type { Event } from '@tributary/core';
import { KafkaAdmin } from '@tributary/kafka';
import { createTopics, randomGroup, randomTopic, testClient } from '@tributary/test-kit';
import { useKafkaCluster } from '@tributary/test-kit/vitest';
import { ConsumerGroup } from '../../src/group/consumer-group.js';
import { compareIds, events, publish, sleep, until } from '../support/kafka.js';

describe('ConsumerGroup on a three-node cluster', () => {
  const clusterOf = useKafkaCluster({ nodes: 3 });

  it('reads partitions led by different brokers, and goes on from the new leader when one is killed mid-stream', async () => {
    const cluster = clusterOf();
    const topic = randomTopic('failover');
    await createTopics(cluster.brokers, [
      { topic, numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] },
      { topic: `${topic}.DLT`, numPartitions: 1, replicationFactor: 3 },
    ]);
    const sent = await publish(cluster.brokers, topic, events(1500, ['order.placed'], 30));
    const leaders = await (async () => {
      await using admin = new KafkaAdmin(testClient(cluster.brokers));
      return (await admin.describeTopic(topic)).map((p) => p.leader);
    })();

    const seen: Event[] = [];
    const g = new ConsumerGroup({
      brokers: cluster.brokers, groupId: randomGroup(), topics: [topic], partitionsConcurrently: 3, fetchMaxWaitMs: 200, commitIntervalMs: 200,
      // Small fetches and slow handlers: the group is in the middle of every partition when the broker dies.
      fetchMaxBytesPerPartition: 4096,
      handlers: { '#': async (e) => { seen.push(e); await sleep(4); } },
    });
    await g.start();
    try {
      await until('some handled', () => seen.length >= 150);
      const victim = cluster.node(leaders[0]!);
      await victim.kill();
      await until('every event handled', () => compareIds(seen.map((e) => e.id), sent.map((e) => e.id)).missing.length === 0, 120_000);
    } finally {
      await g.stop();
    }
    // Nothing lost, nothing foreign; duplicates only where a rebalance (the coordinator may have died) moved a
    // partition before its commit. Per partition, first deliveries came in offset order.
    const { missing, extra } = compareIds(seen.map((e) => e.id), sent.map((e) => e.id));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    expect(new Set(leaders).size).toBeGreaterThan(1);
    const first = new Map<string, Event>();
    for (const e of seen) if (!first.has(e.id)) first.set(e.id, e);
    const last = new Map<number, bigint>();
    for (const e of first.values()) {
      expect(e.offset!.offset).toBeGreaterThan(last.get(e.offset!.partition) ?? -1n);
      last.set(e.offset!.partition, e.offset!.offset);
    }
  }, 240_000);
});
