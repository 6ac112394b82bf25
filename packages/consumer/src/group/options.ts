import type { Registry } from 'prom-client';
import { KafkaClient, type KafkaConnectionOptions } from '@tributary/kafka';
import { createCodecLookup, InvalidArgumentError, isValidTopic, quote, type CodecLookup, type TributaryError } from '@tributary/core';
import type { OffsetToCommit } from '../commit/committer.js';
import { deadLetterTopicFor } from '../failure/dead-letter-headers.js';
import { retryPolicy, type RetryOptions, type RetryPolicy } from '../failure/retry-policy.js';
import type { GroupMetadata, TopicPartition } from '@tributary/kafka';
import { isConsumerLogger, stderrLogger, type ConsumerLogger } from '../logging/logger.js';
import { parseStartPosition, type OutOfRangePolicy, type ParsedStart, type StartPosition } from '../positions/start-position.js';
import { Router, type HandlerMap } from '../routing/router.js';

/**
 * Told of a partition that cannot progress (`error.context` has `topic`, `partition`, `offset` and `reason`, a
 * {@link StallReason}), once per partition and reason; and of records lost from a partition's log by an unclean
 * leader election (code LOG_TRUNCATED; `context` has `topic`, `partition`, `offset`, the position, and
 * `truncatedTo`, where the partition is read from again). Not awaited; a throw is logged.
 */
export type ConsumerErrorListener = (error: TributaryError) => unknown;

/** Told of partitions assigned to or revoked from this member. Not awaited by the consumer; a rejection is logged. */
export type PartitionsListener = (partitions: readonly TopicPartition[]) => unknown;

/**
 * Options of a {@link ConsumerGroup}, all checked at construction (a wrong one throws InvalidArgumentError
 * naming its path). Only `brokers` (or `client`), `groupId`, `topics` and `handlers` are required. The
 * connection options (`brokers`, `clientId`, `tls`, `sasl`, timeouts) are the Kafka layer's
 * {@link KafkaConnectionOptions}, the same everywhere Tributary reaches Kafka.
 */
export interface ConsumerGroupOptions extends Partial<KafkaConnectionOptions> {
  /** A Kafka client to share with other components instead of `brokers` and the other connection options. */
  client?: KafkaClient;
  groupId: string;
  topics: string[];
  /** Handlers by category pattern (exact, `*` one segment, `#` any depth); the first match in order wins. */
  handlers: HandlerMap;
  /** Codecs for decoding; JSON is always known. */
  codecs?: CodecLookup;
  /**
   * Where to start reading a partition the group has no commit for (as Kafka's `auto.offset.reset`, Karafka's
   * `initial_offset`, kafkajs' `fromBeginning`): 'earliest' (the default), 'latest' (the end when start() was
   * called, fixed before start() resolves), a Position or its text, an EventOffset, or a time. A partition the
   * group has committed resumes at its commit, so a service restarted with the same `from` goes on where it
   * stopped. To move a whole group, use `resetGroupOffsets()` while it has no member; to move this member while
   * running, `seek()`.
   */
  from?: StartPosition;
  /** A `from` or `seek` position outside a partition's range: 'fail' (default: OFFSET_OUT_OF_RANGE), or reset. */
  onOutOfRange?: OutOfRangePolicy;
  /** Bounded retry of a failing handler before its record is dead-lettered. Default 3 attempts. */
  retry?: RetryOptions;
  /**
   * What to do with a record batch that cannot be decoded (a CRC mismatch, a compression it cannot inflate):
   * 'dead-letter' (the default) writes its raw bytes to the dead-letter topic, with the error and the offsets it
   * covered in its headers, and goes on after it; 'stop' stops the partition there (reported as stalled) until a
   * seek moves it. A batch whose extent cannot be trusted (a corrupt header with nothing after it) always stops.
   */
  onUndecodableBatch?: 'dead-letter' | 'stop';
  /** The dead-letter topic of a topic. Default `<topic>.DLT`. The topic must exist: it is not auto-created. */
  deadLetterTopic?: (topic: string) => string;
  /** Back-off of a partition paused because its dead-letter write failed. Default 1 s growing to 30 s. */
  deadLetterBackoff?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Partitions handled at once (order is kept within each). Default 1. */
  partitionsConcurrently?: number;
  /** Milliseconds between commits of settled offsets (also made at rebalances and at stop). Default 1000. */
  commitIntervalMs?: number;
  /**
   * Commits settled offsets in place of the group's own commit (Kafka's OffsetCommit), at the same moments: a
   * transactional producer's `sendOffsets`, so records written for what settled and its offsets commit together.
   * `member` is this member's generation and id when the offsets were taken: sent with them (KIP-447), the
   * coordinator refuses them once a rebalance ended that generation. Contract as the group's: resolve only once
   * every offset given is committed; a rejection commits none of them (they are offered again at the next commit).
   */
  commitOffsets?: (offsets: readonly OffsetToCommit[], member: GroupMetadata) => Promise<void>;
  /** Default 30000. */
  sessionTimeoutMs?: number;
  /** Default 60000. */
  rebalanceTimeoutMs?: number;
  /** Milliseconds between heartbeats, also while a long handler runs. Default 3000; below sessionTimeoutMs. */
  heartbeatIntervalMs?: number;
  /** Longest a fetch waits at the broker when there are no new records (Kafka's fetch.max.wait.ms). Default 500. */
  fetchMaxWaitMs?: number;
  /**
   * Bytes fetched per partition at a time, about (Kafka's max.partition.fetch.bytes; a larger record batch still
   * comes whole). The group holds at most two fetches per partition: the one handled and the next. Default
   * 512 KiB, half of Java's: a fetch's records are decoded when it arrives and live until handled, and with 1 MiB
   * per partition the records of three partitions' fetches outgrew V8's young generation (measured on one broker,
   * 100 B JSON events over three partitions: 190-206 thousand/s at 5.9-6.7 us of client CPU per event with 1 MiB,
   * 231-279 thousand/s at 3.9-5.3 us with 512 KiB; 1 KiB events read alike with either).
   */
  fetchMaxBytesPerPartition?: number;
  /** Bytes per fetch response, about (Kafka's fetch.max.bytes). Default 50 MiB. */
  fetchMaxBytes?: number;
  /**
   * 'read_committed' (the default): records of open and aborted transactions never reach a handler;
   * 'read_uncommitted': every appended record does (Kafka's isolation.level).
   */
  isolationLevel?: 'read_committed' | 'read_uncommitted';
  /** Default deadline of stop(), ms. Default 30000. */
  stopDeadlineMs?: number;
  onPartitionsAssigned?: PartitionsListener;
  onPartitionsRevoked?: PartitionsListener;
  /**
   * Told when a partition cannot progress (its dead-letter topic is missing, its bytes cannot be decoded, access
   * is refused...). Each stall is also logged as a warning and shown by `stalled()` and the
   * `tributary_consumer_partition_stalled` gauge: a partition never stalls in silence. Also told, as
   * LOG_TRUNCATED, when an unclean leader election lost records already handled here (logged as a warning too).
   */
  onError?: ConsumerErrorListener;
  /** Where the consumer logs; pino fits. Default: warnings and errors to stderr; `silentLogger` for none. */
  logger?: ConsumerLogger;
  /** Export counters and lag to this prom-client registry. */
  metrics?: { registry: Registry };
}

