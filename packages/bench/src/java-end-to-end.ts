import { runJavaTool } from './java-perf.js';

/** What Kafka's EndToEndLatency prints at its end, one way, in milliseconds. */
export interface EndToEndLatencyResult {
  avgMs: number;
  /** Whole milliseconds: the tool truncates each latency to an integer before taking percentiles. */
  p50: number;
  p99: number;
  p999: number;
}

/** The tool's class in the Kafka 3.5+ tools jar (the Scala `kafka.tools.EndToEndLatency` before it). */
export const END_TO_END_LATENCY = 'org.apache.kafka.tools.EndToEndLatency';

/** Parse `Avg latency: 2.6794 ms` and `Percentiles: 50th = 1, 99th = 10, 99.9th = 31`. */
export function parseEndToEndLatency(output: string): EndToEndLatencyResult {
  const avg = /Avg latency: ([\d.]+) ms/.exec(output);
  const pct = /Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)/.exec(output);
  if (!avg || !pct) throw new Error(`EndToEndLatency printed no summary:\n${output.slice(-2000)}`);
  return { avgMs: Number(avg[1]), p50: Number(pct[1]), p99: Number(pct[2]), p999: Number(pct[3]) };
}

/**
 * Run EndToEndLatency: one producer (linger 0) sends a record, waits for its acknowledgement, then its consumer
 * (fetch.max.wait.ms 0, assigned every partition) polls until the record is back; `count` times in turn. The
 * topic should exist, else the tool creates it with one partition.
 */
export async function runEndToEndLatency(
  java: string,
  classpath: string,
  options: { brokers: string[]; topic: string; count: number; acks: 'all' | '1'; size: number },
): Promise<EndToEndLatencyResult & { cpuSeconds: number }> {
  const args = [options.brokers.join(','), options.topic, String(options.count), options.acks, String(options.size)];
  const { output, cpuSeconds } = await runJavaTool(java, classpath, END_TO_END_LATENCY, args, 300_000);
  return { ...parseEndToEndLatency(output), cpuSeconds };
}
