// Compressed batches written by Kafka's own Java console producer (zstd, and snappy in Java's xerial framing):
// Tributary events among records that are not Tributary's (no envelope headers) and an event's tombstone. A
// consumer group handles every event exactly once, in order per partition, dead-letters each foreign record and
// the tombstone (DECODE_FAILED, attempts 0), and commits every partition to its end.
//
// Already covered elsewhere, and not repeated here (the full Java corpus takes minutes to write on a loaded
// two-core machine, too long for this battery):
// - packages/kafka/test (the reader on the corpus) and packages/test-kit/test/java/corpus.kafka.test.ts: every
//   record of the golden corpus (every codec, a 3 MiB zstd batch, transactions with aborts) read exactly;
// - packages/consumer/test/group/golden-corpus.kafka.test.ts: a group dead-letters every corpus record by
//   position and commits every partition past its last record.
// What this adds: events that Java compressed, handled through the group, with bad records among them.
import { describe, expect, inject, it } from 'vitest';
import { encodeEvent, Event, jsonCodec, type TributaryError } from '@tributary/core';
import { silentLogger } from '@tributary/kafka';
import { randomGroup, writeWithConsoleProducer, type ConsoleRecord, type CorpusCodec } from '@tributary/test-kit';
import { ConsumerGroup, DeadLetterHeaders } from '@tributary/consumer';
import { deadLetters, expectExactly, expectOffsetOrder, freshTopic, until } from './support/records.js';

const brokers = inject('kafkaBrokers');
const CODECS: CorpusCodec[] = ['zstd', 'snappy'];

/** An event as a console line: Tributary's headers, the key, and the JSON payload as text. */
async function line(event: Event, topic: string, value: 'payload' | 'tombstone' = 'payload'): Promise<ConsoleRecord> {
  const r = await encodeEvent(event, jsonCodec, topic);
  return { key: r.key?.toString() ?? null, value: value === 'tombstone' ? null : r.value.toString(), headers: Object.entries(r.headers).map(([k, v]) => [k, v.toString()]) };
}

describe("compressed batches from Kafka's Java clients: every event handled, every foreign record dead-lettered", () => {
  it('handles the events Java compressed, dead-letters the records among them that are not events, and loses nothing', async () => {
    const topics = await Promise.all(CODECS.map((codec) => freshTopic(brokers, `java-${codec}`, 2)));
    const sent: Event[] = [];
    const foreign = new Map<string, number>();
    await Promise.all(CODECS.map(async (codec, t) => {
      const topic = topics[t]!;
      const records: ConsoleRecord[] = [];
      for (let i = 0; i < 80; i++) {
        if (i % 10 === 4) records.push({ key: `plain-${i}`, value: `a record from another Java application ${i}`, headers: [['src', 'java']] });
        else if (i % 20 === 9) records.push(await line(Event.create({ category: 'java.deleted', key: `k${i % 6}`, payload: { i } }), topic, 'tombstone'));
        else {
          const event = Event.create({ category: 'java.event', key: `k${i % 6}`, payload: { codec, i } });
          sent.push(event);
          records.push(await line(event, topic));
        }
      }
      foreign.set(topic, records.length - sent.filter((e) => (e.payload as { codec: string }).codec === codec).length);
      await writeWithConsoleProducer({ brokers, topic, codec, records, timeoutMs: 90_000 });
    }));

    const handled: Event[] = [];
    const reported: TributaryError[] = [];
    const g = new ConsumerGroup({
      brokers, groupId: randomGroup(), topics, partitionsConcurrently: 4, fetchMaxWaitMs: 200, commitIntervalMs: 200,
      logger: silentLogger, onError: (e) => void reported.push(e), handlers: { '#': (e) => void handled.push(e) },
    });
    await g.start();
    try {
      await until('every event handled', () => handled.length >= sent.length, 60_000);
      await until('every partition committed to its end', async () => (await g.lag()).every((p) => p.lag === 0n), 60_000);
      expect(g.stalled()).toEqual([]);
    } finally {
      await g.stop();
    }
    expect(reported).toEqual([]);
    expectExactly(handled.map((e) => e.id), sent.map((e) => e.id));
    for (const topic of topics) expectOffsetOrder(handled.filter((e) => e.offset!.topic === topic));
    for (const topic of topics) {
      const letters = [...(await deadLetters(brokers, topic)).values()];
      expect(letters.length, topic).toBe(foreign.get(topic));
      expect(new Set(letters.map((r) => `${r.headers[DeadLetterHeaders.errorCode]?.toString()} ${r.headers[DeadLetterHeaders.attempts]?.toString()}`)), topic).toEqual(new Set(['DECODE_FAILED 0']));
      // The tombstones stay tombstones in the dead-letter topic, so sent back they still delete.
      expect(letters.filter((r) => r.value === null).map((r) => r.headers['tributary-category']?.toString()), topic).toEqual(['java.deleted', 'java.deleted', 'java.deleted', 'java.deleted']);
    }
  });
});
