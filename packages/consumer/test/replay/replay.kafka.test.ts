import { describe, expect, inject, it } from 'vitest';
import { DateTime } from 'luxon';
import { Event, isTributaryError, Position, type EventOffset } from '@tributary/core';
import { KafkaProducerPlugin } from '@tributary/producer-plugins';
import { createTopics, randomTopic } from '@tributary/test-kit';
import { replay, type ReplayProgress } from '../../src/replay/replay.js';
import { kafkaReplaySource } from '../../src/replay/replay-source.js';
import { replaySourceConformance } from './replay-source.conformance.js';

const brokers = inject('kafkaBrokers');
const categories = ['order.placed', 'order.shipped', 'user.created'];

async function seed(count: number, timestamp?: (i: number) => number): Promise<{ topic: string; sent: Event[] }> {
  const topic = randomTopic('replay');
  await createTopics(brokers, [{ topic, numPartitions: 3 }]);
  await using plugin = new KafkaProducerPlugin({ topic, brokers });
  await plugin.open();
  const events = Array.from({ length: count }, (_, i) =>
    Event.create({ category: categories[i % 3]!, key: `k${i % 10}`, payload: { i }, ...(timestamp ? { timestamp: timestamp(i) } : {}) }),
  );
  return { topic, sent: await plugin.send(events) };
}

async function collect(iterable: AsyncIterable<Event>): Promise<Event[]> {
  const out: Event[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

const key = (o: EventOffset | undefined) => o!.toString();

describe('replay from Kafka', () => {
  it('reads every event up to the end captured at the start, with offsets, joining no group', async () => {
    const { topic, sent } = await seed(300);
    const updates: ReplayProgress[] = [];
    const events = await collect(replay({ source: kafkaReplaySource({ brokers }), topic, chunk: 50, onProgress: (p) => updates.push(p) }));
    expect(events.map((e) => e.id).sort()).toEqual(sent.map((e) => e.id).sort());
    const byId = new Map(sent.map((e) => [e.id, key(e.offset)]));
    for (const e of events) expect(key(e.offset)).toBe(byId.get(e.id));
    expect(updates.at(-1)).toMatchObject({ events: 300, records: 300, done: 1, etaSeconds: 0 });
    expect(updates.map((u) => u.done)).toEqual([...updates.map((u) => u.done)].sort((a, b) => a - b));
    expect(updates.length).toBeGreaterThan(6);
    const middle = updates[Math.floor(updates.length / 2)]!;
    expect(middle.done).toBeGreaterThan(0);
    expect(middle.done).toBeLessThan(1);
    expect(middle.rate).toBeGreaterThan(0);
    expect(Number.isFinite(middle.etaSeconds)).toBe(true);
    expect(updates.at(-1)!.bytes).toBe(sent.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e.payload)), 0));
  });

  it('stops at the end captured when it started, while writes go on', async () => {
    const { topic, sent } = await seed(100);
    await using plugin = new KafkaProducerPlugin({ topic, brokers });
    await plugin.open();
    const seen: Event[] = [];
    for await (const e of replay({ source: kafkaReplaySource({ brokers }), topic, chunk: 10 })) {
      seen.push(e);
      // Written after the replay began: beyond its captured end.
      if (seen.length % 20 === 0) await plugin.send(Event.create({ category: 'order.placed', payload: { late: true } }));
    }
    expect(seen.map((e) => e.id).sort()).toEqual(sent.map((e) => e.id).sort());
  });

  it('filters by category without decoding the others, and replays between two positions', async () => {
    const { topic, sent } = await seed(90);
    const shipped = await collect(replay({ source: kafkaReplaySource({ brokers }), topic, categories: ['order.shipped'] }));
    expect(shipped.map((e) => e.id).sort()).toEqual(sent.filter((e) => e.category === 'order.shipped').map((e) => e.id).sort());
    const orders = await collect(replay({ source: kafkaReplaySource({ brokers }), topic, categories: ['order.*'] }));
    expect(orders).toHaveLength(60);

    // From the position after the first 30 events of the run, to the one after the first 60.
    const after = (n: number) => sent.slice(0, n).reduce((p, e) => p.advancedPast(e.offset!), Position.empty);
    const middle = await collect(replay({ source: kafkaReplaySource({ brokers }), topic, from: after(30).toString(), to: after(60) }));
    expect(middle.map((e) => e.id).sort()).toEqual(sent.slice(30, 60).map((e) => e.id).sort());
  });

  it('starts at a time through the broker offsets-for-times', async () => {
    const base = DateTime.utc(2024, 1, 1).toMillis();
    const { topic, sent } = await seed(60, (i) => base + i * 1000);
    const events = await collect(replay({ source: kafkaReplaySource({ brokers }), topic, from: DateTime.fromMillis(base + 40_000) }));
    expect(events.map((e) => e.id).sort()).toEqual(sent.slice(40).map((e) => e.id).sort());
  });

  it('names the valid range when a position lies outside a partition', async () => {
    const { topic } = await seed(9);
    const error = await collect(replay({ source: kafkaReplaySource({ brokers }), topic, from: `${topic}:0@1000` })).catch((e: unknown) => e);
    expect(isTributaryError(error, 'OFFSET_OUT_OF_RANGE')).toBe(true);
    expect((error as Error).message).toMatch(/range 0 to \d+/);
  });
});

describe('kafkaReplaySource conformance', () => {
  replaySourceConformance(async (list) => {
    const topic = randomTopic('conf');
    await createTopics(brokers, [{ topic, numPartitions: 2 }]);
    await using plugin = new KafkaProducerPlugin({ topic, brokers });
    await plugin.open();
    return { source: kafkaReplaySource({ brokers }), topic, sent: await plugin.send(list) };
  });
});
