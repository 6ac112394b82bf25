import { jsonCodec, type Codec, type Event } from '@tributary/core';
import { KafkaProducerPlugin } from '@tributary/producer-plugins';
import type { RawMessage as Message } from '../raw-kafkajs.js';
import type { BenchContext, Suite } from '../context.js';
import type { Figure } from '../figures.js';
import { avroCodec, makeEvents } from '../events.js';
import { envelopeHeaderCost } from '../header-cost.js';
import { javaAnchorRecords, javaDefaultProducer } from '../java-producer-anchor.js';
import { measure, medianRound, sampleRssMiB } from '../measure.js';
import { describeProbe } from '../probe.js';
import { platformaticRuntime, runPlatformaticProducer } from '../platformatic-anchor.js';
import { producerRssOverEvents } from '../producer-rss.js';
import { benchKafka } from '../raw-kafkajs.js';
import { createTopic } from '../topics.js';
import { workloads } from './baseline.js';

const BATCH = 1000;
/**
 * Batches of `send()` kept in flight by the pipelined figure: Java's ProducerPerformance never waits for an
 * acknowledgement before its next `send()` (its sender thread has up to five requests in flight while the main
 * thread encodes), so a like-for-like Node workload keeps encoding while earlier batches are at the broker.
 */
const PIPELINED = 4;
let rssWhileSending = 0;
/**
 * What a team rolling its own on kafkajs writes: encode each payload and set the same headers by hand, then
 * `sendBatch`. The anchor carries the same bytes as the plugin and pays for its own encoding, as users would.
 */
function handRolled(events: Event[], codec: Codec, topic: string): Message[] {
  const out: Message[] = [];
  for (const e of events) {
    const value = codec.encode(e.payload, { topic, category: e.category }) as Buffer;
    const timestamp = String(e.timestamp.toMillis());
    out.push({
      key: e.key,
      value,
      timestamp,
      headers: { 'tributary-id': e.id, 'tributary-category': e.category, 'tributary-timestamp': timestamp, 'tributary-codec': codec.name },
    });
  }
  return out;
}

async function produceHandRolled(ctx: BenchContext, w: { size: number; count: number }, codec: Codec, topic: string): Promise<void> {
  const producer = benchKafka(ctx.brokers).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < w.count; i += BATCH) {
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: handRolled(makeEvents(Math.min(BATCH, w.count - i), w.size, i), codec, topic) }] });
    }
  } finally {
    await producer.disconnect();
  }
}

/** The Node 24 runtime of the @platformatic/kafka anchor, installed once per run; a note when it cannot run. */
let platformatic: Awaited<ReturnType<typeof platformaticRuntime>> | undefined;

/**
 * @platformatic/kafka on Node 24 sending the benchmark's events with the same headers, JSON-encoded by hand inside
 * its timed loop as the kafkajs anchor does, 1000 at a time, each send awaited; undefined (and a logged note)
 * where it cannot run.
 */
