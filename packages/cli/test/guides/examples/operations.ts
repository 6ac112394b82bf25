// Running a consumer in production: Prometheus metrics, logs, a dead-letter topic, and a graceful stop on SIGTERM.
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { Event } from '@tributary/core';
import { readToEnd, type Logger } from '@tributary/kafka';
import { KafkaProducerPlugin } from '@tributary/producer-plugins';
import { ConsumerGroup, ConsumerMetricNames, DeadLetterHeaders, installShutdownHandlers } from '@tributary/consumer';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const topic = `guide-invoices-${randomUUID().slice(0, 8)}`;

// The dead-letter topic is never auto-created: without it, a failing record stalls its partition (reported).
await using producer = new KafkaProducerPlugin({ topic, brokers, ensureTopics: [{ topic, partitions: 2 }, { topic: `${topic}.DLT`, partitions: 1 }] });
await producer.open();
await producer.send(Array.from({ length: 5 }, (_, i) => Event.create({ category: 'invoice.issued', key: `invoice-${i}`, payload: { n: i, poison: i === 3 } })));

// Logs: any object with debug/info/warn/error (pino fits); the default prints warnings and errors to stderr as JSON.
const logger: Logger = {
  debug() {},
  info() {},
  warn: (obj, msg) => console.log(`log warn: ${msg}`),
  error: (obj, msg) => console.log(`log error: ${msg}`),
};
const registry = new Registry();
const group = new ConsumerGroup({
  brokers,
  groupId: `guide-accounts-${randomUUID().slice(0, 8)}`,
  topics: [topic],
  handlers: {
    'invoice.*': (event) => {
      if ((event.payload as { poison: boolean }).poison) throw new Error(`invoice ${event.key} has no customer`);
    },
  },
  retry: { attempts: 2, initialDelayMs: 50 }, // then the record goes to <topic>.DLT
  metrics: { registry },
  logger,
  onError: (error) => console.log(`stalled: ${error.message}`),
});
// SIGTERM (Kubernetes) or SIGINT (Ctrl-C): drain in-flight handlers, commit, leave the group, within the deadline.
const stopped = new Promise<boolean>((resolve) => installShutdownHandlers(group, { deadlineMs: 10_000, exit: false, onStopped: resolve }));
await group.start();
for (const deadline = Date.now() + 30_000; group.counters.handled + group.counters.deadLettered < 5 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));

// Metrics: scrape `registry.metrics()` from your /metrics endpoint.
const metrics = await registry.metrics();
for (const name of [ConsumerMetricNames.handled, ConsumerMetricNames.retried, ConsumerMetricNames.deadLettered]) {
  console.log(metrics.split('\n').find((line) => line.startsWith(`${name}{`)));
}

// The dead letter keeps the original key, value and headers, and says where it came from and why.
const [dead] = await readToEnd({ brokers }, `${topic}.DLT`);
const header = (name: string) => dead?.headers[name]?.toString();
console.log(`dead letter: ${dead?.key?.toString()} from ${header(DeadLetterHeaders.topic)}:${header(DeadLetterHeaders.partition)}@${header(DeadLetterHeaders.offset)} after ${header(DeadLetterHeaders.attempts)} attempts: ${header(DeadLetterHeaders.errorMessage)}`);

process.kill(process.pid, 'SIGTERM');
console.log(`stopped on SIGTERM: ${(await stopped) ? 'cleanly' : 'with a failure'}, state ${group.state}`);
