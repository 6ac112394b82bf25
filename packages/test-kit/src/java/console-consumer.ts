import { KafkaRuntimeError } from '../errors.js';
import { ensureKafkaJars } from '../runtime/jars.js';
import { findJava } from '../runtime/java.js';
import { runJavaTool } from './run-java.js';

/** The main class of the console consumer (`bin/kafka-console-consumer.sh`) in Kafka 3.7 and later. */
export const CONSOLE_CONSUMER_CLASS = 'org.apache.kafka.tools.consumer.ConsoleConsumer';

export interface ConsoleConsumerOptions {
  brokers: string[];
  topic: string;
  /** Default `read_committed`. */
  isolationLevel?: 'read_committed' | 'read_uncommitted';
  /**
   * The consumer stops once no record came for this long (`--timeout-ms`). It also covers joining its group,
   * so keep it well above a rebalance. Default 5000.
   */
  idleMs?: number;
  /** Deadline for the whole run. Default 60 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Where each record the console consumer printed sits, in the order it printed them. */
export interface ConsoleConsumerResult {
  count: number;
  positions: Array<{ partition: number; offset: string }>;
}

/**
 * Read a whole topic from the beginning with Kafka's own `kafka-console-consumer`, in a group of its own, and
 * report the position of every record it delivered: an honest reader that shares no code with Tributary.
 * @throws KafkaRuntimeError `not-ready` when the tool fails, or its count disagrees with the lines it printed;
 *   TributaryError TIMEOUT or ABORTED as `runJavaTool`.
 */
export async function readWithConsoleConsumer(options: ConsoleConsumerOptions): Promise<ConsoleConsumerResult> {
  const [{ java }, jars] = await Promise.all([findJava(), ensureKafkaJars()]);
  const args = [
    '--bootstrap-server', options.brokers.join(','), '--topic', options.topic, '--from-beginning',
    '--isolation-level', options.isolationLevel ?? 'read_committed', '--timeout-ms', String(options.idleMs ?? 5000),
    // Positions only: values may hold newlines and any byte, which would break a line-per-record output.
    '--property', 'print.partition=true', '--property', 'print.offset=true', '--property', 'print.key=false', '--property', 'print.value=false',
  ];
  const tool = `ConsoleConsumer ${options.topic}`;
  const out = await runJavaTool({ tool, java, classpath: jars.classpath, main: CONSOLE_CONSUMER_CLASS, args, timeoutMs: options.timeoutMs ?? 60_000, signal: options.signal });
  const positions = [...out.stdout.matchAll(/^Partition:(\d+)\tOffset:(\d+)/gm)].map((m) => ({ partition: Number(m[1]), offset: m[2]! }));
  const count = Number(/Processed a total of (\d+) messages/.exec(out.stderr)?.[1] ?? NaN);
  if (count !== positions.length) {
    throw new KafkaRuntimeError('not-ready', `${tool} reported ${count} messages but printed ${positions.length} positions. Its output:\n${out.stderr.slice(-2000)}`, { tool, topic: options.topic });
  }
  return { count, positions };
}