async function platformaticAnchor(ctx: BenchContext, w: { label: string; size: number; count: number }): Promise<{ value: number; cpu: number } | undefined> {
  platformatic ??= await platformaticRuntime(ctx.log);
  if ('skip' in platformatic) {
    ctx.log(`producer: @platformatic/kafka anchor skipped: ${platformatic.skip}`);
    return undefined;
  }
  const topic = await createTopic(ctx, `bench-send-platformatic-${w.size}`);
  ctx.log(`producer: @platformatic/kafka (Node 24) ${w.count} x ${w.label}`);
  try {
    const run = await runPlatformaticProducer(platformatic, ctx.brokers, topic, w, BATCH);
    return { value: w.count / run.seconds, cpu: run.cpuSeconds };
  } catch (error) {
    ctx.log(`producer: @platformatic/kafka anchor failed, left out: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

async function sendThroughput(ctx: BenchContext, w: { label: string; size: number; count: number }, codecName: 'json' | 'avro'): Promise<void> {
  const codec = codecName === 'json' ? jsonCodec : avroCodec();
  const first = makeEvents(1, w.size)[0]!;
  const rawTopic = await createTopic(ctx, `bench-send-raw-${w.size}`);
  // Registers the Avro schema before either side is timed.
  await codec.encode(first.payload, { topic: rawTopic, category: first.category });
  ctx.log(`producer: raw kafkajs ${w.count} x ${w.label} ${codecName} records`);
  const raw = await measure(() => produceHandRolled(ctx, w, codec, rawTopic), ctx.brokerPid);
  const topic = await createTopic(ctx, `bench-send-${w.size}`);
  await using plugin = new KafkaProducerPlugin({ topic, brokers: ctx.brokers, maxEventBytes: 2 * 1024 * 1024 }, { codecs: { default: codec } });
  await plugin.open();
  ctx.log(`producer: send() ${w.count} x ${w.label} ${codecName}`);
  const { result: sent, peakMiB } = await sampleRssMiB(() =>
    measure(async () => {
      for (let i = 0; i < w.count; i += BATCH) await plugin.send(makeEvents(Math.min(BATCH, w.count - i), w.size, i));
    }, ctx.brokerPid),
  );
  rssWhileSending = Math.max(rssWhileSending, peakMiB);
  const java = ctx.find('producer', `java ProducerPerformance defaults ${w.label}`);
  const platformaticRun = codecName === 'json' ? await platformaticAnchor(ctx, w) : undefined;
  const value = w.count / sent.seconds;
  const perRecord = (cpu: number) => `${((cpu / w.count) * 1e6).toFixed(1)} us/record`;
  const versusPlatformatic = platformaticRun ? `; >= 1.0x @platformatic/kafka: ${(value / platformaticRun.value).toFixed(2)}x, ${value >= platformaticRun.value ? 'met' : '**not met**'} (its CPU ${perRecord(platformaticRun.cpu)})` : '';
  ctx.figures.push({
    suite: 'producer',
    name: `send() ${w.label} ${codecName}`,
    value,
    unit: 'events/s',
    anchors: [
      { name: 'raw kafkajs sendBatch', value: w.count / raw.seconds },
      ...(platformaticRun ? [{ name: '@platformatic/kafka (Node 24)', value: platformaticRun.value }] : []),
      ...(java ? [{ name: 'java ProducerPerformance defaults', value: java.value }] : []),
    ],
    target: { ratio: 2, anchor: 'raw kafkajs sendBatch' },
    cpu: sent.cpu,
    notes:
      `send() of ${BATCH} events awaited in turn (client CPU ${perRecord(sent.cpu.client)}), vs kafkajs sendBatch of ${BATCH} records encoded by hand with the same codec and headers (${perRecord(raw.cpu.client)})` +
      `${versusPlatformatic}; Java sends bare ${w.size} B values without the ~150 B of headers, pipelined (targets >= ${w.size < 1000 ? '0.5' : '0.9'}x)`,
  });
}

/** Rounds of Java's ProducerPerformance and the pipelined send(), interleaved so drift on the host touches both alike. */
const JAVA_ROUNDS = 3;

/**
 * `send()` of 1000 events with up to {@link PIPELINED} calls in flight, each awaited only to keep the bound: how a
 * Node service sends as fast as it can, and what Java's ProducerPerformance does.
 */
async function pipelinedRun(ctx: BenchContext, w: { label: string; size: number; count: number }) {
  const topic = await createTopic(ctx, `bench-send-pipelined-${w.size}`);
  await using plugin = new KafkaProducerPlugin({ topic, brokers: ctx.brokers, maxEventBytes: 2 * 1024 * 1024 }, { codecs: { default: jsonCodec } });
  await plugin.open();
  ctx.log(`producer: send() ${w.count} x ${w.label} json, ${PIPELINED} in flight`);
  const run = await measure(async () => {
    const inFlight = new Set<Promise<unknown>>();
    for (let i = 0; i < w.count; i += BATCH) {
      const call = plugin.send(makeEvents(Math.min(BATCH, w.count - i), w.size, i));
      inFlight.add(call);
      void call.finally(() => inFlight.delete(call)).catch(() => {});
      if (inFlight.size >= PIPELINED) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  }, ctx.brokerPid);
  ctx.log(`producer: send() ${w.label}, ${PIPELINED} in flight: ${(w.count / run.seconds).toFixed(0)} events/s; ${describeProbe(run.probe, w.count)}`);
  return run;
}

/**
 * Java's ProducerPerformance with default settings and the pipelined send(), in {@link JAVA_ROUNDS} interleaved
 * rounds on fresh topics: on this shared two-core host one Java run has moved by a third between runs of the
 * benchmark, so a single run of each minutes apart says more about the host than about either producer. Each
 * figure is the median round; the notes give every round. Both send the same number of records.
 */
async function pipelinedVersusJava(ctx: BenchContext, workload: { label: string; size: number; count: number }): Promise<void> {
  // As many events as Java sends records. A run of a tenth of that (100,000 at 1 KiB) used about 13.5 us of CPU a
  // record against 9.5 us over 500,000: warming up (V8's compilers, a young heap grown again page by page) that
  // Java's long run amortizes.
  const w = { ...workload, count: javaAnchorRecords(ctx.scale) };
  const java: Figure[] = [];
  const sent: Array<Awaited<ReturnType<typeof pipelinedRun>>> = [];
  for (let round = 1; round <= JAVA_ROUNDS; round++) {
    ctx.log(`producer: round ${round} of ${JAVA_ROUNDS}, ${w.label}: java ProducerPerformance, then send() with ${PIPELINED} in flight`);
    java.push(await javaDefaultProducer(ctx, w));
    sent.push(await pipelinedRun(ctx, w));
  }
  const rates = sent.map((m) => w.count / m.seconds);
  const thousands = (values: number[]) => values.map((v) => (v / 1000).toFixed(0)).join(', ');
  const javaFigure = medianRound(java, (f) => f.value);
  ctx.figures.push({ ...javaFigure, notes: `${javaFigure.notes}; median of ${JAVA_ROUNDS} rounds interleaved with send() (${thousands(java.map((f) => f.value))} thousand/s)` });
  const ours = medianRound(sent, (m) => w.count / m.seconds);
  ctx.figures.push({
    suite: 'producer',
    name: `send() ${w.label} json, ${PIPELINED} in flight`,
    value: w.count / ours.seconds,
    unit: 'events/s',
    anchors: [{ name: 'java ProducerPerformance defaults', value: javaFigure.value }],
    target: { ratio: w.size < 1000 ? 0.5 : 0.9, anchor: 'java ProducerPerformance defaults' },
    cpu: ours.cpu,
    notes:
      `send() of ${BATCH} events, up to ${PIPELINED} calls in flight (client CPU ${((ours.cpu.client / w.count) * 1e6).toFixed(1)} us/record); ` +
      `median of ${JAVA_ROUNDS} rounds, each Java's run then this one on fresh topics (${thousands(rates)} thousand/s; ratio to Java by round ${rates.map((r, i) => (r / java[i]!.value).toFixed(2)).join(', ')}); ` +
      `Java's ProducerPerformance pipelines the same way, with bare ${w.size} B values and no headers`,
  });
}

