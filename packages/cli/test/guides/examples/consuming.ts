// A consumer group that starts at a stored position, routes by category, commits, reports lag, and is moved back.
import { randomUUID } from 'node:crypto';
import { Event, Position, type EventOffset } from '@tributary/core';
import { KafkaProducerPlugin } from '@tributary/producer-plugins';
import { ConsumerGroup, resetGroupOffsets } from '@tributary/consumer';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const topic = `guide-shop-${randomUUID().slice(0, 8)}`;
const groupId = `guide-fulfilment-${randomUUID().slice(0, 8)}`;

await using producer = new KafkaProducerPlugin({ topic, brokers, ensureTopics: [{ topic, partitions: 1 }, { topic: `${topic}.DLT`, partitions: 1 }] });
await producer.open();
const kinds = ['order.placed', 'audit.login', 'order.item.added', 'audit.logout'];
const sent = await producer.send(Array.from({ length: 12 }, (_, i) => Event.create({ category: kinds[i % 4]!, key: 'shop', payload: { n: i } })));

// A position is "the next offset per partition"; store its text anywhere, as a group or a replay's start.
const stored = Position.empty.advancedPast(sent[3]!.offset!).toString();
console.log(`stored position ${stored}`);

/** Run the group until it has handled `expected` events: `order.#` matches order.placed and order.item.added. */
async function run(expected: number): Promise<EventOffset[]> {
  const handled: EventOffset[] = [];
  const group = new ConsumerGroup({
    brokers,
    groupId,
    topics: [topic],
    from: stored, // only for partitions the group has no commit for
    handlers: { 'order.#': (event) => void handled.push(event.offset!) },
  });
  await group.start();
  for (const deadline = Date.now() + 30_000; handled.length < expected && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
  await group.commit(); // also done every commitIntervalMs, at rebalances and at stop
  const [lag] = await group.lag();
  console.log(`handled ${handled.length} order events from offset ${handled[0]?.offset}; committed ${lag?.committed}, lag ${lag?.lag}`);
  await group.stop();
  return handled;
}

await run(4); // from the stored position: offsets 4 to 11, of which 4 are order events

// Move the whole group back to the beginning (refused with GROUP_ACTIVE while a member runs).
await resetGroupOffsets({ brokers, groupId, topics: [topic], to: 'earliest' });
await run(6); // the commit now says 0: `from` no longer applies
console.log('consuming: done');
