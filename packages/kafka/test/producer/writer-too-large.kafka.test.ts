import { describe, expect, inject, it } from 'vitest';
import { isTributaryError, type TributaryError } from '@tributary/core';
import { createTopics, randomTopic, testClient } from '@tributary/test-kit';
import { KafkaWriter, type KafkaWriterOptions, type RecordToWrite, type WriteResult } from '../../src/producer/writer.js';
import { readToEnd } from '../../src/reader/read-to-end.js';

const brokers = inject('kafkaBrokers');

/** The topic's `max.message.bytes`: about twenty of the records below fit in one batch. */
const LIMIT = 10_000;

const record = (topic: string, id: string, bytes: number): RecordToWrite => ({
  topic,
  record: { key: null, value: Buffer.from(`${id} `.padEnd(bytes, '.')), headers: { id: Buffer.from(id) }, timestamp: String(Date.now()) },
  size: bytes,
});

describe('KafkaWriter and a topic whose max.message.bytes is smaller than its batches', () => {
  it.each<[string, KafkaWriterOptions]>([
    ['idempotent, five requests in flight', {}],
    ['acks 1 without idempotence', { acks: 1, idempotent: false }],
  ])('%s: splits the batches the broker refuses and appends every record once, in writing order; a record over the limit alone fails with EVENT_TOO_LARGE', async (_, options) => {
    const topic = randomTopic('writer-split');
    await createTopics(brokers, [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: String(LIMIT) }] }]);
    await using writer = new KafkaWriter(testClient(brokers), options);
    await writer.connect();

    // Writes issued one turn apart, so several batches (each far over the limit) are on the wire together.
    const writes: Array<{ ids: string[]; written: Promise<WriteResult[]> }> = [];
    for (let w = 0; w < 6; w++) {
      const records = Array.from({ length: 150 }, (_, i) => record(topic, `${w}-${i}`, 400));
      // One record of the third write is over the limit by itself.
      if (w === 2) records.splice(75, 0, record(topic, 'oversized', 3 * LIMIT));
      writes.push({ ids: records.map((r) => r.record.value!.toString().split(' ')[0]!), written: writer.write(records) });
      await new Promise((r) => setImmediate(r));
    }
    const reports = new Map<string, WriteResult>();
    for (const { ids, written } of writes) (await written).forEach((r, i) => reports.set(ids[i]!, r));

    const oversized = reports.get('oversized')!;
    expect(oversized).toMatchObject({ ok: false, outcome: 'failed' });
    const error = (oversized.ok ? undefined : oversized.error) as TributaryError;
    expect(isTributaryError(error, 'EVENT_TOO_LARGE')).toBe(true);
    expect(error.context).toMatchObject({ topic, partition: 0, limit: LIMIT });
    expect(error.context.size).toBeGreaterThan(3 * LIMIT);
    expect(error.message).toContain(`max.message.bytes is ${LIMIT}`);

    const expected = writes.flatMap((w) => w.ids).filter((id) => id !== 'oversized');
    const failed = expected.filter((id) => !reports.get(id)!.ok);
    expect(failed).toEqual([]);
    const read = await readToEnd({ brokers }, topic);
    // Every record once, in writing order, at the offset its write reported.
    expect(read.map((r) => r.headers.id!.toString())).toEqual(expected);
    expect(read.map((r) => r.offset)).toEqual(expected.map((id) => (reports.get(id) as { offset: bigint }).offset));
  });
});
