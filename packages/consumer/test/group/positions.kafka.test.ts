import { describe, expect, inject, it } from 'vitest';
import { DateTime } from 'luxon';
import { Event, isTributaryError, Position } from '@tributary/core';
import { randomGroup } from '@tributary/test-kit';
import { OffsetOutOfRangeError } from '../../src/errors.js';
import { ConsumerGroup } from '../../src/group/consumer-group.js';
import { resetGroupOffsets } from '../../src/group/reset-group-offsets.js';
import type { ConsumerGroupOptions } from '../../src/group/options.js';
import { committedOffsets, freshTopic, publish, sleep, until } from '../support/kafka.js';

const brokers = inject('kafkaBrokers');

async function seed(count: number, timestamp?: (i: number) => number): Promise<{ topic: string; sent: Event[] }> {
  const topic = await freshTopic(brokers, 'positions', 2);
  const list = Array.from({ length: count }, (_, i) => Event.create({ category: 'pos.test', key: `k${i % 4}`, payload: { i }, ...(timestamp ? { timestamp: timestamp(i) } : {}) }));
  return { topic, sent: await publish(brokers, topic, list) };
}

function member(topic: string, seen: Event[], options: Partial<ConsumerGroupOptions> = {}): ConsumerGroup {
  return new ConsumerGroup({ brokers, groupId: randomGroup(), topics: [topic], fetchMaxWaitMs: 200, commitIntervalMs: 200, handlers: { '#': (e) => void seen.push(e) }, ...options });
}

/** Run a member until it saw `expected` events, then a little longer, so anything extra would show. */
async function consume(topic: string, expected: number, options: Partial<ConsumerGroupOptions> = {}): Promise<Event[]> {
  const seen: Event[] = [];
  const g = member(topic, seen, options);
  await g.start();
  try {
    await until(`${expected} events`, () => seen.length >= expected);
    await sleep(700);
  } finally {
    await g.stop();
  }
  return seen;
}

const positionAfter = (events: Event[]) => events.reduce((p, e) => p.advancedPast(e.offset!), Position.empty);
const ids = (events: Event[]) => events.map((e) => e.id).sort();

