/**
 * @tributary/consumer: reading Tributary's events back.
 * - {@link ConsumerGroup}: a Kafka consumer group that routes events to handlers by category, with
 *   at-least-once commits, bounded retry and a dead-letter topic, positions, pause/resume, lag and metrics.
 * - {@link EventReader}: a pull reader for scripts (seek, iterate until idle, find the next event of a category).
 * - {@link replay}: a range of a topic without a consumer group, with progress, from Kafka, the memory bus or
 *   the file bus (the {@link ReplaySource} port).
 *
 * @module @tributary/consumer
 */
export { ConsumerGroup, type ConsumerGroupCounters, type ConsumerGroupState } from './group/consumer-group.js';
export type { ConsumerGroupOptions, PartitionsListener } from './group/options.js';
export { resetGroupOffsets, type ResetGroupOffsetsOptions } from './group/reset-group-offsets.js';
export type { PartitionLag, TopicPartition } from '@tributary/kafka';
export { OffsetOutOfRangeError, ConsumerStateError } from './errors.js';
// Routing and handling.
export { compileCategoryPattern, type CategoryPattern, type CategoryMatcher } from './routing/category-pattern.js';
export { Router, type EventHandler, type HandlerContext, type HandlerMap } from './routing/router.js';
export type { OffsetToCommit } from './commit/committer.js';
// Failures: what dead-lettered records carry.
export { type RetryOptions } from './failure/retry-policy.js';
export { DeadLetterHeaders, deadLetterHeaders, deadLetterTopicFor, type DeadLetterOrigin } from './failure/dead-letter-headers.js';
// Positions.
export { type StartPosition, type OutOfRangePolicy } from './positions/start-position.js';
// Operations.
export { installShutdownHandlers, type ShutdownOptions, type Stoppable } from './lifecycle/shutdown.js';
export { type ConsumerLogger, silentLogger, stderrLogger } from './logging/logger.js';
export { ConsumerMetrics, ConsumerMetricNames } from './metrics/consumer-metrics.js';
// Pull reading and replay.
export { EventReader, createEventReader, type EventReaderOptions } from './pull/event-reader.js';
export { replay, type ReplayOptions, type ReplayProgress, type ReplayBound } from './replay/replay.js';
export { kafkaReplaySource, memoryReplaySource, fileReplaySource, type ReplaySource, type SourceRead } from './replay/replay-source.js';
