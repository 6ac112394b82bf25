import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { EventRecord } from '@tributary/core';
import type { Committer } from '../commit/committer.js';
import { messageOf, type ConsumerLogger } from '../logging/logger.js';
import type { RecordProcessor } from '../processing/record-processor.js';
import type { PauseControl } from './pause-control.js';

/** What the batch loop needs from the consumer group around it. */
export interface BatchLoopContext {
  readonly processor: RecordProcessor;
  readonly committer: Committer;
  readonly pauses: PauseControl;
  readonly heartbeatIntervalMs: number;
  readonly logger: ConsumerLogger;
  /** Handed to handlers; aborts when the consumer begins to stop. */
  readonly signal: AbortSignal;
  /** The lowest offset of the partition that may reach a handler (a start position or the last seek). */
  floor(topic: string, partition: number): bigint | undefined;
  /** Move the partition to `next`: a batch was fetched from below its floor. */
  seekToFloor(topic: string, partition: number, next: bigint): void;
  /** True once the consumer is stopping or a rebalance is under way: handle no further record now. */
  shouldYield(): boolean;
  /** A heartbeat failed: a rebalance began, or this member was evicted. */
  onHeartbeatError(error: unknown): void;
  /** The batch's one-attempt commit function, which every commit goes through. */
  useCommit(commit: EachBatchPayload['commitOffsetsIfNecessary']): void;
}

/**
 * kafkajs' `eachBatch`: takes one partition's batch through the record processor, in offset order, one record
 * at a time. kafkajs gives each partition to one batch at a time, so order holds per partition while
 * `partitionsConsumedConcurrently` partitions run side by side.
 *
 * - A batch that starts below the partition's floor (fetched before a start position or seek landed) is
 *   dropped whole and the partition sought: no record below the floor reaches a handler.
 * - Each record is tracked before handling and settled after; only settled offsets are resolved (kafkajs'
 *   fetch position) and, later, committed. A `blocked` record pauses the partition; it is fetched again when
 *   the partition resumes. An `aborted` one (stop) is left for the next owner.
 * - Heartbeats go on from a timer while handlers run, so a long handler does not get the member evicted.
 */
export class BatchLoop {
  readonly #c: BatchLoopContext;
  #active = 0;
  #idle: Array<() => void> = [];

  constructor(context: BatchLoopContext) {
    this.#c = context;
  }

  /** Batches being handled right now. */
  get active(): number {
    return this.#active;
  }

  /** Resolves once no batch is being handled. */
  whenIdle(): Promise<void> {
    return this.#active === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  readonly eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    this.#active++;
    try {
      this.#c.useCommit(payload.commitOffsetsIfNecessary);
      await this.#handle(payload);
    } finally {
      if (--this.#active === 0) for (const resolve of this.#idle.splice(0)) resolve();
    }
  };

  async #handle({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const c = this.#c;
    const { topic, partition } = batch;
    const tp = { topic, partition };
    const first = batch.messages[0];
    const tracker = c.committer.tracker(topic, partition);
    if (!first || !tracker || c.shouldYield() || c.pauses.isPaused(tp)) return;
    const floor = c.floor(topic, partition);
    if (floor !== undefined && BigInt(first.offset) < floor) {
      c.logger.debug({ topic, partition, fetchedFrom: first.offset, floor: floor.toString() }, 'dropped a batch fetched from below the start position; seeking');
      c.seekToFloor(topic, partition, floor);
      return;
    }
    const beat = setInterval(() => void heartbeat().catch((error: unknown) => c.onHeartbeatError(error)), c.heartbeatIntervalMs);
    beat.unref?.();
    let lastSettled: string | undefined;
    try {
      for (const message of batch.messages) {
        if (c.shouldYield() || !isRunning() || isStale() || c.pauses.isPaused(tp)) break;
        const offset = BigInt(message.offset);
        tracker.track(offset);
        const outcome = await c.processor.process({ topic, partition, offset, record: toRecord(message) }, c.signal);
        if (outcome === 'blocked') {
          tracker.reset();
          const wait = c.pauses.block(tp);
          c.logger.warn({ topic, partition, offset: message.offset, resumeInMs: wait }, 'partition paused: a record could not be settled');
          break;
        }
        if (outcome === 'aborted') {
          tracker.reset();
          break;
        }
        tracker.settle(offset);
        c.pauses.settled(tp);
        lastSettled = message.offset;
      }
    } catch (error) {
      // The processor never throws, so this is a bug (a tracker invariant broken, say). Rather than crash the
      // client, the partition waits and its unsettled records are fetched again after the back-off.
      tracker.reset();
      const wait = c.pauses.block(tp);
      c.logger.error({ topic, partition, err: messageOf(error), resumeInMs: wait }, 'batch handling failed; partition paused');
    } finally {
      clearInterval(beat);
      // The fetch position moves past settled records only: the next fetch starts at the first unsettled one.
      if (lastSettled !== undefined) resolveOffset(lastSettled);
    }
  }
}

/** kafkajs' message as Tributary's record. Headers repeated under one name keep the last value. */
export function toRecord(message: KafkaMessage): EventRecord {
  const headers: Record<string, Buffer> = {};
  for (const name in message.headers) {
    const raw = message.headers[name];
    const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (v !== undefined) headers[name] = Buffer.isBuffer(v) ? v : Buffer.from(v);
  }
  return { key: message.key, value: message.value ?? Buffer.alloc(0), headers, timestamp: message.timestamp };
}
