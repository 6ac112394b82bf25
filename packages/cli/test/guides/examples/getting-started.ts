// Publish three categorized events with the kafka producer plugin, then read them back with a consumer group.
import { randomUUID } from 'node:crypto';
import { Event } from '@tributary/core';
import { KafkaProducerPlugin } from '@tributary/producer-plugins';
import { ConsumerGroup } from '@tributary/consumer';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const topic = `guide-orders-${randomUUID().slice(0, 8)}`;

// Topics are never auto-created: the plugin makes them at open(), the dead-letter topic included.
await using producer = new KafkaProducerPlugin({
  topic,
  brokers,
  ensureTopics: [{ topic, partitions: 3 }, { topic: `${topic}.DLT`, partitions: 1 }],
});
await producer.open();
const events: Event[] = [
  Event.create({ category: 'order.placed', key: 'order-1', payload: { total: 42.5 } }),
  Event.create({ category: 'order.shipped', key: 'order-1', payload: { carrier: 'post' } }),
  Event.create({ category: 'user.created', key: 'user-9', payload: { name: 'Ada' } }),
];
const sent = await producer.send(events);
for (const event of sent) console.log(`sent ${event.category} at ${event.offset}`);

// A group handles the order.* events; the user.created event is filtered out (and still committed).
const seen: string[] = [];
await using group = new ConsumerGroup({
  brokers,
  groupId: `guide-billing-${randomUUID().slice(0, 8)}`,
  topics: [topic],
  handlers: { 'order.*': (event) => void seen.push(`${event.category} ${JSON.stringify(event.payload)}`) },
});
await group.start();
for (const deadline = Date.now() + 30_000; seen.length < 2 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
await group.stop();
for (const line of seen.sort()) console.log(`handled ${line}`);
console.log(`getting started: handled ${seen.length} of 2 order events`);