async function concurrentSingles(ctx: BenchContext): Promise<void> {
  const topic = await createTopic(ctx, 'bench-singles');
  await using plugin = new KafkaProducerPlugin({ topic, brokers: ctx.brokers });
  await plugin.open();
  const concurrentCount = Math.round(20_000 * ctx.scale);
  const awaitedCount = Math.round(1_000 * ctx.scale);
  const many = makeEvents(concurrentCount, 100);
  ctx.log(`producer: ${concurrentCount} concurrent single-event send() calls`);
  const concurrent = await measure(() => Promise.all(many.map((e) => plugin.send(e))), ctx.brokerPid);
  const few = makeEvents(awaitedCount, 100);
  ctx.log(`producer: ${awaitedCount} single-event send() calls awaited one by one`);
  const awaited = await measure(async () => {
    for (const e of few) await plugin.send(e);
  }, ctx.brokerPid);
  ctx.figures.push({
    suite: 'producer',
    name: 'concurrent single-event send() 100 B',
    value: concurrentCount / concurrent.seconds,
    unit: 'events/s',
    anchors: [{ name: 'the same, awaited one by one', value: awaitedCount / awaited.seconds }],
    cpu: concurrent.cpu,
    notes:
      'concurrent sends merge into shared batches and requests, up to five requests in flight; the writer defaults (lingerMs 0, batchSize 256 KiB) were chosen by measurement on this machine: ' +
      'lingerMs 5 cut awaited send() throughput by a third to two thirds, batchSize 16 KiB moved a third of 256 KiB, 128 KiB about half, 256 KiB to 1 MiB the same within noise',
  });
}

/**
 * The kafka producer plugin's figures: send() against raw kafkajs, @platformatic/kafka on Node 24 and Java's
 * ProducerPerformance with its default settings, batching, memory.
 */
export const producer: Suite = {
  name: 'producer',
  title: 'Producer plugin (kafka): send() throughput, batching, memory',
  async run(ctx) {
    for (const w of workloads(ctx.scale)) {
      await pipelinedVersusJava(ctx, w);
      await sendThroughput(ctx, w, 'json');
      await sendThroughput(ctx, w, 'avro');
    }
    await concurrentSingles(ctx);
    ctx.figures.push({ suite: 'producer', name: 'peak RSS while sending', value: rssWhileSending, unit: 'MiB', anchors: [], notes: 'highest RSS of the benchmark process sampled every 50 ms during the send() workloads (events built a batch at a time); the process also holds the bench harness and kafkajs' });
    for (const w of workloads(ctx.scale)) ctx.figures.push(...(await envelopeHeaderCost(w.size)));
    ctx.figures.push(await producerRssOverEvents(ctx));
  },
};
