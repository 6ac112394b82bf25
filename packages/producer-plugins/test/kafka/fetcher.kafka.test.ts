import { describe, expect, inject, it } from 'vitest';
import { isTributaryError } from '@tributary/core';
import { createTopics, randomTopic, testKafka } from '@tributary/test-kit';
import { KafkaFetcher } from '../../src/kafka/fetcher.js';

const brokers = inject('kafkaBrokers');

describe('KafkaFetcher', () => {
  it('reads a partition from any offset without a consumer group, and names an offset out of range', async () => {
    const topic = randomTopic('fetcher');
    await createTopics(brokers, [{ topic, numPartitions: 1 }]);
    const kafka = testKafka(brokers);
    const producer = kafka.producer();
    await producer.connect();
    for (let batch = 0; batch < 3; batch++) {
      await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${batch * 10 + i}` })) });
    }
    await producer.disconnect();

    await using fetcher = new KafkaFetcher(kafka);
    // Offset 15 lies inside the second batch: the records before it are not returned.
    const { records, highWatermark } = await fetcher.fetch(topic, 0, 15n);
    expect(highWatermark).toBe(30n);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 15 }, (_, i) => String(15 + i)));
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
});
