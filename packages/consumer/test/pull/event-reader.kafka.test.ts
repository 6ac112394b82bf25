import { describe, expect, inject, it } from 'vitest';
import { isTributaryError, Position, type Event } from '@tributary/core';
import { EventReader } from '../../src/pull/event-reader.js';
import { kafkaReplaySource } from '../../src/replay/replay-source.js';
import { events, freshTopic, publish } from '../support/kafka.js';

const brokers = inject('kafkaBrokers');

describe('EventReader on Kafka', () => {
  it('seeks, iterates until idle, finds the next event of a category, and joins no group', async () => {
    const topic = await freshTopic(brokers, 'reader', 2, false);
    const sent = await publish(brokers, topic, events(30, ['user.created', 'order.placed', 'order.shipped']));
    await using reader = new EventReader({ source: kafkaReplaySource({ brokers }), topic, idleTimeoutMs: 300 });
    const all: Event[] = [];
    for await (const e of reader) all.push(e);
    expect(all.map((e) => e.id).sort()).toEqual(sent.map((e) => e.id).sort());
    const stored = sent.slice(0, 20).reduce((p, e) => p.advancedPast(e.offset!), Position.empty);
    await reader.seek(stored.toString());
    const rest: Event[] = [];
    for await (const e of reader) rest.push(e);
    expect(rest.map((e) => e.id).sort()).toEqual(sent.slice(20).map((e) => e.id).sort());
    await reader.seekToBeginning();
    const shipped = await reader.findNextEventOfCategory('order.shipped');
    expect(shipped?.category).toBe('order.shipped');
    expect(sent.some((e) => e.id === shipped!.id)).toBe(true);
    const error = await reader.seek(`${topic}:0@100000`).catch((e: unknown) => e);
    expect(isTributaryError(error, 'OFFSET_OUT_OF_RANGE')).toBe(true);
  });
});
