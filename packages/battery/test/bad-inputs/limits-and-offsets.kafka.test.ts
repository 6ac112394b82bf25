// Oversized events, a fetch size below a record's size, and invalid or out-of-range offsets given to from, seek
// and replay: each refused with its typed error naming the input and what was expected (or, for the fetch size,
// no error at all), and the records written after it all handled: the partition goes on.
//
// Already covered elsewhere, and not repeated here:
// - packages/producer-plugins/test/kafka/kafka-faults.kafka.test.ts and the conformance suite's "oversized"
//   case: an event above maxEventBytes fails EVENT_TOO_LARGE before sending, and a later send goes through;
// - packages/consumer/test/group/positions.kafka.test.ts: from beyond a partition fails start() naming the range
//   (and onOutOfRange resets); a seek out of range while running is refused and moves nothing;
// - packages/consumer/test/replay/replay.kafka.test.ts: replay from a position outside a partition names the range.
// What this adds: an event the client accepts but the broker refuses (the topic's max.message.bytes), malformed
// offsets (text, negative, a partition the topic lacks), and, after each refusal, every record written later read
// by the same running group or reader.
import { describe, expect, inject, it } from 'vitest';
import { ErrorCodes, Event, EventOffset, FailedToSendEventError, isTributaryError, Position, type TributaryError } from '@tributary/core';
import { silentLogger } from '@tributary/kafka';
import { KafkaProducerPlugin } from '@tributary/producer-plugins';
import { createTopics, randomGroup, randomTopic } from '@tributary/test-kit';
import { ConsumerGroup, createEventReader, kafkaReplaySource, replay } from '@tributary/consumer';
import { committedOffsets, expectExactly, expectOffsetOrder, freshTopic, publish, until } from './support/records.js';

const brokers = inject('kafkaBrokers');

const events = (count: number, tag: string, size = 0) =>
  Array.from({ length: count }, (_, i) => Event.create({ category: 'limit.test', key: `k${i % 4}`, payload: { tag, i, pad: 'x'.repeat(size) } }));

/** What `promise` rejected with; `'no error'` when it resolved (so a summary shows which input was let through). */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => 'no error', (e: unknown) => e);
}

function group(topic: string, seen: Event[], extra: Partial<ConstructorParameters<typeof ConsumerGroup>[0]> = {}): ConsumerGroup {
  return new ConsumerGroup({ brokers, groupId: randomGroup(), topics: [topic], fetchMaxWaitMs: 200, commitIntervalMs: 200, logger: silentLogger, handlers: { '#': (e) => void seen.push(e) }, ...extra });
}

describe('oversized events and small fetches', () => {
  it('fails an event the broker refuses as too large, typed and marked failed, and the events sent after it are written and read', async () => {
    const topic = randomTopic('broker-limit');
    await createTopics(brokers, [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '20000' }] }]);
    await using plugin = new KafkaProducerPlugin({ topic, brokers, requestTimeoutMs: 10_000 });
    await plugin.open();
    const before = await plugin.send(events(5, 'before'));
    const [big] = events(1, 'big', 60_000);
    const error = await failure(plugin.send(big!));
    expect(error).toBeInstanceOf(FailedToSendEventError);
    const outcome = (error as FailedToSendEventError).outcomes[0]!;
    // The broker answered: the event is certainly not in the log.
    expect(outcome.status).toBe('failed');
    const cause = (outcome as { error: TributaryError }).error;
    expect(isTributaryError(cause), String(cause)).toBe(true);
    expect(cause.message).toMatch(/large|size|max\.message\.bytes/i);
    const after = await plugin.send(events(5, 'after'));

    const seen: Event[] = [];
    const g = group(topic, seen);
    await g.start();
    try {
      await until('the ten events', () => seen.length >= 10);
      await until('committed to the end', async () => (await committedOffsets(brokers, g.groupId, topic)).get(0) === 10n);
    } finally {
      await g.stop();
    }
    expectExactly(seen.map((e) => e.id), [...before, ...after].map((e) => e.id));
  });

  it('reads records far larger than fetchMaxBytesPerPartition and fetchMaxBytes, whole, and everything behind them', async () => {
    const topic = await freshTopic(brokers, 'small-fetch', 2);
    // Records of 150 KiB between small ones: each fetch asks for 1 KiB, and the broker still returns the first batch whole.
    const sent = await publish(brokers, topic, [...events(6, 'small'), ...events(6, 'large', 150_000), ...events(6, 'small-after')]);
    const seen: Event[] = [];
    const g = group(topic, seen, { fetchMaxBytesPerPartition: 1024, fetchMaxBytes: 1024 });
    await g.start();
    try {
      await until('every event', () => seen.length >= sent.length, 60_000);
      expect(g.stalled()).toEqual([]);
    } finally {
      await g.stop();
    }
    expectExactly(seen.map((e) => e.id), sent.map((e) => e.id));
    expectOffsetOrder(seen);
    expect(seen.filter((e) => (e.payload as { pad: string }).pad.length === 150_000)).toHaveLength(6);

    // The same through the group-less reader with a chunk of one record.
    const replayed: Event[] = [];
    for await (const e of replay({ source: kafkaReplaySource({ brokers }), topic, chunk: 1 })) replayed.push(e);
    expectExactly(replayed.map((e) => e.id), sent.map((e) => e.id));
  });
});

