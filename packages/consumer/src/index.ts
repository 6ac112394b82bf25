/**
 * @tributary/consumer: reading Tributary's events back. Replay reads a topic (or some categories of it)
 * over a range without a consumer group; category patterns, commit tracking, retry and dead-letter headers
 * are the building blocks of the consumer groups.
 */
export { compileCategoryPattern, type CategoryPattern, type CategoryMatcher } from './routing/category-pattern.js';
export { PartitionCommitTracker } from './commit/commit-tracker.js';
export { retryPolicy, retryDelay, type RetryOptions, type RetryPolicy } from './failure/retry-policy.js';
export { DeadLetterHeaders, deadLetterHeaders, deadLetterTopicFor, type DeadLetterOrigin } from './failure/dead-letter-headers.js';
export { replay, type ReplayOptions, type ReplayProgress, type ReplayBound } from './replay/replay.js';
export { kafkaReplaySource, memoryReplaySource, fileReplaySource, type ReplaySource } from './replay/replay-source.js';
export { ConsumerGroup, type ConsumerGroupOptions, type ConsumerGroupCounters, type EventHandler, type PartitionLag } from './group/consumer-group.js';
export { type StartPosition, type OutOfRangePolicy } from './group/start-positions.js';