/** The options checked, with defaults filled in. */
export interface ResolvedOptions {
  readonly client: KafkaClient;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly router: Router;
  readonly codecs: CodecLookup;
  readonly from: ParsedStart;
  readonly onOutOfRange: OutOfRangePolicy;
  readonly retry: RetryPolicy;
  readonly onUndecodableBatch: 'dead-letter' | 'stop';
  readonly deadLetterTopic: (topic: string) => string;
  readonly deadLetterBackoff: { initialDelayMs: number; maxDelayMs: number };
  readonly partitionsConcurrently: number;
  readonly commitIntervalMs: number;
  readonly commitOffsets: ((offsets: readonly OffsetToCommit[], member: GroupMetadata) => Promise<void>) | undefined;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly fetchMaxWaitMs: number;
  readonly fetchMaxBytesPerPartition: number;
  readonly fetchMaxBytes: number;
  readonly isolationLevel: 'read_committed' | 'read_uncommitted';
  readonly stopDeadlineMs: number;
  readonly onPartitionsAssigned: PartitionsListener | undefined;
  readonly onPartitionsRevoked: PartitionsListener | undefined;
  readonly onError: ConsumerErrorListener | undefined;
  readonly logger: ConsumerLogger;
  readonly metrics: { registry: Registry } | undefined;
}

function fail(path: string, expected: string, value: unknown): never {
  throw new InvalidArgumentError(`${path} must be ${expected}, got ${quote(value)}`, { option: path, value, expected });
}

function integer(path: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) fail(path, `an integer >= ${min}`, value);
  return value;
}

function oneOf<T extends string>(path: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) fail(path, allowed.map((a) => `'${a}'`).join(' or '), value);
  return value;
}

function optionalFunction<T>(path: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') fail(path, 'a function', typeof value);
  return value;
}

/**
 * Check every option once, at construction, so a wrong setting fails before anything connects.
 * @throws InvalidArgumentError whose `context.option` is the option's path (`topics[1]`, `retry.attempts`...).
 */
