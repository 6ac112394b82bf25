/**
 * The README's main job: start (or find) a Kafka, publish a few categorized events through the kafka
 * producer plugin, and read them back with their offsets. With no Kafka to be had, it says so and runs the
 * same round trip on the embedded memory bus.
 */
import { DateTime } from 'luxon';
import { Event, createCodecLookup, decodeEvent, EventOffset, type ProducerPlugin } from '@tributary/core';
import { KafkaProducerPlugin, MemoryBus, MemoryProducerPlugin, readToEnd } from '@tributary/producer-plugins';
import { provideKafka, testKafka, type KafkaEndpoint } from '@tributary/test-kit';

const TOPIC = `tributary-demo-${DateTime.utc().toFormat('yyyyLLdd-HHmmss')}`;

function sampleEvents(): Event[] {
  return [
    Event.create({ category: 'user.created', key: 'user-1', payload: { id: 'user-1', name: 'Ada' } }),
    Event.create({ category: 'order.placed', key: 'order-7', payload: { id: 'order-7', user: 'user-1', total: 42.5 } }),
    Event.create({ category: 'user.email-changed', key: 'user-1', payload: { id: 'user-1', email: 'ada@example.org' }, type: 'v2' }),
    Event.create({ category: 'order.shipped', key: 'order-7', payload: { id: 'order-7', carrier: 'post' } }),
  ];
}

async function main(): Promise<void> {
  let endpoint: KafkaEndpoint | undefined;
  try {
    endpoint = await provideKafka({ log: (line) => console.log(`[kafka] ${line}`) });
  } catch (error) {
    console.log(`[kafka] No Kafka could be had (${(error as Error).message.split('\n')[0]}).`);
    console.log('[kafka] Falling back to the embedded memory bus: the same round trip, in process.');
  }
  try {
    if (endpoint) await roundTripOnKafka(endpoint.brokers);
    else await roundTripInMemory();
  } finally {
    await endpoint?.stop();
  }
}

async function roundTripOnKafka(brokers: string[]): Promise<void> {
  await using producer = new KafkaProducerPlugin({ topic: TOPIC, brokers, ensureTopics: [{ topic: TOPIC, partitions: 3 }] });
  await publish(producer);
  const codecs = createCodecLookup();
  const records = await readToEnd(testKafka(brokers, 'tributary-demo'), TOPIC);
  console.log(`\nRead back ${records.length} events from Kafka:`);
  for (const r of records) {
    const record = { key: r.key, value: r.value ?? Buffer.alloc(0), headers: r.headers, timestamp: r.timestamp };
    const event = await decodeEvent(record, codecs, r.topic, EventOffset.of(r.topic, r.partition, r.offset));
    console.log(`  ${event.offset} ${event.category.padEnd(20)} ${JSON.stringify(event.payload)}`);
  }
}

async function roundTripInMemory(): Promise<void> {
  const bus = new MemoryBus();
  await using producer = new MemoryProducerPlugin({ topic: TOPIC, partitions: 3 }, { bus });
  await publish(producer);
}

async function publish(producer: ProducerPlugin<object>): Promise<void> {
  await producer.open();
  const sent = await producer.send(sampleEvents());
  console.log(`\nPublished ${sent.length} events to "${TOPIC}" with the ${producer.name} plugin:`);
  for (const e of sent) console.log(`  ${e.offset} ${e.category.padEnd(20)} id=${e.id}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
