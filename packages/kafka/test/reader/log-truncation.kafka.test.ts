import { describe, expect, it } from 'vitest';
import { isTributaryError } from '@tributary/core';
import { randomTopic, waitFor } from '@tributary/test-kit';
import { testKafka, createTopicsAsGiven } from '../support/kafkajs.js';
import { useKafkaCluster } from '@tributary/test-kit/vitest';
import { KafkaClient } from '../../src/connection/kafka-client.js';
import { KafkaReader, type PartitionFetch } from '../../src/reader/kafka-reader.js';

/**
 * A real unclean leader election (KIP-320's case): records acknowledged by the leader alone (acks=1) while its
 * follower was down are read, then the leader dies and the out-of-date follower becomes leader. The reader,
 * sending back the epoch of the last record it read, must be told that the log was truncated below its position.
 */
describe('KafkaReader after an unclean leader election', () => {
  // The controller also runs its periodic unclean election check often, should the one on the follower's
  // return not happen.
  const clusterOf = useKafkaCluster({ nodes: 3, overrides: { 'unclean.leader.election.interval.ms': '1000' } });

  it('answers LOG_TRUNCATED with where the new leader\'s log diverges, then reads the new leader\'s records from there', async () => {
    const cluster = clusterOf();
    const topic = randomTopic('truncation');
    await createTopicsAsGiven(cluster.brokers, [{
      topic,
      replicaAssignment: [{ partition: 0, replicas: [1, 2] }],
      configEntries: [{ name: 'min.insync.replicas', value: '1' }, { name: 'unclean.leader.election.enable', value: 'true' }],
    }]);
    const kafka = testKafka(cluster.brokers);
    const write = async (values: string[], acks: number) => {
      const producer = kafka.producer({ retry: { retries: 20 } });
      await producer.connect();
      await producer.send({ topic, acks, messages: values.map((value) => ({ value, partition: 0 })) });
      await producer.disconnect();
    };
    await write(['a0', 'a1', 'a2', 'a3', 'a4'], -1);
    // The follower leaves (controlled: it is taken out of the ISR at once); the leader alone takes five more.
    await cluster.node(2).stop();
    await write(['b5', 'b6', 'b7', 'b8', 'b9'], 1);

    await using reader = new KafkaReader(new KafkaClient({ brokers: cluster.brokers, requestTimeoutMs: 5000 }));
    const read: string[] = [];
    let position = 0n;
    let lastEpoch: number | undefined;
    await waitFor('the leader\'s ten records read', async () => {
      const [a] = await reader.fetchPartitions([{ topic, partition: 0, offset: position, lastEpoch }]);
      if (a!.error) return undefined;
      read.push(...a!.records.map((r) => r.value!.toString()));
      position = a!.next;
      lastEpoch = a!.lastEpoch;
      return position === 10n ? true : undefined;
    }, 60_000);
    expect(read).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b5', 'b6', 'b7', 'b8', 'b9']);
    const oldEpoch = lastEpoch!;

    // The leader dies; the follower returns, out of date, and is elected uncleanly; it takes three records.
    await cluster.node(1).kill();
    await cluster.node(2).start();
    await write(['c5', 'c6', 'c7'], -1);

    // Meanwhile the reader may meet a dead leader or stale metadata (retriable errors), never records.
    const answers: PartitionFetch[] = [];
    const truncated = await waitFor('the truncation reported', async () => {
      const [a] = await reader.fetchPartitions([{ topic, partition: 0, offset: position, lastEpoch }]);
      answers.push(a!);
      return isTributaryError(a!.error, 'LOG_TRUNCATED') ? a : undefined;
    }, 90_000);
    expect(answers.filter((a) => a.records.length > 0 || (a.error && !a.error.retriable && a !== truncated)).map((a) => a.error?.message ?? a.records.length)).toEqual([]);
    expect(truncated.error!.context).toMatchObject({ topic, partition: 0, offset: '10', truncatedTo: '5' });
    expect(truncated.error!.retriable).toBe(false);

    // From where the logs diverge on, the new leader's records, stamped with its newer epoch.
    const [after] = await reader.fetchPartitions([{ topic, partition: 0, offset: 5n }]);
    expect(after!.error).toBeUndefined();
    expect(after!.records.map((r) => r.value!.toString())).toEqual(['c5', 'c6', 'c7']);
    expect(after!.lastEpoch).toBeGreaterThan(oldEpoch);
    // Read on with the new epoch, the position is good: no truncation is reported again.
    const [next] = await reader.fetchPartitions([{ topic, partition: 0, offset: after!.next, lastEpoch: after!.lastEpoch }]);
    expect(next!.error).toBeUndefined();
  }, 240_000);
});
