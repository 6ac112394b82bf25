import { randomBytes } from 'node:crypto';
import type { BenchContext, Suite } from '../context.js';
import { parseConsumerPerf, parseProducerPerf, runJavaTool } from '../java-perf.js';
import { measure } from '../measure.js';
import { consumeRaw, makeMessages, produceRaw } from '../raw-kafkajs.js';
import { createTopic } from '../topics.js';

/** The record sizes and counts every producing and consuming figure uses. */
export function workloads(scale: number): Array<{ label: string; size: number; count: number }> {
  return [
    { label: '100 B', size: 100, count: Math.round(200_000 * scale) },
    { label: '1 KiB', size: 1024, count: Math.round(100_000 * scale) },
  ];
}

/**
 * Kafka's own ProducerPerformance and ConsumerPerformance, and raw kafkajs on the same workload: 3 partitions,
 * acks=all, no compression. These are the anchors of every later figure of the run.
 */
export const baseline: Suite = {
  name: 'baseline',
  title: 'Kafka Java perf tools and raw kafkajs (anchors)',
  async run(ctx: BenchContext) {
    for (const w of workloads(ctx.scale)) {
      await javaProducer(ctx, w);
      await javaConsumer(ctx, w);
      await kafkajsProduceConsume(ctx, w);
    }
  },
};

async function javaProducer(ctx: BenchContext, w: { label: string; size: number; count: number }) {
  const topic = await createTopic(ctx, `bench-java-${w.size}`);
  ctx.log(`java ProducerPerformance ${w.count} x ${w.label} -> ${topic}`);
  const { result, cpu } = await measure(() =>
    runJavaTool(ctx.java, ctx.classpath, 'org.apache.kafka.tools.ProducerPerformance', [
      '--topic', topic, '--num-records', String(w.count), '--record-size', String(w.size), '--throughput', '-1',
      '--producer-props', `bootstrap.servers=${ctx.brokers.join(',')}`, 'acks=all', 'compression.type=none', 'linger.ms=0', 'enable.idempotence=true',
    ], 300_000),
  ctx.brokerPid);
  const perf = parseProducerPerf(result.output);
  ctx.figures.push({ suite: 'baseline', name: `java produce ${w.label}`, value: perf.recordsPerSec, unit: 'records/s', anchors: [], cpu: { client: result.cpuSeconds, ...(cpu.broker !== undefined ? { broker: cpu.broker } : {}) }, notes: `${perf.mbPerSec} MB/s, p99 ${perf.p99} ms; includes the JVM's start and warm-up` });
  // The consumer benchmark reads the topic the Java producer filled.
  javaTopics.set(w.size, topic);
}

const javaTopics = new Map<number, string>();

async function javaConsumer(ctx: BenchContext, w: { label: string; size: number; count: number }) {
  const topic = javaTopics.get(w.size)!;
  ctx.log(`java ConsumerPerformance ${w.count} x ${w.label} <- ${topic}`);
  const { result, cpu } = await measure(() =>
    runJavaTool(ctx.java, ctx.classpath, 'org.apache.kafka.tools.ConsumerPerformance', [
      '--bootstrap-server', ctx.brokers.join(','), '--topic', topic, '--messages', String(w.count), '--timeout', '120000', '--group', `bench-java-${randomBytes(4).toString('hex')}`,
    ], 300_000),
  ctx.brokerPid);
  const perf = parseConsumerPerf(result.output);
  ctx.figures.push({ suite: 'baseline', name: `java consume ${w.label}`, value: perf.recordsPerSec, unit: 'records/s', anchors: [], cpu: { client: result.cpuSeconds, ...(cpu.broker !== undefined ? { broker: cpu.broker } : {}) }, notes: `${perf.mbPerSec.toFixed(1)} MB/s; includes the group join` });
}

async function kafkajsProduceConsume(ctx: BenchContext, w: { label: string; size: number; count: number }) {
  const topic = await createTopic(ctx, `bench-raw-${w.size}`);
  const messages = makeMessages(w.count, w.size);
  ctx.log(`raw kafkajs sendBatch ${w.count} x ${w.label} -> ${topic}`);
  const produced = await measure(() => produceRaw(ctx.brokers, topic, messages), ctx.brokerPid);
  const java = ctx.find('baseline', `java produce ${w.label}`)!;
  ctx.figures.push({ suite: 'baseline', name: `kafkajs produce ${w.label}`, value: w.count / produced.seconds, unit: 'records/s', anchors: [{ name: 'java ProducerPerformance', value: java.value }], cpu: produced.cpu, notes: 'sendBatch of 1000, idempotent, one request in flight' });
  ctx.log(`raw kafkajs eachBatch ${w.count} x ${w.label} <- ${topic}`);
  const consumed = await measure(() => consumeRaw(ctx.brokers, topic, w.count), ctx.brokerPid);
  const javaC = ctx.find('baseline', `java consume ${w.label}`)!;
  ctx.figures.push({ suite: 'baseline', name: `kafkajs consume ${w.label}`, value: w.count / consumed.seconds, unit: 'records/s', anchors: [{ name: 'java ConsumerPerformance', value: javaC.value }], cpu: consumed.cpu, notes: 'eachBatch, no per-record work; includes the group join' });
}
