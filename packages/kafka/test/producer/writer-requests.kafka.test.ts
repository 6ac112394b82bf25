import { describe, expect, inject, it, vi } from 'vitest';
import { createTopics, randomTopic, testClient } from '@tributary/test-kit';
import type * as Internals from '../../src/internal/kafkajs-internals.js';
import { KafkaWriter, type RecordToWrite } from '../../src/producer/writer.js';
import { readToEnd } from '../../src/reader/read-to-end.js';

/** Every Produce request the writer hands to a connection, with the partitions it carries, and how many were in flight at most. */
const produced = vi.hoisted(() => ({ requests: [] as number[], inFlight: 0, maxInFlight: 0 }));

vi.mock('../../src/internal/kafkajs-internals.js', async (importOriginal) => {
  const original = await importOriginal<typeof Internals>();
  return {
    ...original,
    sendRawRequest: async (broker: Parameters<typeof original.sendRawRequest>[0], request: Parameters<typeof original.sendRawRequest>[1]) => {
      if (request.apiKey !== 0) return original.sendRawRequest(broker, request);
      // The body's topic array: one topic here, then its partition count (after transactional id, acks, timeout).
      produced.requests.push(request.body.readInt32BE(2 + 2 + 4 + 4 + 2 + request.body.readInt16BE(2 + 2 + 4 + 4)));
      produced.maxInFlight = Math.max(produced.maxInFlight, ++produced.inFlight);
      try {
        return await original.sendRawRequest(broker, request);
      } finally {
        produced.inFlight--;
      }
    },
  };
});

const brokers = inject('kafkaBrokers');

const records = (topic: string, partitions: number, perPartition: number, tag: string): RecordToWrite[] =>
  Array.from({ length: partitions * perPartition }, (_, i) => ({
    topic,
    partition: i % partitions,
    record: { key: null, value: Buffer.from(`${tag}-${i}`), headers: {}, timestamp: String(Date.now()) },
    size: 16,
  }));

describe('KafkaWriter requests against a broker', () => {
  it('sends one Produce request per broker carrying every partition it leads, with each partition its own offsets', async () => {
    const topic = randomTopic('writer-per-broker');
    await createTopics(brokers, [{ topic, numPartitions: 4 }]);
    await using writer = new KafkaWriter(testClient(brokers));
    await writer.connect();
    produced.requests.length = 0;
    const results = await writer.write(records(topic, 4, 3, 'a'));
    expect(produced.requests).toEqual([4]);
    expect(results.map((r) => (r.ok ? `${r.partition}@${r.offset}` : String(r.error)))).toEqual(Array.from({ length: 12 }, (_, i) => `${i % 4}@${Math.floor(i / 4)}`));
    const read = await readToEnd({ brokers }, topic);
    expect(read.map((r) => `${r.partition}@${r.offset}=${r.value!.toString()}`).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `${i % 4}@${Math.floor(i / 4)}=a-${i}`).sort());
  });

  it('keeps each partition in call order under concurrent writes: no gap, no duplicate, no reorder', { timeout: 120_000 }, async () => {
    const topic = randomTopic('writer-order');
    const partitions = 4;
    await createTopics(brokers, [{ topic, numPartitions: partitions }]);
    await using writer = new KafkaWriter(testClient(brokers));
    await writer.connect();
    produced.maxInFlight = 0;
    // Each write() takes the next sequence numbers of each partition when it is called; 8 writers keep calling.
    const next = Array.from({ length: partitions }, () => 0);
    const write = () => {
      const batch: RecordToWrite[] = [];
      const size = 1 + Math.floor(Math.random() * 60);
      for (let i = 0; i < size; i++) {
        const partition = Math.floor(Math.random() * partitions);
        const value = Buffer.from(JSON.stringify({ p: partition, seq: next[partition]!++ }));
        batch.push({ topic, partition, record: { key: null, value, headers: {}, timestamp: String(Date.now()) }, size: value.length });
      }
      return writer.write(batch);
    };
    // Writes issued without waiting for the ones before (up to 64 outstanding), so several requests are on the wire.
    const deadline = Date.now() + 4000;
    const outstanding = new Set<Promise<unknown>>();
    while (Date.now() < deadline) {
      const written = write().then((results) => {
        for (const r of results) if (!r.ok) throw new Error(`write failed: ${String(r.error)}`);
      });
      outstanding.add(written);
      void written.finally(() => outstanding.delete(written)).catch(() => {});
      if (outstanding.size >= 64) await Promise.race(outstanding);
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(outstanding);
    const read = await readToEnd({ brokers }, topic);
    const problems: string[] = [];
    for (let p = 0; p < partitions; p++) {
      const seqs = read.filter((r) => r.partition === p).map((r) => (JSON.parse(r.value!.toString()) as { p: number; seq: number }).seq);
      const wrong = seqs.flatMap((seq, at) => (seq === at ? [] : [`partition ${p} offset ${at} holds ${seq}`]));
      if (seqs.length !== next[p]) wrong.push(`partition ${p} holds ${seqs.length} records, ${next[p]} written`);
      problems.push(...wrong.slice(0, 5));
    }
    console.log(`${read.length} records on ${partitions} partitions; at most ${produced.maxInFlight} Produce requests in flight`);
    expect(problems).toEqual([]);
    expect(produced.maxInFlight).toBeGreaterThan(1);
  });
});
