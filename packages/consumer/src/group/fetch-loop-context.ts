import type { TributaryError } from '@tributary/core';
import type { FetchOptions, PartitionFetch, PartitionFetchRequest, TopicPartition, Logger as ConsumerLogger } from '@tributary/kafka';
import type { Committer } from '../commit/committer.js';
import type { StallReason } from '../health/stalls.js';
import type { RecordProcessor } from '../processing/record-processor.js';
import type { PauseControl } from './pause-control.js';

/* The fetch loop's ports: what it needs from the group around it, and what a test drives it with in memory. */

/** Reads partitions from their leaders (KafkaFetcher in production); `each` gets each leader's answers as they come. */
export interface PartitionFetcher {
  fetchPartitions(requests: readonly PartitionFetchRequest[], options: FetchOptions, each: (answers: PartitionFetch[]) => void): Promise<unknown>;
}

/** What the fetch loop needs from the consumer group around it. */
export interface FetchLoopContext {
  readonly fetcher: PartitionFetcher;
  readonly processor: RecordProcessor;
  readonly committer: Committer;
  readonly pauses: PauseControl;
  readonly logger: ConsumerLogger;
  /** Handed to handlers; aborts when the consumer begins to stop, which also ends the loop. */
  readonly signal: AbortSignal;
  /** How many partitions may be handled at the same time. */
  readonly concurrency: number;
  readonly fetch: FetchOptions;
  /** True while a rebalance is under way: no record is handled and nothing is fetched. */
  rebalancing(): boolean;
  /**
   * True when, at `now` (ms since the epoch), this member cannot be sure it still owns its partitions (the
   * coordinator has not confirmed it for nearly its session timeout): treated as a rebalance. Asked with the
   * clock before a partition's first record, after every wait and every 64 records, as the process may have
   * stood still meanwhile.
   */
  uncertain(now: number): boolean;
  /** Where to read a partition whose position turned out to lie outside its log (retention deleted it, say). */
  resetPosition(p: TopicPartition & { readonly next: bigint }, error: TributaryError): Promise<bigint>;
  /** What to do with a record batch that cannot be decoded: dead-letter its bytes and go on, or stop there. */
  readonly onUndecodableBatch: 'dead-letter' | 'stop';
  /** A partition cannot progress (reported once per reason); `progressed` follows once it moves again. */
  stalled(p: TopicPartition, reason: StallReason, offset: bigint, error: unknown): void;
  progressed(p: TopicPartition): void;
  /**
   * After a leader change, the partition's log turned out truncated (an unclean leader election, KIP-320): the
   * records from `to` up to `from` (the position) were read here but are gone from the log, and the partition
   * is read again from `to`, where the new leader's records begin. `error` is the reader's LOG_TRUNCATED.
   */
  truncated?(p: TopicPartition, from: bigint, to: bigint, error: TributaryError): void;
}
