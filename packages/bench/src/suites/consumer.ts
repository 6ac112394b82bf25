import { randomBytes } from 'node:crypto';
import { createCodecLookup, encodeEvent, Event, jsonCodec, type Codec } from '@tributary/core';
import { ConsumerGroup, kafkaReplaySource, replay } from '@tributary/consumer';
import type { BenchContext, Suite } from '../context.js';
import { avroCodec } from '../events.js';
import { parseConsumerPerf, runJavaTool } from '../java-perf.js';
import { measure, median, medianRound, sampleRssMiB, writeBack } from '../measure.js';
import { describeProbe, startProbe } from '../probe.js';
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

/** One consuming run, measured from the group join to the last record (the join itself is reported apart). */
interface ConsumeRun {
  /** Records/s after the join. */
  rate: number;
  /** Client CPU microseconds per record after the join. */
  cpuPerRecordUs: number;
  /** Milliseconds from the start call to the join (connect, start position, group join). */
  startMs: number;
}

async function consumeWithGroup(ctx: BenchContext, topic: string, count: number, codec: Codec, handlers: Record<string, () => void>): Promise<ConsumeRun> {
  const group = new ConsumerGroup({ brokers: ctx.brokers, groupId: `bench-group-${randomBytes(4).toString('hex')}`, topics: [topic], handlers, codecs: createCodecLookup([codec]) });
  writeBack();
  const started = performance.now();
  await group.start();
  const joined = performance.now();
  const probe = startProbe();
  const cpu = process.cpuUsage();
  try {
    const deadline = Date.now() + 300_000;
    while (group.counters.handled + group.counters.filtered < count) {
      if (Date.now() > deadline) throw new Error(`consumer group settled ${group.counters.handled + group.counters.filtered} of ${count}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    const used = process.cpuUsage(cpu);
    const rate = count / ((performance.now() - joined) / 1000);
    ctx.log(`consumer: group: ${rate.toFixed(0)} events/s; ${describeProbe(probe.stop(), count)}`);
    return { rate, cpuPerRecordUs: (used.user + used.system) / count, startMs: joined - started };
  } finally {
    await group.stop();
  }
}

async function consumeWithRaw(ctx: BenchContext, topic: string, count: number, parseJson = false): Promise<ConsumeRun> {
  writeBack();
  const started = performance.now();
  const probe = startProbe();
  const r = await consumeRaw(ctx.brokers, topic, count, undefined, { parseJson });
  const total = (performance.now() - started) / 1000;
  ctx.log(`consumer: raw kafkajs${parseJson ? ' parsing JSON' : ''}: ${(count / r.afterJoinSeconds).toFixed(0)} records/s; with its join ${describeProbe(probe.stop(), count)}`);
  return { rate: count / r.afterJoinSeconds, cpuPerRecordUs: (r.afterJoinCpu * 1e6) / count, startMs: (total - r.afterJoinSeconds) * 1000 };
}

/** Rounds of each workload, interleaved so drift on a shared machine touches all of them alike; medians reported. */
const ROUNDS = 5;

async function groupThroughput(ctx: BenchContext, codecName: 'json' | 'avro'): Promise<void> {
  const count = Math.round(200_000 * ctx.scale);
  const codec = codecName === 'json' ? jsonCodec : avroCodec('bench.c', 10);
  const topic = await createTopic(ctx, `bench-consume-${codecName}`);
  ctx.log(`consumer: seeding ${count} x 100 B ${codecName} events`);
  await seed(ctx, topic, count, 100, codec);
  ctx.log('consumer: java ConsumerPerformance over the same records');
  const java = await javaConsume(ctx, topic, count);
  const runs = { raw: [] as ConsumeRun[], all: [] as ConsumeRun[], tenth: [] as ConsumeRun[] };
  for (let round = 1; round <= ROUNDS; round++) {
    ctx.log(`consumer: round ${round} of ${ROUNDS}: raw kafkajs eachBatch, group handling every event, group with a 10% filter`);
    runs.raw.push(await consumeWithRaw(ctx, topic, count));
    runs.all.push(await consumeWithGroup(ctx, topic, count, codec, { '#': () => {} }));
    runs.tenth.push(await consumeWithGroup(ctx, topic, count, codec, { 'bench.c0': () => {} }));
  }
  const rate = (r: ConsumeRun[]) => median(r.map((x) => x.rate));
  const cpuUs = (r: ConsumeRun[]) => median(r.map((x) => x.cpuPerRecordUs));
  const startMs = (r: ConsumeRun[]) => median(r.map((x) => x.startMs));
  const anchors = [{ name: 'raw kafkajs eachBatch', value: rate(runs.raw) }, { name: 'java ConsumerPerformance', value: java }];
  const target = { ratio: 1.1, anchor: 'raw kafkajs eachBatch' };
  const note = (r: ConsumeRun[]) =>
    `median of ${ROUNDS} interleaved rounds, each from the group join to the last record ` +
    `(ratio to raw kafkajs by round: ${r.map((x, i) => (x.rate / runs.raw[i]!.rate).toFixed(2)).join(', ')}); ` +
    `client CPU ${cpuUs(r).toFixed(1)} us/record (raw kafkajs ${cpuUs(runs.raw).toFixed(1)}); ` +
    `start() to joined ${startMs(r).toFixed(0)} ms (raw kafkajs ${startMs(runs.raw).toFixed(0)} ms)`;
  ctx.figures.push({ suite: 'consumer', name: `group, no filter, 100 B ${codecName}`, value: rate(runs.all), unit: 'events/s', anchors, target, notes: `every event decoded and handled (no-op handler), commits as it goes; ${note(runs.all)}` });
  ctx.figures.push({ suite: 'consumer', name: `group, 10% filter, 100 B ${codecName}`, value: rate(runs.tenth), unit: 'events/s', anchors, target, notes: `90% skipped from the category header without decoding; ${note(runs.tenth)}` });
  // Client CPU per event, whole client (fetching, decoding the record batches, routing, settling, committing),
  // paired by round (drift on the machine touches a round's runs alike): a handled event from the no-filter run;
  // a filtered one from the 10% run, less the tenth of it that was handled.
  const handled = runs.all.map((x) => x.cpuPerRecordUs);
  const filtered = runs.tenth.map((x, i) => (x.cpuPerRecordUs - 0.1 * handled[i]!) / 0.9);
  ctx.figures.push({
    suite: 'consumer', name: `client CPU of a filtered-out event, 100 B ${codecName}`, value: median(filtered), unit: 'us', anchors: [{ name: 'a handled event', value: median(handled) }],
    notes: `client CPU per event of the whole client, median of the rounds (filtered: ${filtered.map((x) => x.toFixed(1)).join(', ')}; handled: ${handled.map((x) => x.toFixed(1)).join(', ')}); raw kafkajs spends ${cpuUs(runs.raw).toFixed(1)} us per record it only counts; a ratio below 1 means filtering costs less than handling`,
  });
}

/** Kafka's ConsumerPerformance over `topic`, in records/s after its group join (`fetch.nMsg.sec`). */
async function javaConsume(ctx: BenchContext, topic: string, count: number): Promise<number> {
  const { output } = await runJavaTool(ctx.java, ctx.classpath, 'org.apache.kafka.tools.ConsumerPerformance', [
    '--bootstrap-server', ctx.brokers.join(','), '--topic', topic, '--messages', String(count), '--timeout', '120000', '--group', `bench-java-${randomBytes(4).toString('hex')}`,
  ], 300_000);
  return parseConsumerPerf(output).fetchRecordsPerSec;
}

async function replayFigures(ctx: BenchContext): Promise<void> {
  const count = Math.round(1_000_000 * ctx.scale);
  const topic = await createTopic(ctx, 'bench-replay');
  ctx.log(`replay: seeding ${count} x 1 KiB events`);
  await seed(ctx, topic, count, 1024, jsonCodec);
  const readAll = async (limitTo?: number, checkCrcs = true) => {
    let n = 0;
    for await (const _ of replay({ source: kafkaReplaySource({ brokers: ctx.brokers }, { maxBytes: 1024 * 1024, checkCrcs }), topic, chunk: 1000 })) {
      n++;
      if (limitTo !== undefined && n >= limitTo) break;
    }
    return n;
  };
  ctx.log('replay: a tenth of the range, for memory');
  const small = await sampleRssMiB(() => readAll(Math.round(count / 10)));
  // Interleaved rounds of each (checked, unchecked, raw kafkajs): on a shared two-core machine one run moves by
  // +-10% and more (a loaded host has moved raw kafkajs from 21 to 73 thousand/s between rounds of one run), so
  // each figure is the median round, every round is in the notes, and so is the median of the ratios of each
  // round's replay to the raw kafkajs run right after it, which drift touches least.
  const ROUNDS = 5;
  const checked: Array<Awaited<ReturnType<typeof measure<number>>>> = [];
  const unchecked: Array<Awaited<ReturnType<typeof measure<number>>>> = [];
  const raws: ConsumeRun[] = [];
  const parsing: ConsumeRun[] = [];
  let whole: { peakMiB: number } | undefined;
  for (let round = 1; round <= ROUNDS; round++) {
    ctx.log(`replay: round ${round} of ${ROUNDS}: the whole range (CRC checked), again unchecked, raw kafkajs eachBatch, raw kafkajs parsing each value`);
    const sampled = await sampleRssMiB(() => measure(() => readAll(), ctx.brokerPid));
    checked.push(sampled.result);
    whole = { peakMiB: Math.max(whole?.peakMiB ?? 0, sampled.peakMiB) };
    ctx.log(`replay: ${(count / sampled.result.seconds).toFixed(0)} events/s; ${describeProbe(sampled.result.probe, count)}`);
    unchecked.push(await measure(() => readAll(undefined, false), ctx.brokerPid));
    raws.push(await consumeWithRaw(ctx, topic, count));
    parsing.push(await consumeWithRaw(ctx, topic, count, true));
  }
  const rateOf = (m: { seconds: number }) => count / m.seconds;
  const medianChecked = medianRound(checked, rateOf);
  const medianUnchecked = medianRound(unchecked, rateOf);
  const rawRate = median(raws.map((r) => r.rate));
  const perRecordUs = (cpu: { client: number }) => (cpu.client / count) * 1e6;
  const rounds = (list: Array<{ seconds: number }>) => list.map((m) => (rateOf(m) / 1000).toFixed(0)).join(', ');
  const paired = checked.map((m, i) => rateOf(m) / raws[i]!.rate);
  ctx.figures.push({
    suite: 'consumer', name: `replay of ${count.toLocaleString('en-US')} x 1 KiB from offset 0`, value: rateOf(medianChecked), unit: 'events/s',
    anchors: [{ name: 'raw kafkajs eachBatch', value: rawRate }, { name: 'raw kafkajs eachBatch, JSON.parse of each value', value: median(parsing.map((r) => r.rate)) }],
    target: { ratio: 1.0, anchor: 'raw kafkajs eachBatch' }, cpu: medianChecked.cpu,
    notes: `no group, no commits, every event decoded, CRC32C of every batch checked; fetches 1 MiB per request; median of ${ROUNDS} interleaved rounds (thousands/s: replay ${rounds(checked)}; raw kafkajs ${raws.map((r) => (r.rate / 1000).toFixed(0)).join(', ')}); ratio to raw kafkajs round by round ${paired.map((r) => r.toFixed(2)).join(', ')}, median ${median(paired).toFixed(2)}; client CPU per record (less moved by a loaded host than the rate) ${median(checked.map((m) => perRecordUs(m.cpu))).toFixed(1)} us, raw kafkajs ${median(raws.map((r) => r.cpuPerRecordUs)).toFixed(1)} us (which parses no payload), ${median(parsing.map((r) => r.cpuPerRecordUs)).toFixed(1)} us parsing each value as JSON (thousands/s by round ${parsing.map((r) => (r.rate / 1000).toFixed(0)).join(', ')}; ratio round by round ${checked.map((m, i) => (rateOf(m) / parsing[i]!.rate).toFixed(2)).join(', ')}); includes connecting and reading the range (no join), raw kafkajs from its group join`,
  });
  ctx.figures.push({
    suite: 'consumer', name: 'CRC32C check: client CPU per 1 KiB record', value: median(checked.map((m) => perRecordUs(m.cpu))) - median(unchecked.map((m) => perRecordUs(m.cpu))), unit: 'us',
    anchors: [], cpu: medianUnchecked.cpu,
    notes: `replay with checkCrcs on minus off, medians of client CPU per record: ${checked.map((m) => perRecordUs(m.cpu).toFixed(2)).join(', ')} vs ${unchecked.map((m) => perRecordUs(m.cpu).toFixed(2)).join(', ')} us; unchecked replay ${rateOf(medianUnchecked).toFixed(0)} events/s (${rounds(unchecked)} thousand/s by round)`,
  });
  ctx.figures.push({ suite: 'consumer', name: 'replay peak RSS, whole range', value: whole!.peakMiB, unit: 'MiB', anchors: [{ name: 'a tenth of the range', value: small.peakMiB }], notes: 'a ratio near 1 means memory does not grow with the range' });
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
