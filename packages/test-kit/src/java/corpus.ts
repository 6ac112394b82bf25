import { join } from 'node:path';
import { randomTopic } from '../helpers.js';
import { KafkaRuntimeError } from '../errors.js';
import { ensureKafkaJars } from '../runtime/jars.js';
import { findJava } from '../runtime/java.js';
import { CONSOLE_PRODUCER_CLASS, checkConsoleRecords, consoleLines, consoleProducerArgs } from './console-producer.js';
import { byPosition, parseReport, type CorpusCodec, type CorpusManifest, type CorpusTopic, type ReadReport, type WriteReport } from './corpus-manifest.js';
import { JAVA_TOOLS_DIR, runJavaTool } from './run-java.js';

export interface WriteJavaCorpusOptions {
  /** Bootstrap addresses of the cluster to write into (`host:port`). */
  brokers: string[];
  /** Start of every topic name and transactional id the corpus creates. Default: a random `corpus-<hex>`. */
  prefix?: string;
  /** Stops the Java tools (killed by their pids) and rejects with ABORTED. */
  signal?: AbortSignal;
  /** Deadline for the whole corpus, all tools included. Default 120 s (about 10 s on a quiet two-core machine). */
  timeoutMs?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /**
   * Tries, each into fresh topics, when a Java tool fails (not when aborted or out of time). Default 1. The writer
   * produces into topics it has just created; on two busy cores Kafka 3.9 can apply a new partition between two
   * requests of an idempotent producer (KAFKA-15591). The writer keeps one request in flight against that, and a
   * second try is the backstop for what remains.
   */
  attempts?: number;
}

/** The codecs the console producer writes, one topic each. */
const CONSOLE_CODECS = ['lz4', 'snappy'] as const satisfies readonly CorpusCodec[];

/**
 * Write the golden corpus with Kafka's own Java clients and return its manifest: per topic the records a
 * read_committed reader must see (with the offsets the broker acknowledged), the records of aborted
 * transactions it must not see, and the batches as they lie in the log. Topics, one per scenario:
 * - `<prefix>-codec-{none,gzip,snappy,lz4,zstd}`: 300 records in 3 partitions, batched (linger.ms 5);
 * - `<prefix>-zstd-large-batch`: one zstd batch of 3000 records that decompresses to about 3 MiB;
 * - `<prefix>-transactions`: two transactional producers (uncompressed and zstd) committing and aborting,
 *   open at the same time, with an aborted transaction of more than 1 MiB from each;
 * - `<prefix>-edge-records`: null and empty keys and values, 40 headers with repeated names and a null value,
 *   a unicode key, fixed timestamps (0 and 2001), every byte value, a 300 KiB value;
 * - `<prefix>-console-{lz4,snappy}`: 200 keyed lines through `kafka-console-producer`, one partition.
 * Every producer uses acks=all and idempotence. Needs Java 17 and the Kafka jars (fetched by Maven if absent).
 * The topics are created here and never deleted; each call needs a fresh prefix.
 * @throws KafkaRuntimeError `java-missing`, `maven-missing` or `jar-fetch-failed` when the tools cannot run;
 *   `not-ready` when a tool fails (its last output is in the message) or a console topic reads back wrong;
 *   TributaryError TIMEOUT past `timeoutMs`, ABORTED when `signal` aborts.
 */
export async function writeJavaCorpus(options: WriteJavaCorpusOptions): Promise<CorpusManifest> {
  const attempts = options.attempts ?? 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeOnce(attempt === 1 ? options : { ...options, prefix: undefined });
    } catch (error) {
      if (attempt >= attempts || !(error instanceof KafkaRuntimeError && error.reason === 'not-ready')) throw error;
      const why = error.message.split('\n').find((line) => /Error: [A-Z_]+|Exception:/.test(line)) ?? error.message.split('\n')[0];
      (options.log ?? console.warn)(`writing the Java corpus failed; writing it again into fresh topics. ${why}`);
    }
  }
}

async function writeOnce(options: WriteJavaCorpusOptions): Promise<CorpusManifest> {
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 120_000);
  const log = options.log ?? (() => {});
  const prefix = options.prefix ?? randomTopic('corpus');
  const bootstrap = options.brokers.join(',');
  const [{ java }, jars] = await Promise.all([findJava(), ensureKafkaJars({ log })]);
  const tool = (name: string, main: string, args: string[], stdin?: string) =>
    runJavaTool({ tool: name, java, classpath: jars.classpath, main, args, stdin, timeoutMs: Math.max(1, deadline - Date.now()), signal: options.signal });
  const writer = join(JAVA_TOOLS_DIR, 'CorpusWriter.java');
  const consoleTopics = CONSOLE_CODECS.map((codec) => ({ codec, topic: `${prefix}-console-${codec}`, lines: consoleLines(codec) }));

  log(`Writing the Java corpus into topics ${prefix}-*...`);
  const extraTopics = consoleTopics.flatMap((c) => ['--extra-topic', c.topic]);
  const written = await tool('CorpusWriter write', writer, ['write', '--bootstrap', bootstrap, '--prefix', prefix, ...extraTopics]);
  const report = parseReport<WriteReport>('CorpusWriter write', written.stdout);
  log(`Java producers done at ${Date.now() - started} ms; the console producers write ${consoleTopics.map((c) => c.topic).join(', ')}`);

  await Promise.all(
    consoleTopics.map((c) => tool(`ConsoleProducer ${c.codec}`, CONSOLE_PRODUCER_CLASS, consoleProducerArgs(bootstrap, c.topic, c.codec), c.lines.map((l) => `${l.text}\n`).join(''))),
  );
  const readArgs = consoleTopics.flatMap((c) => ['--topic', c.topic]);
  const read = parseReport<ReadReport>('CorpusWriter read', (await tool('CorpusWriter read', writer, ['read', '--bootstrap', bootstrap, ...readArgs])).stdout);

  const consoleManifest = consoleTopics.map((c): CorpusTopic => {
    const seen = read.topics.find((t) => t.topic === c.topic);
    checkConsoleRecords(c.topic, c.lines, seen?.records ?? []);
    return {
      topic: c.topic, scenario: `console-${c.codec}`, writer: 'console-producer', partitions: 1, compression: [c.codec], transactional: false,
      expected: seen!.records, aborted: [], batches: seen!.batches,
    };
  });
  const topics = [...report.topics, ...consoleManifest].map((t) => ({ ...t, expected: [...t.expected].sort(byPosition), aborted: [...t.aborted].sort(byPosition) }));
  const writeMs = Date.now() - started;
  log(`Java corpus written in ${writeMs} ms: ${topics.length} topics`);
  return { kafkaVersion: report.kafkaVersion, brokers: [...options.brokers], prefix, writeMs, topics };
}
