// Replay a range of a topic without a consumer group: from a stored position to the end, one category, with progress.
import { randomUUID } from 'node:crypto';
import { Event, Position } from '@tributary/core';
import { KafkaProducerPlugin } from '@tributary/producer-plugins';
import { kafkaReplaySource, replay, type ReplayProgress } from '@tributary/consumer';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const topic = `guide-ledger-${randomUUID().slice(0, 8)}`;

await using producer = new KafkaProducerPlugin({ topic, brokers, ensureTopics: [{ topic, partitions: 3 }] });
await producer.open();
const categories = ['ledger.credit', 'ledger.debit', 'report.daily'];
const sent = await producer.send(Array.from({ length: 300 }, (_, i) => Event.create({ category: categories[i % 3]!, key: `account-${i % 10}`, payload: { amount: i } })));

// The position after the first 150 events, as a service would have stored it.
const stored = sent.slice(0, 150).reduce((position, event) => position.advancedPast(event.offset!), Position.empty);

let last: ReplayProgress | undefined;
let total = 0;
for await (const event of replay({
  source: kafkaReplaySource({ brokers }),
  topic,
  from: stored, // or 'earliest', a time, or a Position's text
  to: 'end', // the end of each partition when the replay starts
  categories: ['ledger.*'], // report.daily records are skipped without decoding
  chunk: 50,
  onProgress: (progress) => (last = progress),
})) {
  total += (event.payload as { amount: number }).amount;
}
console.log(`replayed ${last?.events} ledger events of ${last?.records} records read (${Math.round((last?.done ?? 0) * 100)}%), amounts summing to ${total}`);
const expected = sent.slice(150).filter((e) => e.category.startsWith('ledger.'));
console.log(`replay: ${last?.events} of the ${expected.length} ledger events sent after the stored position`);