export function resolveOptions(options: ConsumerGroupOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') fail('options', 'an object', options);
  const o = options;
  if (o.client !== undefined && !(o.client instanceof KafkaClient)) fail('client', 'a KafkaClient from @tributary/kafka', o.client);
  if (o.client === undefined && o.brokers === undefined) fail('brokers', "a non-empty array of 'host:port' (or give client)", o.brokers);
  if (typeof o.groupId !== 'string' || o.groupId.trim() === '') fail('groupId', 'a non-empty string', o.groupId);
  if (!Array.isArray(o.topics) || o.topics.length === 0) fail('topics', 'a non-empty array of topic names', o.topics);
  o.topics.forEach((t, i) => (isValidTopic(t) ? undefined : fail(`topics[${i}]`, 'a valid topic name', t)));
  if (new Set(o.topics).size !== o.topics.length) fail('topics', 'distinct topic names', o.topics);
  const router = new Router(o.handlers, 'handlers');
  if (o.codecs !== undefined && (typeof o.codecs !== 'object' || typeof o.codecs.get !== 'function')) fail('codecs', 'a CodecLookup (createCodecLookup([...]))', o.codecs);
  const onOutOfRange = o.onOutOfRange ?? 'fail';
  if (!['fail', 'earliest', 'latest'].includes(onOutOfRange)) fail('onOutOfRange', "'fail', 'earliest' or 'latest'", onOutOfRange);
  const sessionTimeoutMs = integer('sessionTimeoutMs', o.sessionTimeoutMs, 30_000, 1000);
  const heartbeatIntervalMs = integer('heartbeatIntervalMs', o.heartbeatIntervalMs, Math.min(3000, Math.floor(sessionTimeoutMs / 3)), 100);
  if (heartbeatIntervalMs >= sessionTimeoutMs) fail('heartbeatIntervalMs', `below sessionTimeoutMs (${sessionTimeoutMs})`, heartbeatIntervalMs);
  const initialDelayMs = integer('deadLetterBackoff.initialDelayMs', o.deadLetterBackoff?.initialDelayMs, 1000, 1);
  const maxDelayMs = integer('deadLetterBackoff.maxDelayMs', o.deadLetterBackoff?.maxDelayMs, Math.max(30_000, initialDelayMs), initialDelayMs);
  if (o.logger !== undefined && !isConsumerLogger(o.logger)) fail('logger', 'an object with debug, info, warn and error methods (pino fits)', typeof o.logger);
  if (o.metrics !== undefined && (typeof o.metrics !== 'object' || typeof o.metrics.registry?.registerMetric !== 'function')) fail('metrics.registry', 'a prom-client Registry', o.metrics);
  const isolationLevel = o.isolationLevel ?? 'read_committed';
  if (isolationLevel !== 'read_committed' && isolationLevel !== 'read_uncommitted') fail('isolationLevel', "'read_committed' or 'read_uncommitted'", isolationLevel);
  const logger = o.logger ?? stderrLogger;
  return {
    client: o.client ?? new KafkaClient({ ...(o as KafkaConnectionOptions), logger }, { clientId: 'tributary-consumer' }),
    groupId: o.groupId,
    topics: [...o.topics],
    router,
    codecs: o.codecs ?? createCodecLookup(),
    from: parseStartPosition(o.from ?? 'earliest', 'from', o.topics),
    onOutOfRange,
    retry: retryPolicy(o.retry, 'retry'),
    onUndecodableBatch: oneOf('onUndecodableBatch', o.onUndecodableBatch, ['dead-letter', 'stop'] as const, 'dead-letter'),
    deadLetterTopic: optionalFunction('deadLetterTopic', o.deadLetterTopic) ?? deadLetterTopicFor,
    deadLetterBackoff: { initialDelayMs, maxDelayMs },
    partitionsConcurrently: integer('partitionsConcurrently', o.partitionsConcurrently, 1, 1),
    commitIntervalMs: integer('commitIntervalMs', o.commitIntervalMs, 1000, 10),
    commitOffsets: optionalFunction('commitOffsets', o.commitOffsets),
    sessionTimeoutMs,
    rebalanceTimeoutMs: integer('rebalanceTimeoutMs', o.rebalanceTimeoutMs, Math.max(60_000, sessionTimeoutMs), 1000),
    heartbeatIntervalMs,
    fetchMaxWaitMs: integer('fetchMaxWaitMs', o.fetchMaxWaitMs, 500, 0),
    fetchMaxBytesPerPartition: integer('fetchMaxBytesPerPartition', o.fetchMaxBytesPerPartition, 512 * 1024, 1024),
    fetchMaxBytes: integer('fetchMaxBytes', o.fetchMaxBytes, 50 * 1024 * 1024, 1024),
    isolationLevel,
    stopDeadlineMs: integer('stopDeadlineMs', o.stopDeadlineMs, 30_000, 0),
    onPartitionsAssigned: optionalFunction('onPartitionsAssigned', o.onPartitionsAssigned),
    onPartitionsRevoked: optionalFunction('onPartitionsRevoked', o.onPartitionsRevoked),
    onError: optionalFunction('onError', o.onError),
    logger,
    metrics: o.metrics,
  };
}
