import { InvalidArgumentError } from '@tributary/core';
import { COMPACTED_TOPIC_CONFIGS, ensureTopics, type EnsureTopicsResult, type KafkaClient, type KafkaClientOptions } from '@tributary/kafka';

/** Default prefix of the messaging topics. */
export const DEFAULT_MESSAGING_PREFIX = 'tributary.messaging';
/** Default partitions of the inbox topic: sessions spread over them, each reading one. */
export const DEFAULT_INBOX_PARTITIONS = 32;

/**
 * The two topics request/response runs on, whatever the number of sessions and paths:
 * - `<prefix>.sessions`, compacted: each session's announcement, keyed by its id, and its tombstone on close;
 * - `<prefix>.inbox`: requests and responses, each written to the partition its recipient session reads.
 */
export interface MessagingTopics {
  readonly sessions: string;
  readonly inbox: string;
}

export function messagingTopics(prefix = DEFAULT_MESSAGING_PREFIX): MessagingTopics {
  return { sessions: `${prefix}.sessions`, inbox: `${prefix}.inbox` };
}

/** Options of {@link ensureMessagingTopics}. */
export interface EnsureMessagingTopicsOptions {
  /** Default `tributary.messaging`. */
  prefix?: string;
  /** Partitions of the inbox topic. More partitions: fewer sessions share what each reads. Default 32. */
  inboxPartitions?: number;
  /** Default: 3 on a cluster of three or more brokers, else 1. */
  replicationFactor?: number;
  /** How long inbox records are kept. Requests live seconds; default one hour. */
  inboxRetentionMs?: number;
}

/**
 * Create the messaging topics if they are missing (run once at deployment, or at start-up: it is idempotent).
 * The sessions topic is compacted with tombstones kept for a day, so a reader starting late still sees a
 * session that closed recently go.
 * @throws InvalidArgumentError for a bad option; TributaryError from the Kafka layer when the cluster refuses.
 */
export async function ensureMessagingTopics(connection: KafkaClient | KafkaClientOptions, options: EnsureMessagingTopicsOptions = {}): Promise<EnsureTopicsResult> {
  const inboxPartitions = options.inboxPartitions ?? DEFAULT_INBOX_PARTITIONS;
  if (!Number.isInteger(inboxPartitions) || inboxPartitions < 1 || inboxPartitions > 10_000) {
    throw new InvalidArgumentError(`inboxPartitions must be an integer from 1 to 10000, got ${String(inboxPartitions)}`, { option: 'inboxPartitions', value: inboxPartitions, expected: 'an integer from 1 to 10000' });
  }
  const topics = messagingTopics(options.prefix);
  const replication = options.replicationFactor === undefined ? {} : { replicationFactor: options.replicationFactor };
  return ensureTopics(connection, [
    {
      topic: topics.sessions,
      partitions: 1,
      ...replication,
      configs: COMPACTED_TOPIC_CONFIGS,
    },
    {
      topic: topics.inbox,
      partitions: inboxPartitions,
      ...replication,
      configs: { 'cleanup.policy': 'delete', 'retention.ms': String(options.inboxRetentionMs ?? 3600_000) },
    },
  ]);
}
