import { describe, expect, inject, it } from 'vitest';
import { isTributaryError } from '@tributary/core';
import { createTopics, randomTopic } from '@tributary/test-kit';
import { testKafka } from '../support/kafkajs.js';
import { KafkaClient } from '../../src/connection/kafka-client.js';
import { createInternalCluster } from '../../src/internal/kafkajs-internals.js';
import { sendFetch, sendMetadata, sendOffsetForLeaderEpoch } from '../../src/reader/broker-requests.js';
import { KafkaReader } from '../../src/reader/kafka-reader.js';

const brokers = inject('kafkaBrokers');
const UNKNOWN_LEADER_EPOCH = 75;

describe('Leader epochs against the broker (KIP-320)', () => {
  it('learns the epoch the broker stamps on batches, fetches with it, is refused a newer one, and checks positions with it', async () => {
    const topic = randomTopic('epochs');
    await createTopics(brokers, [{ topic, numPartitions: 1 }]);
    const kafka = testKafka(brokers);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ value: `v${i}` })) });
    await producer.disconnect();

    const cluster = createInternalCluster(kafka);
    await cluster.connect();
    try {
      await cluster.addMultipleTargetTopics([topic]);
      const leader = await cluster.findBroker({ nodeId: Object.keys(cluster.findLeaderForPartitions(topic, [0]))[0]! });
      const metadata = await sendMetadata(leader, [topic]);
      const epoch = metadata.topics[0]!.partitions[0]!.leaderEpoch;
      expect(epoch).toBeGreaterThanOrEqual(0);

      // The leader stamps each batch it appends with its epoch: the decoder reports the same number.
      await using reader = new KafkaReader(new KafkaClient({ brokers }));
      const [first] = await reader.fetchPartitions([{ topic, partition: 0, offset: 0n }]);
      expect(first!.error).toBeUndefined();
      expect(first!.records).toHaveLength(5);
      expect(first!.lastEpoch).toBe(epoch);

      const fetchWith = async (currentLeaderEpoch: number) => {
        const response = await sendFetch(leader, { maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 1, partitions: [{ topic, partition: 0, offset: 0n, maxBytes: 1 << 20, currentLeaderEpoch }] });
        return response.partitions[0]!.errorCode;
      };
      expect(await fetchWith(epoch)).toBe(0);
      expect(await fetchWith(epoch + 1)).toBe(UNKNOWN_LEADER_EPOCH);

      // The epoch ends at the log end offset while it is the current one.
      const ends = await sendOffsetForLeaderEpoch(leader, [{ topic, partition: 0, currentLeaderEpoch: epoch, leaderEpoch: epoch }]);
      expect(ends.partitions).toEqual([{ topic, partition: 0, errorCode: 0, leaderEpoch: epoch, endOffset: 5n }]);

      // A fresh reader given a last epoch checks the position first: at the epoch's end it reads on; a caller
      // claiming to have read past it is told the log is truncated to where the epoch ends.
      await using fresh = new KafkaReader(new KafkaClient({ brokers }));
      const [atEnd] = await fresh.fetchPartitions([{ topic, partition: 0, offset: 5n, lastEpoch: epoch }]);
      await using another = new KafkaReader(new KafkaClient({ brokers }));
      const [past] = await another.fetchPartitions([{ topic, partition: 0, offset: 7n, lastEpoch: epoch }]);
      expect(atEnd!.error).toBeUndefined();
      expect(atEnd!.lastEpoch).toBe(epoch);
      expect(isTributaryError(past!.error, 'LOG_TRUNCATED')).toBe(true);
      expect(past!.error!.context).toMatchObject({ topic, partition: 0, offset: '7', truncatedTo: '5' });
      expect(past!.records).toEqual([]);
    } finally {
      await cluster.disconnect();
    }
  });
});
