// Load producer plugins by name, send events, and read what a failed send tells you.
import { randomUUID } from 'node:crypto';
import { Event, FailedToSendEventError, PluginConfigError, loadProducerPlugin } from '@tributary/core';
import '@tributary/producer-plugins'; // registers the built-in plugins: kafka, memory, file

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const topic = `guide-payments-${randomUUID().slice(0, 8)}`;

// The same code runs on any plugin: only the name and the settings change (a config file can hold both).
await using kafka = await loadProducerPlugin({
  plugin: 'kafka',
  settings: { topic, brokers, compression: 'zstd', ensureTopics: [{ topic, partitions: 2 }] },
});
await using memory = await loadProducerPlugin({ plugin: 'memory', settings: { topic, partitions: 2 } });

for (const plugin of [kafka, memory]) {
  await plugin.open();
  const events = ['payment.authorized', 'payment.captured'].map((category) => Event.create({ category, key: 'payment-1', payload: { amount: 99 } }));
  const sent = await plugin.send(events);
  // The same key goes to the same partition, in order: the offsets show it.
  console.log(`${plugin.name}: ${sent.map((e) => `${e.category} -> ${e.offset}`).join(', ')}`);
}

// A wrong setting fails when the plugin is made, naming the setting.
const bad = await loadProducerPlugin({ plugin: 'kafka', settings: { topic, brokers, acks: 2 } }).catch((error: unknown) => error);
if (bad instanceof PluginConfigError) console.log(`refused: ${bad.code} at ${String(bad.context.path)}`);

// A send that fails says, for each event, whether it is certainly not in the log (failed) or may be (unknown):
// here the second event is over the plugin's maxEventBytes, so nothing of the call was written.
const big = Event.create({ category: 'payment.receipt', key: 'payment-1', payload: { pdf: 'x'.repeat(2_000_000) } });
try {
  const batch: Event[] = [Event.create({ category: 'payment.refunded', key: 'payment-1', payload: { amount: 99 } }), big];
  await kafka.send(batch);
} catch (error) {
  if (!(error instanceof FailedToSendEventError)) throw error;
  console.log(`${error.code}: failed ${error.eventsWith('failed').length}, unknown ${error.eventsWith('unknown').length} (${error.cause instanceof Error ? error.cause.message : ''})`);
}
