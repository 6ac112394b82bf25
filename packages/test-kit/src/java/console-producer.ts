import { KafkaRuntimeError } from '../errors.js';
import { ensureKafkaJars } from '../runtime/jars.js';
import { findJava } from '../runtime/java.js';
import type { CorpusCodec, CorpusRecord } from './corpus-manifest.js';
import { runJavaTool } from './run-java.js';

/** The main class of Kafka 3.9's console producer (`bin/kafka-console-producer.sh`). */
export const CONSOLE_PRODUCER_CLASS = 'kafka.tools.ConsoleProducer';

/** Fields equal to it become null (the reader property `null.marker`). */
const NULL_MARKER = '<NULL>';

/** One line for the console producer, and the record it must become. */
interface ConsoleLine {
  text: string;
  key: string | null;
  value: string | null;
  headers: Array<[string, string | null]>;
}

/**
 * 200 lines of `headers<TAB>key<TAB>value`: keys spread over 13 values, a null key, a tombstone, and a null header
 * value now and then, so the console producer's own line parsing is covered as well as its compression.
 */
export function consoleLines(codec: string): ConsoleLine[] {
  const lines: ConsoleLine[] = [];
  for (let i = 0; i < 200; i++) {
    const key = i % 50 === 7 ? null : `${codec}-key-${i % 13}`;
    const value = i % 50 === 9 ? null : `console ${codec} value ${i} ${'x'.repeat(i % 60)}`;
    const headers: Array<[string, string | null]> = [['src', 'console'], ['n', String(i)]];
    if (i % 25 === 0) headers.push(['nullh', null]);
    const field = (s: string | null) => s ?? NULL_MARKER;
    lines.push({ text: `${headers.map(([k, v]) => `${k}:${field(v)}`).join(',')}\t${field(key)}\t${field(value)}`, key, value, headers });
  }
  return lines;
}

/**
 * Arguments for the console producer. Kafka 3.9's console producer ignores
 * `--producer-property compression.type=...` (its own `--compression-codec` default overrides it), so the
 * codec goes through `--compression-codec`; the manifest's batches show that it took effect.
 */
export function consoleProducerArgs(bootstrap: string, topic: string, codec: string): string[] {
  return [
    '--bootstrap-server', bootstrap, '--topic', topic, '--compression-codec', codec, '--request-required-acks', 'all',
    '--property', 'parse.key=true', '--property', 'parse.headers=true', '--property', `null.marker=${NULL_MARKER}`,
  ];
}

/**
 * Check that what Kafka's consumer read back from a console topic is exactly the lines sent, in order (the topic
 * has one partition), so the manifest's expected records are known to be the console producer's output.
 * @throws KafkaRuntimeError `not-ready` naming the first record that differs.
 */
export function checkConsoleRecords(topic: string, lines: ConsoleLine[], records: CorpusRecord[]): void {
  const b64 = (s: string | null) => (s === null ? null : Buffer.from(s, 'utf8').toString('base64'));
  const differs = (i: number) => {
    const line = lines[i]!;
    const record = records[i]!;
    const expected = JSON.stringify([b64(line.key), b64(line.value), line.headers.map(([k, v]) => [k, b64(v)])]);
    return expected !== JSON.stringify([record.key, record.value, record.headers]);
  };
  const bad = records.length !== lines.length ? Math.min(records.length, lines.length) : lines.findIndex((_, i) => differs(i));
  if (bad >= 0) {
    throw new KafkaRuntimeError('not-ready', `The console producer's topic ${topic} reads back ${records.length} records for ${lines.length} lines sent; the first difference is at line ${bad}`, { topic, line: lines[bad]?.text });
  }
}

/** A record for the console producer: null key, value or header value as Kafka's null. */
export interface ConsoleRecord {
  key: string | null;
  value: string | null;
  headers?: Array<[name: string, value: string | null]>;
}

export interface ConsoleProducerOptions {
  brokers: string[];
  topic: string;
  /** The batches' compression. */
  codec: CorpusCodec;
  /** One line each: no tab or newline in any field, no `,` or `:` in header names and values. */
  records: readonly ConsoleRecord[];
  /** Deadline for the run, JVM start included. Default 60 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Write records with Kafka's own `kafka-console-producer` (acks=all, idempotent, the codec given), as a Java
 * application would: keyed records go to the partition Java's partitioner picks.
 * @throws KafkaRuntimeError `not-ready` when a field cannot travel on one line or the
 *   tool fails; TributaryError TIMEOUT or ABORTED as `runJavaTool`.
 */
export async function writeWithConsoleProducer(options: ConsoleProducerOptions): Promise<void> {
  const field = (s: string | null) => s ?? NULL_MARKER;
  const lines = options.records.map((r, i) => {
    const headers = r.headers ?? [];
    const fields = [r.key, r.value, ...headers.flat()];
    if (fields.some((f) => f !== null && /[\t\n\r]/.test(f)) || headers.flat().some((f) => f !== null && /[,:]/.test(f))) {
      throw new KafkaRuntimeError('not-ready', `Record ${i} for the console producer cannot travel on one line (a tab or newline, or a "," or ":" in a header)`, { topic: options.topic, record: i });
    }
    return `${headers.map(([k, v]) => `${k}:${field(v)}`).join(',')}\t${field(r.key)}\t${field(r.value)}\n`;
  });
  const [{ java }, jars] = await Promise.all([findJava(), ensureKafkaJars()]);
  await runJavaTool({
    tool: `ConsoleProducer ${options.topic}`, java, classpath: jars.classpath, main: CONSOLE_PRODUCER_CLASS,
    args: consoleProducerArgs(options.brokers.join(','), options.topic, options.codec), stdin: lines.join(''),
    timeoutMs: options.timeoutMs ?? 60_000, signal: options.signal,
  });
}
