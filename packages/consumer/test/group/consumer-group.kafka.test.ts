import { describe, expect, inject, it } from 'vitest';
import { Event } from '@tributary/core';
import { KafkaProducerPlugin, readToEnd } from '@tributary/producer-plugins';
import { createTopics, randomGroup, randomTopic, testKafka } from '@tributary/test-kit';
import { DeadLetterHeaders } from '../../src/failure/dead-letter-headers.js';
import { ConsumerGroup } from '../../src/group/consumer-group.js';

const brokers = inject('kafkaBrokers');

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('ConsumerGroup against Kafka', () => {
  it('routes by category, commits filtered events, dead-letters poison and failing records, and moves on', async () => {
    const topic = randomTopic('group');
    await createTopics(brokers, [{ topic, numPartitions: 3 }, { topic: `${topic}.DLT`, numPartitions: 1 }]);
    await using plugin = new KafkaProducerPlugin({ topic, brokers });
    await plugin.open();
    const sent = await plugin.send(Array.from({ length: 60 }, (_, i) => Event.create({ category: ['order.placed', 'order.shipped', 'audit.login'][i % 3]!, key: `k${i % 5}`, payload: { i } })));
    const failing = sent.find((e) => e.category === 'order.placed')!;
    // Poison records: a payload that is not JSON, and a record with no category header.
    const raw = testKafka(brokers).producer();
    await raw.connect();
    await raw.send({ topic, messages: [
      { key: 'p1', value: 'not json{', headers: { 'tributary-id': '01a20324-457e-7b91-84ab-930c15249f56', 'tributary-category': 'order.placed', 'tributary-codec': 'json', 'tributary-timestamp': '1700000000000' } },
      { key: 'p2', value: '{}' },
    ] });
    await raw.disconnect();

    const handled: Event[] = [];
    const group = new ConsumerGroup({
      brokers, groupId: randomGroup(), topics: [topic],
      retry: { attempts: 3, initialDelayMs: 10 },
      handlers: {
        'order.*': (e) => {
          if (e.id === failing.id) throw new Error('handler refuses this one');
          handled.push(e);
        },
      },
    });
    await group.start();
    try {
      await until('every record settled', async () => (await group.lag()).every((p) => p.lag === 0n));
    } finally {
      await group.stop();
    }
    const expected = sent.filter((e) => e.category.startsWith('order.') && e.id !== failing.id).map((e) => e.id).sort();
    expect(handled.map((e) => e.id).sort()).toEqual(expected);
    expect(handled.every((e) => e.offset !== undefined)).toBe(true);
    expect(group.counters).toMatchObject({ handled: expected.length, filtered: 20, retried: 2, deadLettered: 3 });

    const dead = await readToEnd(testKafka(brokers), `${topic}.DLT`);
    expect(dead).toHaveLength(3);
    const byKey = new Map(dead.map((r) => [r.key?.toString(), r.headers]));
    const handlerFailure = byKey.get(failing.key)!;
    expect(handlerFailure[DeadLetterHeaders.attempts]!.toString()).toBe('3');
    expect(handlerFailure[DeadLetterHeaders.errorMessage]!.toString()).toBe('handler refuses this one');
    expect(handlerFailure[DeadLetterHeaders.offset]!.toString()).toBe(failing.offset!.offset.toString());
    expect(handlerFailure[DeadLetterHeaders.partition]!.toString()).toBe(String(failing.offset!.partition));
    expect(byKey.get('p1')![DeadLetterHeaders.errorCode]!.toString()).toBe('DECODE_FAILED');
    expect(byKey.get('p1')![DeadLetterHeaders.attempts]!.toString()).toBe('0');
    expect(byKey.get('p2')![DeadLetterHeaders.errorCode]!.toString()).toBe('DECODE_FAILED');
  });

  it('resumes a restarted group where its last commit says', async () => {
    const topic = randomTopic('resume');
    await createTopics(brokers, [{ topic, numPartitions: 2 }]);
    await using plugin = new KafkaProducerPlugin({ topic, brokers });
    await plugin.open();
    const groupId = randomGroup();
    const first = await plugin.send(Array.from({ length: 20 }, (_, i) => Event.create({ category: 'job.run', key: `k${i}`, payload: { i } })));
    const seen: string[] = [];
    const make = () => new ConsumerGroup({ brokers, groupId, topics: [topic], handlers: { 'job.#': (e) => void seen.push(e.id) } });
    const g1 = make();
    await g1.start();
    await until('first events handled', () => seen.length >= 20);
    await g1.stop();
    const second = await plugin.send(Array.from({ length: 10 }, (_, i) => Event.create({ category: 'job.run', key: `k${i}`, payload: { i } })));
    const g2 = make();
    await g2.start();
    await until('second events handled', () => seen.length >= 30);
    await g2.stop();
    expect(seen.sort()).toEqual([...first, ...second].map((e) => e.id).sort());
  });
});
