import { setting, type InferSettings } from '@tributary/core';
import { COMPRESSION_NAMES } from '@tributary/kafka';

/**
 * The kafka plugin's settings, on top of the settings every producer plugin has. Defaults follow the delivery
 * contract users of Kafka frameworks trust: acks=all and idempotence on.
 */
export const kafkaSettingsShape = {
  /** Bootstrap addresses, `host:port`. */
  brokers: setting.array(setting.string().pattern(/^[^\s:]+:\d{1,5}$/, 'a "host:port" address')).min(1),
  clientId: setting.string().min(1).default('tributary-producer'),
  /** -1 (all in-sync replicas), 1 (the leader) or 0 (no ack: offsets are then unknown). */
  acks: setting.enumOf([-1, 1, 0] as const).default(-1),
  /** Exactly-once writes per partition across the producer's retries. Needs acks=-1. */
  idempotent: setting.boolean().default(true),
  compression: setting.enumOf(COMPRESSION_NAMES).default('none'),
  /**
   * Java's `linger.ms`: how long a partition's batch waits for more events before it may be sent, when it is not
   * full (events sent while the partition's requests are on the wire gather in its next batch whatever this is).
   * Default: the Kafka layer writer's, 0 (measured best for callers that await their sends).
   */
  lingerMs: setting.integer().min(0).max(60_000).optional(),
  /**
   * Java's `batch.size`: a partition's batch takes events until it holds this many bytes (an event larger than
   * this goes alone); one Produce request carries one batch per partition. Default: the Kafka layer writer's, 256 KiB.
   */
  batchSize: setting.integer().min(1024).optional(),
  /** @deprecated The name `batchSize` replaces (read when `batchSize` is not given). */
  maxBatchBytes: setting.integer().min(1024).optional(),
  /**
   * Java's `max.in.flight.requests.per.connection`: Produce requests per broker on the wire at once, 1 to 5. Order
   * per partition holds whatever it is. Default 5.
   */
  maxInFlightRequests: setting.integer().min(1).max(5).default(5),
  /** Milliseconds the broker may take to reach `acks` replicas. */
  requestTimeoutMs: setting.integer().min(1).default(30_000),
  /** Connection attempts at `open()` before it fails. */
  connectRetries: setting.integer().min(0).max(20).default(5),
  connectionTimeoutMs: setting.integer().min(1).default(3000),
  /**
   * TLS towards the brokers (the Kafka layer's connection options): `{}` trusts the system's CAs; `ca` (PEM) trusts
   * that CA instead; `cert` and `key` (PEM) authenticate this client (mutual TLS).
   */
  tls: setting
    .object({
      ca: setting.string().optional(),
      cert: setting.string().optional(),
      key: setting.string().optional(),
      passphrase: setting.string().optional(),
      rejectUnauthorized: setting.boolean().optional(),
      servername: setting.string().optional(),
    })
    .optional(),
  /** SASL authentication. */
  sasl: setting
    .object({
      mechanism: setting.enumOf(['plain', 'scram-sha-256', 'scram-sha-512'] as const),
      username: setting.string().min(1),
      password: setting.string(),
    })
    .optional(),
  /** Topics to create at `open()` when missing (auto-creation is never relied on). */
  ensureTopics: setting
    .array(
      setting.object({
        topic: setting.string().min(1),
        partitions: setting.integer().min(1).optional(),
        replicationFactor: setting.integer().min(1).optional(),
      }),
    )
    .default([]),
};

export type KafkaSettingsShape = typeof kafkaSettingsShape;
export type KafkaOwnSettings = InferSettings<ReturnType<typeof setting.object<KafkaSettingsShape>>>;
