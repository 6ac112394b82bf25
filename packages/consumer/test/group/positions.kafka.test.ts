import { describe, expect, inject, it } from 'vitest';
import { DateTime } from 'luxon';
import { Event, isTributaryError, Position } from '@tributary/core';
import { KafkaProducerPlugin } from '@tributary/producer-plugins';
import { createTopics, randomGroup, randomTopic } from '@tributary/test-kit';
import { ConsumerGroup, type ConsumerGroupOptions } from '../../src/group/consumer-group.js';

const brokers = inject('kafkaBrokers');

async function seed(count: number, timestamp?: (i: number) => number): Promise<{ topic: string; sent: Event[] }> {
  const topic = randomTopic('positions');
  await createTopics(brokers, [{ topic, numPartitions: 2 }]);
  await using plugin = new KafkaProducerPlugin({ topic, brokers });
  await plugin.open();
  const events = Array.from({ length: count }, (_, i) => Event.create({ category: 'pos.test', key: `k${i % 4}`, payload: { i }, ...(timestamp ? { timestamp: timestamp(i) } : {}) }));
  return { topic, sent: await plugin.send(events) };
}

async function consume(topic: string, expected: number, options: Partial<ConsumerGroupOptions> = {}, during?: (g: ConsumerGroup, seen: Event[]) => Promise<void>): Promise<Event[]> {
  const seen: Event[] = [];
  const group = new ConsumerGroup({ brokers, groupId: randomGroup(), topics: [topic], handlers: { '#': (e) => void seen.push(e) }, ...options });
  await group.start();
  try {
    if (during) await during(group, seen);
    const deadline = Date.now() + 30_000;
    while (seen.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // A little longer: anything extra (an earlier record) would show up now.
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await group.stop();
  }
  return seen;
}

const ids = (events: Event[]) => events.map((e) => e.id).sort();

describe('ConsumerGroup positions', () => {
  it('starts at a stored position before the first delivery: no earlier event reaches a handler', async () => {
    const { topic, sent } = await seed(40);
    const position = sent.slice(0, 25).reduce((p, e) => p.advancedPast(e.offset!), Position.empty);
    const seen = await consume(topic, 15, { from: position.toString() });
    expect(ids(seen)).toEqual(ids(sent.slice(25)));
  });

  it('starts at a time, through the broker offsets-for-times', async () => {
    const base = DateTime.utc(2024, 5, 1).toMillis();
    const { topic, sent } = await seed(30, (i) => base + i * 60_000);
    const seen = await consume(topic, 10, { from: DateTime.fromMillis(base + 20 * 60_000) });
    expect(ids(seen)).toEqual(ids(sent.slice(20)));
  });

  it('fails to start at a position outside a partition, naming its range, unless told to reset', async () => {
    const { topic, sent } = await seed(10);
    const group = new ConsumerGroup({ brokers, groupId: randomGroup(), topics: [topic], handlers: { '#': () => {} }, from: `${topic}:0@5000` });
    const error = await group.start().catch((e: unknown) => e);
    await group.stop();
    expect(isTributaryError(error, 'OFFSET_OUT_OF_RANGE')).toBe(true);
    expect((error as Error).message).toMatch(/range 0 to \d+/);
    const reset = await consume(topic, 10, { from: `${topic}:0@5000`, onOutOfRange: 'earliest' });
    expect(ids(reset)).toEqual(ids(sent));
  });

  it('seeks to the beginning while running, reading everything again', async () => {
    const { topic, sent } = await seed(20);
    const seen = await consume(topic, 40, {}, async (group, so_far) => {
      const deadline = Date.now() + 30_000;
      while (so_far.length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await group.seekToBeginning();
    });
    expect(ids(seen)).toEqual(ids([...sent, ...sent]));
  });
});
