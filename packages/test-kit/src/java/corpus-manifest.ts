import { KafkaRuntimeError } from '../errors.js';

/** A producer compression codec, as Kafka names it. */
export type CorpusCodec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** Which of Kafka's own Java clients wrote a topic. */
export type CorpusWriterKind = 'java-producer' | 'java-transactional-producer' | 'console-producer';

/** What a topic of the corpus holds; each scenario has a topic of its own. */
export type CorpusScenario =
  | `codec-${CorpusCodec}`
  | 'zstd-large-batch'
  | 'transactions'
  | 'edge-records'
  | 'console-lz4'
  | 'console-snappy';

/**
 * One record as Kafka stored it. Bytes are base64 (standard alphabet, padded); `null` is a null key, value or
 * header value, and `""` an empty one: a correct reader keeps the two apart.
 */
export interface CorpusRecord {
  partition: number;
  /** The offset the broker gave the record, as a decimal string (Kafka offsets are 64-bit). */
  offset: string;
  /** Milliseconds since the epoch: the producer's CreateTime, as the broker acknowledged it. */
  timestamp: number;
  key: string | null;
  value: string | null;
  /** In the order written; names repeat. */
  headers: Array<[name: string, value: string | null]>;
}

/** One record batch as the partition leader stores it, decoded by Kafka's own `MemoryRecords`. */
export interface CorpusBatch {
  partition: number;
  baseOffset: string;
  lastOffset: string;
  /** Records in the batch (1 for a transaction marker). */
  records: number;
  compression: CorpusCodec;
  transactional: boolean;
  /** A transaction marker (commit or abort), never delivered to a reader. */
  control: boolean;
  producerId: string;
  /** The batch's size in the log, header included (compressed). */
  sizeInBytes: number;
  /** The size of its records once decompressed, batch header excluded. */
  recordsBytes: number;
}

/** One topic of the corpus and what a reader of it must and must not see. */
export interface CorpusTopic {
  topic: string;
  scenario: CorpusScenario;
  writer: CorpusWriterKind;
  partitions: number;
  /** The codecs its producers used (two for the transactions topic: one uncompressed producer, one zstd). */
  compression: CorpusCodec[];
  transactional: boolean;
  /** Exactly the records a read_committed reader must see, sorted by partition, then offset. */
  expected: CorpusRecord[];
  /** Records of aborted transactions: in the log, with offsets, and never to be seen by a read_committed reader. */
  aborted: CorpusRecord[];
  /** Every batch of the topic in log order per partition, including aborted and control batches. */
  batches: CorpusBatch[];
}

/** What {@link writeJavaCorpus} wrote: the golden answer for a reader of the corpus topics. */
export interface CorpusManifest {
  /** The version of the Kafka clients that wrote it. */
  kafkaVersion: string;
  brokers: string[];
  /** Every topic name, and each transactional id, starts with it. */
  prefix: string;
  /** Milliseconds from the first spawn to the manifest, all tools included. */
  writeMs: number;
  topics: CorpusTopic[];
}

/** What `CorpusWriter write` prints. */
export interface WriteReport {
  kafkaVersion: string;
  writeMs: number;
  topics: CorpusTopic[];
}

/** What `CorpusWriter read` prints: what Kafka's consumer saw (read_committed), and the batches. */
export interface ReadReport {
  kafkaVersion: string;
  topics: Array<{ topic: string; partitions: number; records: CorpusRecord[]; batches: CorpusBatch[] }>;
}

/**
 * Parse a JSON document a corpus tool printed, checking the fields later code relies on.
 * @throws KafkaRuntimeError `not-ready` naming the tool and what is missing.
 */
export function parseReport<T extends WriteReport | ReadReport>(tool: string, stdout: string): T {
  let report: unknown;
  try {
    report = JSON.parse(stdout);
  } catch (cause) {
    throw new KafkaRuntimeError('not-ready', `${tool} printed no JSON document: ${stdout.slice(0, 200)}`, { tool }, cause);
  }
  const topics = (report as { topics?: unknown }).topics;
  if (!Array.isArray(topics) || !topics.every(isTopicLike)) {
    throw new KafkaRuntimeError('not-ready', `${tool} printed a document without a "topics" list of {topic, batches[]}`, { tool });
  }
  return report as T;
}

function isTopicLike(t: unknown): boolean {
  return typeof t === 'object' && t !== null && typeof (t as { topic?: unknown }).topic === 'string' && Array.isArray((t as { batches?: unknown }).batches);
}

/** Partition, then offset: the order in which one partition's reader sees them. */
export function byPosition(a: CorpusRecord, b: CorpusRecord): number {
  return a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset));
}
