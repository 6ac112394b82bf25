import { describe, expect, inject, it } from 'vitest';
import { isTributaryError } from '@tributary/core';
import { createTopics, randomTopic } from '@tributary/test-kit';
import { testKafka } from '../support/kafkajs.js';
import { KafkaClient } from '../../src/connection/kafka-client.js';
import { KafkaReader } from '../../src/reader/kafka-reader.js';

const brokers = inject('kafkaBrokers');

describe('KafkaFetcher', () => {
  it('reads a partition from any offset without a consumer group, and names an offset out of range', async () => {
    const topic = randomTopic('fetcher');
    await createTopics(brokers, [{ topic, numPartitions: 1 }]);
    const kafka = testKafka(brokers);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let batch = 0; batch < 3; batch++) {
      await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${batch * 10 + i}` })) });
    }
    await producer.disconnect();

    await using fetcher = new KafkaReader(new KafkaClient({ brokers }));
    // Offset 15 lies inside the second batch: the records before it are not returned.
    const { records, highWatermark } = await fetcher.fetch(topic, 0, 15n);
    expect(highWatermark).toBe(30n);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 15 }, (_, i) => BigInt(15 + i)));
    expect(records.map((r) => r.value!.toString())).toEqual(Array.from({ length: 15 }, (_, i) => `v${15 + i}`));

    const error = await fetcher.fetch(topic, 0, 1000n).catch((e: unknown) => e);
    expect(isTributaryError(error, 'OFFSET_OUT_OF_RANGE')).toBe(true);
    expect((error as Error).message).toContain(`${topic}:0`);

    const admin = kafka.admin();
    await admin.connect();
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
    await admin.disconnect();
    expect(groups.some((g) => g.startsWith('tributary-reader'))).toBe(false);
  });

  it('leaves out aborted transactions and transaction markers, reads several partitions in one call, and steps past markers', async () => {
    const topic = randomTopic('fetcher-tx');
    await createTopics(brokers, [{ topic, numPartitions: 2 }]);
    const kafka = testKafka(brokers);
    const producer = kafka.producer({ transactionalId: `tx-${topic}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const write = async (values: string[], outcome: 'commit' | 'abort') => {
      const tx = await producer.transaction();
      await tx.send({ topic, messages: values.map((value) => ({ value, partition: 0 })) });
      await (outcome === 'commit' ? tx.commit() : tx.abort());
    };
    await write(['c1', 'c2'], 'commit');
    await write(['a1', 'a2', 'a3'], 'abort');
    await write(['c3'], 'commit');
    await producer.disconnect();
    const plain = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await plain.connect();
    await plain.send({ topic, messages: [{ value: 'p1', partition: 1 }] });
    await plain.disconnect();

    await using fetcher = new KafkaReader(new KafkaClient({ brokers }));
    const [p0, p1] = await fetcher.fetchPartitions([
      { topic, partition: 0, offset: 0n },
      { topic, partition: 1, offset: 0n },
    ]);
    expect(p0!.error).toBeUndefined();
    expect(p0!.records.map((r) => r.value!.toString())).toEqual(['c1', 'c2', 'c3']);
    // Three markers and three aborted records: the next fetch starts at the end of the log.
    expect(p0!.next).toBe(p0!.highWatermark);
    expect(p0!.highWatermark).toBe(9n);
    expect(p1!.records.map((r) => [r.offset, r.value!.toString()])).toEqual([[0n, 'p1']]);

    const past = await fetcher.fetchPartitions([{ topic, partition: 0, offset: 100n }]);
    expect(isTributaryError(past[0]!.error, 'OFFSET_OUT_OF_RANGE')).toBe(true);
    expect(past[0]!.error!.message).toContain(`${topic}:0`);
  });
});
