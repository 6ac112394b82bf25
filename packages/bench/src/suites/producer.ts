import { AvroCodec, InMemorySchemaRegistry, type AvroSchema, createCodecLookup, decodeEvent, encodeEvent, Event, jsonCodec, type Codec } from '@tributary/core';
import { KafkaProducerPlugin } from '@tributary/producer-plugins';
import type { Message } from 'kafkajs';
import type { BenchContext, Suite } from '../context.js';
import { measure, peakRssMiB } from '../measure.js';
import { benchKafka } from '../raw-kafkajs.js';
import { createTopic } from '../topics.js';
import { workloads } from './baseline.js';

const BATCH = 1000;
/** A typical business event: ids, an amount, a currency, a quantity, a time, and a free-text note. */
const avroSchema = {
  type: 'record',
  name: 'OrderPlaced',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'customerId', type: 'long' },
    { name: 'amount', type: 'double' },
    { name: 'currency', type: { type: 'enum', name: 'Currency', symbols: ['EUR', 'USD', 'GBP'] } },
    { name: 'quantity', type: 'int' },
    { name: 'placedAt', type: 'long' },
    { name: 'note', type: 'string' },
  ],
} as const;

/** Events whose JSON payload is about `size` bytes (the note pads it), keys spread over 64 values. */
function makeEvents(count: number, size: number, from = 0): Event[] {
  const base = { orderId: 'ord-0000000000', customerId: 1234567, amount: 1234.56, currency: 'EUR', quantity: 3, placedAt: 1700000000000, note: '' };
  const note = 'n'.repeat(Math.max(0, size - JSON.stringify(base).length));
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return Event.create({ category: 'bench.event', key: `key-${i % 64}`, payload: { ...base, orderId: `ord-${String(i).padStart(10, '0')}`, customerId: 1_000_000 + i, note } });
  });
}

function avroCodec(): AvroCodec {
  return new AvroCodec({ registry: new InMemorySchemaRegistry(), schemas: { 'bench.event': avroSchema as unknown as AvroSchema }, subjectStrategy: 'category' });
}

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
  const sent = await measure(async () => {
    for (let i = 0; i < w.count; i += BATCH) await plugin.send(makeEvents(Math.min(BATCH, w.count - i), w.size, i));
  }, ctx.brokerPid);
  const java = ctx.find('baseline', `java produce ${w.label}`);
  ctx.figures.push({
    suite: 'producer',
    name: `send() ${w.label} ${codecName}`,
    value: w.count / sent.seconds,
    unit: 'events/s',
    anchors: [{ name: 'raw kafkajs sendBatch', value: w.count / raw.seconds }, ...(java ? [{ name: 'java ProducerPerformance', value: java.value }] : [])],
    target: { ratio: 0.95, anchor: 'raw kafkajs sendBatch' },
    cpu: sent.cpu,
    notes: `send() of ${BATCH} events awaited in turn, vs kafkajs sendBatch of ${BATCH} records encoded by hand with the same codec and headers (raw CPU ${raw.cpu.client.toFixed(1)} s); Java sends bare ${w.size} B values without the ~150 B of headers`,
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
    notes: 'concurrent sends are merged into one produce request per round trip',
  });
}

async function codecCpu(ctx: BenchContext): Promise<void> {
  const count = Math.round(100_000 * ctx.scale);
  const events = makeEvents(count, 100);
  const avro = avroCodec();
  const codecs = createCodecLookup([avro]);
  const topic = 'bench-codec';
  // The first Avro encode registers the schema (asynchronous); from then on both codecs are synchronous.
  await encodeEvent(events[0]!, avro, topic);
  const run = (codec: Codec) => {
    // Warm-up lets V8 optimise both paths before the clock starts.
    for (let i = 0; i < 2000; i++) decodeEvent(encodeEvent(events[i % count]!, codec, topic) as never, codecs, topic);
    const started = process.hrtime.bigint();
    for (const e of events) decodeEvent(encodeEvent(e, codec, topic) as never, codecs, topic);
    return count / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  const payloadOnly = (codec: Codec) => {
    const ctx2 = { topic, category: 'bench.event' };
    const started = process.hrtime.bigint();
    for (const e of events) codec.decode(codec.encode(e.payload, ctx2) as Buffer, ctx2);
    return count / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  const json = run(jsonCodec);
  const avroRate = run(avro);
  ctx.figures.push({ suite: 'producer', name: 'envelope encode+decode, Avro', value: avroRate, unit: 'events/s', anchors: [{ name: 'the same with JSON', value: json }], target: { ratio: 2, anchor: 'the same with JSON' }, notes: 'encodeEvent + decodeEvent of a 100 B payload, one core, no IO' });
  ctx.figures.push({ suite: 'producer', name: 'payload encode+decode, Avro', value: payloadOnly(avro), unit: 'payloads/s', anchors: [{ name: 'the same with JSON', value: payloadOnly(jsonCodec) }], notes: 'the codec alone, without headers and Event construction' });
}

/** The kafka producer plugin's figures: send() against raw kafkajs and Java, batching, codecs, memory. */
export const producer: Suite = {
  name: 'producer',
  title: 'Producer plugin (kafka): send() throughput, batching, codecs, memory',
  async run(ctx) {
    for (const w of workloads(ctx.scale)) {
      await sendThroughput(ctx, w, 'json');
      await sendThroughput(ctx, w, 'avro');
    }
    await concurrentSingles(ctx);
    await codecCpu(ctx);
    ctx.figures.push({ suite: 'producer', name: 'peak RSS of the producing process', value: peakRssMiB(), unit: 'MiB', anchors: [], notes: 'peak over every producer workload of this run, with events built a batch at a time; the codec benchmark holds 100,000 events at once' });
  },
};