describe('ConsumerGroup positions', () => {
  it('applies from only where the group has no commit: a service restarted with the same from resumes at its commits', async () => {
    const { topic, sent } = await seed(40);
    const position = positionAfter(sent.slice(0, 25));
    const groupId = randomGroup();
    expect(ids(await consume(topic, 15, { groupId, from: position.toString() }))).toEqual(ids(sent.slice(25)));
    const more = await publish(brokers, topic, Array.from({ length: 10 }, (_, i) => Event.create({ category: 'pos.test', key: `k${i % 4}`, payload: { more: i } })));
    // The same from again: the group's commits win, so only the 10 new events come (not 25 + 10 again).
    expect(ids(await consume(topic, 10, { groupId, from: position.toString() }))).toEqual(ids(more));
    expect([...(await committedOffsets(brokers, groupId, topic)).values()].reduce<bigint>((n, o) => n + o!, 0n)).toBe(50n);
  });

  it('moves a whole group with resetGroupOffsets only while it has no member', async () => {
    const { topic, sent } = await seed(30);
    const groupId = randomGroup();
    expect(ids(await consume(topic, 30, { groupId }))).toEqual(ids(sent));
    const position = positionAfter(sent.slice(0, 20));
    const seen: Event[] = [];
    const running = member(topic, seen, { groupId });
    await running.start();
    try {
      const refused = await resetGroupOffsets({ brokers, groupId, topics: [topic], to: position }).catch((e: unknown) => e);
      expect(isTributaryError(refused, 'GROUP_ACTIVE')).toBe(true);
      expect((refused as Error).message).toContain(groupId);
    } finally {
      await running.stop();
    }
    const moved = await resetGroupOffsets({ brokers, groupId, topics: [topic], to: position });
    expect(moved.map((m) => `${m.partition}@${m.offset}`).sort()).toEqual(position.entries().map((e) => `${e.partition}@${e.next}`).sort());
    expect(ids(await consume(topic, 10, { groupId }))).toEqual(ids(sent.slice(20)));
    await resetGroupOffsets({ brokers, groupId, topics: [topic], to: 'earliest' });
    expect(ids(await consume(topic, 30, { groupId }))).toEqual(ids(sent));
  });

  it("starts at 'latest': only what is written after the start", async () => {
    const { topic } = await seed(10);
    const seen: Event[] = [];
    const g = member(topic, seen, { from: 'latest' });
    await g.start();
    try {
      const later = await publish(brokers, topic, [Event.create({ category: 'pos.test', payload: { late: 1 } }), Event.create({ category: 'pos.test', payload: { late: 2 } })]);
      await until('the later events', () => seen.length >= 2);
      await sleep(500);
      expect(ids(seen)).toEqual(ids(later));
    } finally {
      await g.stop();
    }
  });

  it('starts at an EventOffset, that event included', async () => {
    const { topic, sent } = await seed(20);
    const at = sent.filter((e) => e.offset!.partition === 0)[3]!;
    const expected = sent.filter((e) => e.offset!.partition === 1 || e.offset!.offset >= at.offset!.offset);
    expect(ids(await consume(topic, expected.length, { from: at.offset! }))).toEqual(ids(expected));
  });

  it('starts at a time, through the broker offsets-for-times (DateTime or ISO text)', async () => {
    const base = DateTime.utc(2024, 5, 1).toMillis();
    const { topic, sent } = await seed(30, (i) => base + i * 60_000);
    expect(ids(await consume(topic, 10, { from: DateTime.fromMillis(base + 20 * 60_000) }))).toEqual(ids(sent.slice(20)));
    expect(ids(await consume(topic, 5, { from: DateTime.fromMillis(base + 25 * 60_000).toUTC().toISO()! }))).toEqual(ids(sent.slice(25)));
  });

  it('fails to start at a position outside a partition, naming its range, unless told to reset', async () => {
    const { topic, sent } = await seed(10);
    const high0 = sent.filter((e) => e.offset!.partition === 0).length;
    const g = member(topic, [], { from: `${topic}:0@5000` });
    const error = await g.start().catch((e: unknown) => e);
    await g.stop();
    expect(error).toBeInstanceOf(OffsetOutOfRangeError);
    expect(isTributaryError(error, 'OFFSET_OUT_OF_RANGE')).toBe(true);
    expect((error as OffsetOutOfRangeError).context).toMatchObject({ topic, partition: 0, offset: '5000', low: '0', high: String(high0) });
    expect((error as Error).message).toContain(`range 0 to ${high0}`);
    expect(ids(await consume(topic, 10, { from: `${topic}:0@5000`, onOutOfRange: 'earliest' }))).toEqual(ids(sent));
  });

  it('seeks while running: each partition goes on from the position, and nothing before it is delivered after the seek', async () => {
    const { topic, sent } = await seed(40);
    const seen: Event[] = [];
    const g = member(topic, seen);
    await g.start();
    try {
      await until('all events', () => seen.length >= 40);
      const back = positionAfter(sent.slice(0, 10));
      const mark = seen.length;
      await g.seek(back);
      await until('events again from the position', () => seen.length >= mark + 30);
      await sleep(700);
      const after = seen.slice(mark);
      expect(ids(after)).toEqual(ids(sent.slice(10)));
      for (const e of after) expect(e.offset!.offset).toBeGreaterThanOrEqual(back.get(topic, e.offset!.partition)!);
      // Out of range while running: a typed error, and nothing moved.
      await expect(g.seek(`${topic}:1@9999`)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
      await sleep(500);
      expect(seen.length).toBe(mark + 30);
    } finally {
      await g.stop();
    }
  });

  it('seeks to the beginning while running, reading everything again', async () => {
    const { topic, sent } = await seed(20);
    const seen: Event[] = [];
    const g = member(topic, seen);
    await g.start();
    try {
      await until('all events', () => seen.length >= 20);
      await g.seekToBeginning();
      await until('all events again', () => seen.length >= 40);
      await sleep(500);
    } finally {
      await g.stop();
    }
    expect(ids(seen)).toEqual(ids([...sent, ...sent]));
  });
});
