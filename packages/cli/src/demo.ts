/**
 * The README's main job: start (or find) a Kafka, publish categorized events through the kafka producer
 * plugin, consume them with a group of two workers that split the partitions and filter by category, then
 * replay the topic from a stored position with a progress bar, then send requests between sessions (to a path
 * and to a session filter) follow a job's stream with a listener that joins late, and run a chained command. With no Kafka to be had, it says so and runs
 * the publish and replay on the embedded memory bus.
 */
import { DateTime } from 'luxon';
import { Event, Position, type ProducerPlugin } from '@tributary/core';
import { ConsumerGroup, kafkaReplaySource, memoryReplaySource, replay, type ReplaySource } from '@tributary/consumer';
import { KafkaProducerPlugin, MemoryBus, MemoryProducerPlugin } from '@tributary/producer-plugins';
import { provideKafka, type KafkaEndpoint } from '@tributary/test-kit';
import { requestsOnKafka } from './demo-messaging.js';
import { streamOnKafka } from './demo-streams.js';
import { commandsOnKafka } from './demo-commands.js';
import { drawProgress } from './cli/progress.js';

const TOPIC = `tributary-demo-${DateTime.utc().toFormat('yyyyLLdd-HHmmss')}`;
const PARTITIONS = 4;

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
  await using producer = new KafkaProducerPlugin({ topic: TOPIC, brokers, ensureTopics: [{ topic: TOPIC, partitions: PARTITIONS }, { topic: `${TOPIC}.DLT`, partitions: 1 }] });
  await producer.open();
  const workers = await startTwoWorkers(brokers);
  const sent = await publish(producer);
  await workers.finish(sent.filter((e) => e.category.startsWith('order.')).length);
  await replayFrom(kafkaReplaySource({ brokers, clientId: 'tributary-demo' }), sent);
  await requestsOnKafka(brokers, TOPIC);
  await streamOnKafka(brokers, TOPIC);
  await commandsOnKafka(brokers, TOPIC);
}

async function roundTripInMemory(): Promise<void> {
  const bus = new MemoryBus();
  await using producer = new MemoryProducerPlugin({ topic: TOPIC, partitions: PARTITIONS }, { bus });
  await replayFrom(memoryReplaySource(bus), await publish(producer));
}

function sampleEvents(count: number): Event[] {
  const kinds = ['user.created', 'order.placed', 'order.shipped', 'audit.login'];
  return Array.from({ length: count }, (_, i) => {
    const category = kinds[i % kinds.length]!;
    return Event.create({ category, key: `${category.split('.')[0]}-${i % 6}`, payload: { n: i, at: DateTime.utc().toISO() } });
  });
}

async function publish(producer: ProducerPlugin<object>): Promise<Event[]> {
  if (producer.state === 'new') await producer.open();
  const sent = await producer.send(sampleEvents(400));
  console.log(`\nPublished ${sent.length} events to "${TOPIC}" with the ${producer.name} plugin, for example:`);
  for (const e of sent.slice(0, 4)) console.log(`  ${e.offset} ${e.category.padEnd(14)} id=${e.id}`);
  return sent;
}

/**
 * Two workers in one group that handle only order.* events (the rest is filtered). Both are started, and the
 * group is given time to rebalance until each owns partitions, before anything is published: otherwise the
 * first to join could read the whole topic before the second arrives.
 */
async function startTwoWorkers(brokers: string[]): Promise<{ finish(expected: number): Promise<void> }> {
  const groupId = `tributary-demo-${Date.now()}`;
  const perWorker = new Map<string, { events: number; partitions: Set<number> }>();
  const worker = (name: string) => {
    perWorker.set(name, { events: 0, partitions: new Set() });
    return new ConsumerGroup({
      brokers, groupId, topics: [TOPIC], clientId: name,
      handlers: { 'order.*': (e) => { const w = perWorker.get(name)!; w.events++; w.partitions.add(e.offset!.partition); } },
    });
  };
  const names = ['worker-a', 'worker-b'];
  const workers = names.map(worker);
  await Promise.all(workers.map((w) => w.start()));
  // Split once each owns some partitions and together they own each one once: a member still holding the view
  // of the generation it joined alone would count all of them.
  const split = () => {
    const owned = workers.map((w) => w.assignment().length);
    return owned.every((n) => n > 0) && owned.reduce((a, b) => a + b, 0) === PARTITIONS;
  };
  for (const deadline = Date.now() + 30_000; !split() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
  console.log(`
Started a group of two workers: ${workers.map((w, i) => `${names[i]} owns partitions ${w.assignment().map((p) => p.partition).sort().join(', ') || '(none yet)'}`).join('; ')}.`);
  return {
    async finish(expected) {
      const total = () => [...perWorker.values()].reduce((n, w) => n + w.events, 0);
      for (const deadline = Date.now() + 60_000; total() < expected && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 200));
      await Promise.all(workers.map((w) => w.stop()));
      console.log(`
The two workers handled ${total()} of ${expected} order.* events (other categories filtered, still committed):`);
      for (const [name, w] of perWorker) console.log(`  ${name}: ${w.events} events from partitions ${[...w.partitions].sort().join(', ') || '(none)'}`);
    },
  };
}

/** Replay everything after a stored position, drawing a progress bar. */
async function replayFrom(source: ReplaySource, sent: Event[]): Promise<void> {
  const stored = sent.slice(0, 100).reduce((p, e) => p.advancedPast(e.offset!), Position.empty).toString();
  console.log(`\nReplaying from the stored position "${stored}" to the end:`);
  let count = 0;
  for await (const _event of replay({ source, topic: TOPIC, from: stored, chunk: 25, onProgress: drawProgress })) count++;
  process.stdout.write('\n');
  console.log(`Replayed ${count} events (the ${sent.length - 100} published after the stored position).`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
