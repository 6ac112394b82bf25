import { describe, expect, inject, it } from 'vitest';
import type { Event, TributaryError } from '@tributary/core';
import { KafkaAdmin, KafkaReader, partitionKey } from '@tributary/kafka';
import { createTopics, randomGroup, randomTopic, testClient, waitFor } from '@tributary/test-kit';
import { useKafkaCluster } from '@tributary/test-kit/vitest';
import { ConsumerGroup } from '../../src/group/consumer-group.js';
import { events, freshTopic, publish, until } from '../support/kafka.js';

/** The group's commit of partition 0 of `topic`, with the leader epoch it carries. */
async function commitOf(brokers: string[], groupId: string, topic: string) {
  await using admin = new KafkaAdmin(testClient(brokers));
  return (await admin.groupCommits(groupId, [{ topic, partition: 0 }])).get(partitionKey(topic, 0));
}

const payload = (e: Event) => (e.payload as { i: number }).i;

describe('ConsumerGroup commits', () => {
  const brokers = inject('kafkaBrokers');

  it('carry the leader epoch of the last record handled before the offset, as Java commits its position', async () => {
    const topic = await freshTopic(brokers, 'commit-epoch', 1);
    await publish(brokers, topic, events(20, ['order.placed']));
    const groupId = randomGroup('commit-epoch');
    const g = new ConsumerGroup({ brokers, groupId, topics: [topic], fetchMaxWaitMs: 200, commitIntervalMs: 200, handlers: { '#': () => {} } });
    await g.start();
    try {
      await until('committed to the end', async () => (await commitOf(brokers, groupId, topic))?.offset === 20n);
    } finally {
      await g.stop();
    }
    // The epoch the partition's batches carry, as a reader reads it.
    await using reader = new KafkaReader(testClient(brokers));
    const [answer] = await reader.fetchPartitions([{ topic, partition: 0, offset: 19n }]);
    const lastEpoch = answer!.lastEpoch;
    expect(lastEpoch).toBeGreaterThanOrEqual(0);
    expect(await commitOf(brokers, groupId, topic)).toEqual({ offset: 20n, leaderEpoch: lastEpoch, metadata: '' });
  });
});

/**
 * KIP-320's case for a group: a member handles records that only the partition's leader held (its follower was
 * down), commits past them, and stops; the leader dies and the out-of-date follower is elected uncleanly, so those
 * records are gone. A member that starts from the commit must learn that the log was truncated below it (the
 * commit's leader epoch is checked against the new leader's log) and read the new leader's records from where the
 * logs diverge, rather than fail at an offset past the log's end or skip the new records.
 */
describe('ConsumerGroup starting from a commit after an unclean leader election', () => {
  const clusterOf = useKafkaCluster({ nodes: 3, overrides: { 'unclean.leader.election.interval.ms': '1000' } });

  it('reports LOG_TRUNCATED from the epoch of its commit and reads the new leader\'s records from where the logs diverge', async () => {
    const cluster = clusterOf();
    const topic = randomTopic('commit-truncation');
    await createTopics(cluster.brokers, [{
      topic,
      numPartitions: 1,
      replicationFactor: 2,
      configEntries: [{ name: 'min.insync.replicas', value: '1' }, { name: 'unclean.leader.election.enable', value: 'true' }],
    }]);
    await using admin = new KafkaAdmin(testClient(cluster.brokers));
    // Right after creation a broker may not know the partition yet: asked until one does.
    const [placement] = await waitFor('the topic described', () => admin.describeTopic(topic), 30_000);
    const leader = placement!.leader;
    const follower = placement!.replicas.find((r) => r !== leader)!;

    await publish(cluster.brokers, topic, events(5, ['order.placed']));
    // The follower leaves (controlled: it is taken out of the ISR at once); the leader alone takes five more.
    await cluster.node(follower).stop();
    await publish(cluster.brokers, topic, events(5, ['order.placed'], 8, 5));

    const groupId = randomGroup('commit-truncation');
    const options = { brokers: cluster.brokers, groupId, topics: [topic], fetchMaxWaitMs: 200, commitIntervalMs: 200, requestTimeoutMs: 5000 };
    const first: number[] = [];
    const g1 = new ConsumerGroup({ ...options, handlers: { '#': (e) => void first.push(payload(e)) } });
    await g1.start();
    try {
      await until('the ten events handled and committed', async () => first.length === 10 && (await commitOf(cluster.brokers, groupId, topic))?.offset === 10n, 60_000);
    } finally {
      await g1.stop();
    }
    const committed = (await commitOf(cluster.brokers, groupId, topic))!;
    expect(committed.leaderEpoch).toBeGreaterThanOrEqual(0);

    // The leader dies; the follower returns, out of date, and is elected uncleanly; it takes three events.
    await cluster.node(leader).kill();
    await cluster.node(follower).start();
    await waitFor('the follower elected', async () => ((await admin.describeTopic(topic))[0]?.leader === follower ? true : undefined), 90_000);
    await publish(cluster.brokers, topic, events(3, ['order.placed'], 8, 100));

    const second: number[] = [];
    const errors: TributaryError[] = [];
    const g2 = new ConsumerGroup({ ...options, handlers: { '#': (e) => void second.push(payload(e)) }, onError: (e) => void errors.push(e) });
    await g2.start();
    try {
      await until('the new leader\'s events handled', () => second.length >= 3, 90_000);
      await until('committed past them', async () => (await commitOf(cluster.brokers, groupId, topic))?.offset === 8n, 30_000);
    } finally {
      await g2.stop();
    }
    expect(first).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(second).toEqual([100, 101, 102]);
    const truncations = errors.filter((e) => e.code === 'LOG_TRUNCATED');
    expect(truncations.map((e) => e.context)).toEqual([expect.objectContaining({ topic, partition: 0, offset: '10', truncatedTo: '5' })]);
    expect(errors.filter((e) => e.code !== 'LOG_TRUNCATED').map((e) => `${e.code}: ${e.message}`)).toEqual([]);
  }, 300_000);
});