describe('invalid and out-of-range offsets', () => {
  it('refuses malformed start positions at construction, naming the option and the forms expected', () => {
    const topic = randomTopic('never-read');
    const refused = (from: unknown) => {
      try {
        group(topic, [], { from: from as never });
      } catch (error) {
        return error as TributaryError;
      }
      throw new Error(`from ${String(from)} was accepted`);
    };
    for (const from of ['yesterday-ish', `${topic}:0@minus-one`, `${topic}:0@-1`, `${topic}:x@0`, 'other-topic:0@5', `${topic}:0@99999999999999999999999`]) {
      const error = refused(from);
      expect(error.code, from).toBe(ErrorCodes.INVALID_ARGUMENT);
      expect(error.context.option, from).toBe('from');
      expect(error.message, from).toMatch(/^from/);
    }
    expect(refused('yesterday-ish').message).toMatch(/'earliest', 'latest', a Position/);
    expect(refused('other-topic:0@5').message).toContain('other-topic');
    expect(() => EventOffset.of(topic, 0, -1n)).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }));
    expect(() => Position.parse('no-at-sign')).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }));
  });

  it('refuses bad seeks while running, typed, and the group goes on reading every record written after them', async () => {
    const topic = await freshTopic(brokers, 'bad-seek', 2);
    const first = await publish(brokers, topic, events(20, 'first'));
    const seen: Event[] = [];
    const g = group(topic, seen);
    await g.start();
    const refusals: Array<[string, unknown]> = [];
    try {
      await until('the first events', () => seen.length >= 20);
      for (const position of [`${topic}:0@999999`, `${topic}:0@-3`, `${topic}:7@0`, 'not a position', 'elsewhere:0@1']) {
        refusals.push([position, await failure(g.seek(position))]);
      }
      const later = await publish(brokers, topic, events(20, 'later'));
      await until('the later events', () => seen.length >= 40);
      await until('committed to the end', async () => [...(await committedOffsets(brokers, g.groupId, topic)).values()].reduce<bigint>((n, o) => n + (o ?? 0n), 0n) === 40n);
      expect(g.stalled()).toEqual([]);
      expectExactly(seen.map((e) => e.id), [...first, ...later].map((e) => e.id));
      expectOffsetOrder(seen);
    } finally {
      await g.stop();
    }
    const summary = refusals.map(([position, e]) => [position, isTributaryError(e) ? e.code : String(e), isTributaryError(e) && (e.message.includes(position.split(':')[0]!) || e.message.includes(position))]);
    expect(summary).toEqual([
      [`${topic}:0@999999`, ErrorCodes.OFFSET_OUT_OF_RANGE, true],
      [`${topic}:0@-3`, ErrorCodes.INVALID_ARGUMENT, true],
      [`${topic}:7@0`, ErrorCodes.INVALID_ARGUMENT, true],
      ['not a position', ErrorCodes.INVALID_ARGUMENT, true],
      ['elsewhere:0@1', ErrorCodes.INVALID_ARGUMENT, true],
    ]);
    expect((refusals[0]![1] as TributaryError).context).toMatchObject({ topic, partition: 0, offset: '999999', low: '0' });
  });

  it('refuses bad replay bounds and reader seeks, typed, and a later replay and read return every record', async () => {
    const topic = await freshTopic(brokers, 'bad-replay', 2);
    const sent = await publish(brokers, topic, events(30, 'all'));
    const collect = async (options: Partial<Parameters<typeof replay>[0]>) => {
      const out: Event[] = [];
      for await (const e of replay({ source: kafkaReplaySource({ brokers }), topic, ...options })) out.push(e);
      return out;
    };
    const outOfRange = (await failure(collect({ from: `${topic}:1@500` }))) as TributaryError;
    expect(outOfRange.code).toBe(ErrorCodes.OFFSET_OUT_OF_RANGE);
    expect(outOfRange.context).toMatchObject({ topic, partition: 1, offset: '500' });
    const malformed = (await failure(collect({ from: 'garbage' }))) as TributaryError;
    expect(malformed.code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(malformed.message).toContain('garbage');
    const noSuchPartition = (await failure(collect({ from: `${topic}:9@0` }))) as TributaryError;
    expect(noSuchPartition.code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(noSuchPartition.message).toContain(`${topic}:9@0 names partition 9`);
    const beyondEnd = (await failure(collect({ to: `${topic}:0@900` }))) as TributaryError;
    expect(isTributaryError(beyondEnd), String(beyondEnd)).toBe(true);
    expectExactly((await collect({})).map((e) => e.id), sent.map((e) => e.id));

    await using reader = createEventReader({ source: kafkaReplaySource({ brokers }), topic, idleTimeoutMs: 500 });
    const seekBeyond = (await failure(reader.seek(`${topic}:0@500`))) as TributaryError;
    expect(seekBeyond.code).toBe(ErrorCodes.OFFSET_OUT_OF_RANGE);
    expect(seekBeyond.message).toContain(`${topic}:0@500`);
    expect(((await failure(reader.seek('soon'))) as TributaryError).code).toBe(ErrorCodes.INVALID_ARGUMENT);
    const read: Event[] = [];
    for await (const e of reader.events()) read.push(e);
    expectExactly(read.map((e) => e.id), sent.map((e) => e.id));
  });
});
