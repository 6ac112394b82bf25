import type { BenchContext } from './context.js';
import type { Figure } from './figures.js';
import { parseProducerPerf, runJavaTool } from './java-perf.js';
import { measure } from './measure.js';
import { describeHost } from './probe.js';
import { createTopic } from './topics.js';

/** Records of a run: at least a million at full scale, so the JVM's start and warm-up are amortized. */
export function javaAnchorRecords(scale: number): number {
  return Math.round(1_000_000 * scale);
}

/**
 * Kafka's ProducerPerformance with the Java producer's default settings (its own linger.ms, batch.size and five
 * requests in flight), acks=all and idempotence: the pipelining producer the issue holds Tributary's send() to.
 * The tool writes bare values of `size` bytes with no headers (it has no option for them).
 */
export async function javaDefaultProducer(ctx: BenchContext, w: { label: string; size: number }): Promise<Figure> {
  const topic = await createTopic(ctx, `bench-java-defaults-${w.size}`);
  const count = javaAnchorRecords(ctx.scale);
  ctx.log(`producer: java ProducerPerformance (default producer settings) ${count} x ${w.label} -> ${topic}`);
  const { result, cpu, probe } = await measure(
    () =>
      runJavaTool(ctx.java, ctx.classpath, 'org.apache.kafka.tools.ProducerPerformance', [
        '--topic', topic, '--num-records', String(count), '--record-size', String(w.size), '--throughput', '-1',
        '--producer-props', `bootstrap.servers=${ctx.brokers.join(',')}`, 'acks=all', 'enable.idempotence=true',
      ], 600_000),
    ctx.brokerPid,
  );
  const perf = parseProducerPerf(result.output);
  ctx.log(`producer: java ProducerPerformance ${w.label}: ${perf.recordsPerSec} records/s; ${describeHost(probe)}`);
  return {
    suite: 'producer',
    name: `java ProducerPerformance defaults ${w.label}`,
    value: perf.recordsPerSec,
    unit: 'records/s',
    anchors: [],
    cpu: { client: result.cpuSeconds, ...(cpu.broker !== undefined ? { broker: cpu.broker } : {}) },
    notes: `${count} records, default producer settings, acks=all, idempotent; ${perf.mbPerSec} MB/s, p99 ${perf.p99} ms; client CPU ${((result.cpuSeconds / count) * 1e6).toFixed(1)} us/record including the JVM's start; bare values, no headers`,
  };
}
