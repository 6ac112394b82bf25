import { InvalidArgumentError } from '@tributary/core';
import { COMPACTED_TOPIC_CONFIGS, ensureTopics, type EnsureTopicsResult, type KafkaClient, type KafkaClientOptions } from '@tributary/kafka';

/** Default prefix of the streams topics. */
export const DEFAULT_STREAMS_PREFIX = 'tributary.streams';
/** Default partitions of the log topic: streams spread over them by name; a listener reads only its stream's. */
export const DEFAULT_STREAM_PARTITIONS = 16;

/**
 * The two topics every stream lives on, however many streams there are:
 * - `<prefix>.log`: every stream's headers, puts and closes, keyed by stream name, so a stream's records keep one
 *   order in one partition;
 * - `<prefix>.index`, compacted: each stream's latest entry (its partition, epoch, first offset, and current
 *   header with its bytes), so a listener finds a stream's header without scanning the log, even after the log's
 *   retention has removed the header record.
 */
export interface StreamTopics {
  readonly log: string;
  readonly index: string;
}

export function streamTopics(prefix = DEFAULT_STREAMS_PREFIX): StreamTopics {
  return { log: `${prefix}.log`, index: `${prefix}.index` };
}

/** Options of {@link ensureStreamTopics}. */
export interface EnsureStreamTopicsOptions {
  /** Default `tributary.streams`. */
  prefix?: string;
  /** Partitions of the log topic. Default 16. */
  partitions?: number;
  /** Default: 3 on a cluster of three or more brokers, else 1. */
  replicationFactor?: number;
  /** How long the log keeps stream history. Default seven days (Kafka's default). */
  retentionMs?: number;
}

/**
 * Create the streams topics if they are missing (idempotent: run it at deployment or at start-up).
 * @throws InvalidArgumentError for a bad option; TributaryError from the Kafka layer when the cluster refuses.
 */
export async function ensureStreamTopics(connection: KafkaClient | KafkaClientOptions, options: EnsureStreamTopicsOptions = {}): Promise<EnsureTopicsResult> {
  const partitions = options.partitions ?? DEFAULT_STREAM_PARTITIONS;
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10_000) {
    throw new InvalidArgumentError(`partitions must be an integer from 1 to 10000, got ${String(partitions)}`, { option: 'partitions', value: partitions, expected: 'an integer from 1 to 10000' });
  }
  const topics = streamTopics(options.prefix);
  const replication = options.replicationFactor === undefined ? {} : { replicationFactor: options.replicationFactor };
  return ensureTopics(connection, [
    { topic: topics.log, partitions, ...replication, configs: { 'cleanup.policy': 'delete', 'retention.ms': String(options.retentionMs ?? 7 * 24 * 3600_000) } },
    { topic: topics.index, partitions: 1, ...replication, configs: COMPACTED_TOPIC_CONFIGS },
  ]);
}
