import { randomBytes } from 'node:crypto';
import { createCodecLookup, encodeEvent, Event, jsonCodec, type Codec } from '@tributary/core';
import { ConsumerGroup, kafkaReplaySource, replay } from '@tributary/consumer';
import type { BenchContext, Suite } from '../context.js';
import { avroCodec } from '../events.js';
import { measure, sampleRssMiB } from '../measure.js';
import { benchKafka, consumeRaw } from '../raw-kafkajs.js';
import { createTopic } from '../topics.js';

const SEED_BATCH = 1000;

/** Write `count` events of about `size` bytes, categories `bench.c0`..`bench.c9` in turn, a batch at a time. */
async function seed(ctx: BenchContext, topic: string, count: number, size: number, codec: Codec): Promise<void> {
  const producer = benchKafka(ctx.brokers).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const note = 'n'.repeat(Math.max(0, size - 110));
  try {
    for (let i = 0; i < count; i += SEED_BATCH) {
      const messages = [];
      for (let k = i; k < Math.min(count, i + SEED_BATCH); k++) {
        const e = Event.create({ category: `bench.c${k % 10}`, key: `key-${k % 64}`, payload: { orderId: `ord-${k}`, customerId: k, amount: 12.5, currency: 'EUR', quantity: 1, placedAt: 1700000000000, note } });
        const r = await encodeEvent(e, codec, topic);
        messages.push({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp });
      }
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
    }
  } finally {
    await producer.disconnect();
  }
}

async function consumeWithGroup(ctx: BenchContext, topic: string, count: number, codec: Codec, handlers: Record<string, () => void>): Promise<void> {
  const group = new ConsumerGroup({ brokers: ctx.brokers, groupId: `bench-group-${randomBytes(4).toString('hex')}`, topics: [topic], handlers, codecs: createCodecLookup([codec]) });
  await group.start();
  try {
    const deadline = Date.now() + 300_000;
    while (group.counters.handled + group.counters.filtered < count) {
      if (Date.now() > deadline) throw new Error(`consumer group settled ${group.counters.handled + group.counters.filtered} of ${count}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await group.stop();
  }
}

async function groupThroughput(ctx: BenchContext, codecName: 'json' | 'avro'): Promise<void> {
  const count = Math.round(200_000 * ctx.scale);
  const codec = codecName === 'json' ? jsonCodec : avroCodec('bench.c', 10);
  const topic = await createTopic(ctx, `bench-consume-${codecName}`);
  ctx.log(`consumer: seeding ${count} x 100 B ${codecName} events`);
  await seed(ctx, topic, count, 100, codec);
  ctx.log('consumer: raw kafkajs eachBatch');
  const raw = await measure(() => consumeRaw(ctx.brokers, topic, count), ctx.brokerPid);
  ctx.log('consumer: group, every event handled');
  const all = await measure(() => consumeWithGroup(ctx, topic, count, codec, { '#': () => {} }), ctx.brokerPid);
  ctx.log('consumer: group, a filter matching 10%');
  const tenth = await measure(() => consumeWithGroup(ctx, topic, count, codec, { 'bench.c0': () => {} }), ctx.brokerPid);
  const java = ctx.find('baseline', 'java consume 100 B');
  const anchors = (rawRate: number) => [{ name: 'raw kafkajs eachBatch', value: rawRate }, ...(java ? [{ name: 'java ConsumerPerformance', value: java.value }] : [])];
  const rawRate = count / raw.seconds;
  ctx.figures.push({ suite: 'consumer', name: `group, no filter, 100 B ${codecName}`, value: count / all.seconds, unit: 'events/s', anchors: anchors(rawRate), target: { ratio: 0.9, anchor: 'raw kafkajs eachBatch' }, cpu: all.cpu, notes: `every event decoded and handled (no-op handler), commits as it goes; includes the group join; ${(all.cpu.client / count * 1e6).toFixed(1)} us client CPU per event` });
  ctx.figures.push({ suite: 'consumer', name: `group, 10% filter, 100 B ${codecName}`, value: count / tenth.seconds, unit: 'events/s', anchors: anchors(rawRate), target: { ratio: 0.9, anchor: 'raw kafkajs eachBatch' }, cpu: tenth.cpu, notes: `90% skipped from the category header without decoding; ${(tenth.cpu.client / count * 1e6).toFixed(1)} us client CPU per record` });
}

async function replayFigures(ctx: BenchContext): Promise<void> {
  const count = Math.round(1_000_000 * ctx.scale);
  const topic = await createTopic(ctx, 'bench-replay');
  ctx.log(`replay: seeding ${count} x 1 KiB events`);
  await seed(ctx, topic, count, 1024, jsonCodec);
  const kafka = benchKafka(ctx.brokers);
  const readAll = async (limitTo?: number) => {
    let n = 0;
    for await (const _ of replay({ source: kafkaReplaySource(kafka, { maxBytes: 1024 * 1024 }), topic, chunk: 1000 })) {
      n++;
      if (limitTo !== undefined && n >= limitTo) break;
    }
    return n;
  };
  ctx.log('replay: a tenth of the range, for memory');
  const small = await sampleRssMiB(() => readAll(Math.round(count / 10)));
  ctx.log('replay: the whole range');
  const whole = await sampleRssMiB(() => measure(() => readAll(), ctx.brokerPid));
  ctx.log('replay: raw kafkajs eachBatch over the same records');
  const raw = await measure(() => consumeRaw(ctx.brokers, topic, count), ctx.brokerPid);
  ctx.figures.push({ suite: 'consumer', name: `replay of ${count.toLocaleString('en-US')} x 1 KiB from offset 0`, value: count / whole.result.seconds, unit: 'events/s', anchors: [{ name: 'raw kafkajs eachBatch', value: count / raw.seconds }], cpu: whole.result.cpu, notes: 'no group, no commits, every event decoded; fetches 1 MiB per request' });
  ctx.figures.push({ suite: 'consumer', name: 'replay peak RSS, whole range', value: whole.peakMiB, unit: 'MiB', anchors: [{ name: 'a tenth of the range', value: small.peakMiB }], notes: 'a ratio near 1 means memory does not grow with the range' });
}

/** Consumer group and replay figures: against raw kafkajs eachBatch and Java ConsumerPerformance. */
export const consumer: Suite = {
  name: 'consumer',
  title: 'Consumer group and replay',
  async run(ctx) {
    await groupThroughput(ctx, 'json');
    await groupThroughput(ctx, 'avro');
    await replayFigures(ctx);
  },
};
