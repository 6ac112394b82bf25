import { describe, expect, inject, it } from 'vitest';
import { Event } from '@tributary/core';
import { createTopics, randomTopic } from '@tributary/test-kit';
import { COMPRESSION_NAMES } from '@tributary/kafka';
import { KafkaProducerPlugin } from '../../src/kafka/kafka-producer-plugin.js';
import { readToEnd } from '@tributary/kafka';

const brokers = inject('kafkaBrokers');

describe('kafka plugin compression', () => {
  it.each(COMPRESSION_NAMES)('writes %s-compressed batches the broker accepts and readers decompress', async (compression) => {
    const topic = randomTopic(`compressed-${compression}`);
    await createTopics(brokers, [{ topic, numPartitions: 1 }]);
    await using plugin = new KafkaProducerPlugin({ topic, brokers, compression });
    await plugin.open();
    const events = Array.from({ length: 200 }, (_, i) => Event.create({ category: 'compression.test', payload: { i, text: 'repetitive '.repeat(20) } }));
    const sent = await plugin.send(events);
    const records = await readToEnd({ brokers }, topic);
    expect(records.map((r) => r.headers['tributary-id']!.toString())).toEqual(sent.map((e) => e.id));
    expect(records.map((r) => JSON.parse(r.value!.toString()).i)).toEqual(events.map((_, i) => i));
  });
});
