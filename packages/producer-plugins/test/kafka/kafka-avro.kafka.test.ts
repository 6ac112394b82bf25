
import { describe, expect, inject, it } from 'vitest';
import { AvroCodec, type AvroSchema, createCodecLookup, decodeEvent, Event, EventOffset, FailedToSendEventError, isTributaryError, LogSchemaRegistry } from '@tributary/core';
import { createTopics, randomTopic } from '@tributary/test-kit';
import { KafkaProducerPlugin } from '../../src/kafka/kafka-producer-plugin.js';
import { readToEnd } from '@tributary/kafka';
import { KafkaSchemaLog } from '@tributary/kafka';

const brokers = inject('kafkaBrokers');
const userV1: AvroSchema = { type: 'record', name: 'User', fields: [{ name: 'id', type: 'string' }, { name: 'age', type: 'int' }] };
const userV2: AvroSchema = { type: 'record', name: 'User', fields: [{ name: 'id', type: 'string' }, { name: 'country', type: 'string', default: 'unknown' }] };

describe('kafka plugin with Avro and the schema registry on a compacted topic', () => {
  it('writes Confluent-framed Avro that another process decodes with an evolved reader schema', async () => {
    const topic = randomTopic('avro');
    const schemaTopic = randomTopic('schemas');
    await createTopics(brokers, [{ topic, numPartitions: 2 }]);
    await using writerLog = new KafkaSchemaLog({ brokers }, { topic: schemaTopic });
    const writerCodec = new AvroCodec({ registry: new LogSchemaRegistry(writerLog), schemas: { [`${topic}-value`]: userV1 } });
    await using plugin = new KafkaProducerPlugin({ topic, brokers }, { codecs: { default: writerCodec } });
    await plugin.open();
    const sent = await plugin.send(Array.from({ length: 20 }, (_, i) => Event.create({ category: 'user.created', key: `u${i}`, payload: { id: `u${i}`, age: 20 + i } })));

    const error = await plugin.send(Event.create({ category: 'user.created', payload: { id: 'bad', age: 'old' } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FailedToSendEventError);
    const outcome = (error as FailedToSendEventError).outcomes[0]!;
    expect(outcome.status).toBe('failed');
    expect(isTributaryError((outcome as { error: unknown }).error, 'ENCODE_FAILED')).toBe(true);
    expect(String((outcome as { error: Error }).error.message)).toMatch(/age/);

    // Another process: its own registry instance on the same topic, and a newer reader schema.
    await using readerLog = new KafkaSchemaLog({ brokers }, { topic: schemaTopic });
    const readerCodec = new AvroCodec({ registry: new LogSchemaRegistry(readerLog), schemas: { [`${topic}-value`]: userV2 } });
    const codecs = createCodecLookup([readerCodec]);
    const records = await readToEnd({ brokers }, topic);
    expect(records).toHaveLength(20);
    for (const r of records) {
      expect(r.value![0]).toBe(0);
      const event = await decodeEvent({ key: r.key, value: r.value!, headers: r.headers, timestamp: r.timestamp }, codecs, topic, EventOffset.of(topic, r.partition, r.offset));
      const original = sent.find((e) => e.id === event.id)!;
      expect(event.offset?.equals(original.offset!)).toBe(true);
      expect({ ...(event.payload as object) }).toEqual({ id: (original.payload as { id: string }).id, country: 'unknown' });
    }
  });
});
