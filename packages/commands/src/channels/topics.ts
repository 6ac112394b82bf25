import { InvalidArgumentError, quote } from '@tributary/core';
import { ensureTopics, type EnsureTopicsResult, type KafkaClient, type KafkaClientOptions } from '@tributary/kafka';

/** Default prefix of the channel layer's topics. */
export const DEFAULT_CHANNELS_PREFIX = 'tributary.channels';
/** Default partitions of the groups topic (memberships are spread over them by group). */
export const DEFAULT_GROUP_PARTITIONS = 4;
/** Django Channels' default: a group membership lasts a day unless it is added again. */
export const DEFAULT_GROUP_EXPIRY_SECONDS = 86_400;

/**
 * The topic the channel layer keeps: `<prefix>.groups`, compacted, one record per membership keyed by group and
 * channel, a tombstone when it is discarded. Messages themselves travel as requests on the messaging topics (see
 * `ensureMessagingTopics`): a channel's messages wait in its owner's memory, as Django's process-specific channels.
 */
export interface ChannelTopics {
  readonly groups: string;
}

/** The channel layer's topic names under `prefix`. */
export function channelTopics(prefix = DEFAULT_CHANNELS_PREFIX): ChannelTopics {
  return { groups: `${prefix}.groups` };
}

/** Options of {@link ensureChannelTopics}. */
export interface EnsureChannelTopicsOptions {
  /** Default `tributary.channels`. */
  prefix?: string;
  /** Partitions of the groups topic. Default 4. */
  groupPartitions?: number;
  /**
   * The longest group expiry of the layers using the topic: records older than this are deleted with their segment
   * (`cleanup.policy=compact,delete`), so expired memberships do not pile up. Default 86400 (a day).
   */
  groupExpirySeconds?: number;
  /** Default: 3 on a cluster of three or more brokers, else 1. */
  replicationFactor?: number;
}

/**
 * Create the groups topic if it is missing (idempotent: run at deployment or start-up). Compacted, so a layer
 * starting late reads every live membership and no discarded one; tombstones are kept a day, so a layer reading
 * a little behind still sees a discard.
 * @throws InvalidArgumentError for a bad option; TributaryError from the Kafka layer when the cluster refuses.
 */
export async function ensureChannelTopics(connection: KafkaClient | KafkaClientOptions, options: EnsureChannelTopicsOptions = {}): Promise<EnsureTopicsResult> {
  const partitions = int(options.groupPartitions, 'groupPartitions', DEFAULT_GROUP_PARTITIONS, 1, 10_000);
  const expirySeconds = int(options.groupExpirySeconds, 'groupExpirySeconds', DEFAULT_GROUP_EXPIRY_SECONDS, 1, 365 * 86_400);
  const topics = channelTopics(options.prefix);
  return ensureTopics(connection, [
    {
      topic: topics.groups,
      partitions,
      ...(options.replicationFactor === undefined ? {} : { replicationFactor: options.replicationFactor }),
      configs: {
        'cleanup.policy': 'compact,delete',
        'retention.ms': String(expirySeconds * 1000),
        'delete.retention.ms': String(24 * 3600_000),
        'segment.ms': String(Math.min(3600_000, expirySeconds * 1000)),
        'min.cleanable.dirty.ratio': '0.1',
      },
    },
  ]);
}

function int(value: unknown, option: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`ensureChannelTopics option ${option} is ${quote(value)}; expected an integer from ${min} to ${max}`, { option, value, expected: `an integer from ${min} to ${max}` });
  }
  return value;
}
