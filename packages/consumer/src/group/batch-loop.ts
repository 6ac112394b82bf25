import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { EventRecord } from '@tributary/core';
import type { Committer } from '../commit/committer.js';
import { messageOf, type ConsumerLogger } from '../logging/logger.js';
import type { RecordProcessor } from '../processing/record-processor.js';
import type { PauseControl } from './pause-control.js';

/** How long records handled synchronously may hold the event loop before it gets a turn. */
const SLICE_MS = 50;

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
  /** Counts the start positions and seeks set so far: a batch checks whether it went stale only after this changed. */
  seeks(): number;
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
    const seeks = c.seeks();
    let lastSettled: string | undefined;
    let sliceStart = performance.now();
    let n = 0;
    try {
      for (const message of batch.messages) {
        // Records handled without a Promise run back to back; now and then the event loop gets a turn, so
        // heartbeats, commits and other partitions are not held up by a long synchronous run.
        if ((++n & 255) === 0 && performance.now() - sliceStart > SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
        // A stop, rebalance, pause or seek makes the rest of the batch moot. They come from other tasks, and
        // isStale (a seek, which only this group makes) is the one check that costs: it runs only after a new
        // position was set.
        if (c.shouldYield() || !isRunning() || c.pauses.isPaused(tp) || (c.seeks() !== seeks && isStale())) break;
        const offset = BigInt(message.offset);
        let outcome = c.processor.process({ topic, partition, offset, record: toRecord(message) }, c.signal);
        if (typeof outcome !== 'string') outcome = await outcome;
        if (outcome === 'blocked') {
          const wait = c.pauses.block(tp);
          c.logger.warn({ topic, partition, offset: message.offset, resumeInMs: wait }, 'partition paused: a record could not be settled');
          break;
        }
        if (outcome === 'aborted') break;
        tracker.settleThrough(offset);
        c.pauses.settled(tp);
        lastSettled = message.offset;
      }
    } catch (error) {
      // The processor never throws, so this is a bug (a tracker invariant broken, say). Rather than crash the
      // client, the partition waits and its unsettled records are fetched again after the back-off.
      const wait = c.pauses.block(tp);
      c.logger.error({ topic, partition, err: messageOf(error), resumeInMs: wait }, 'batch handling failed; partition paused');
    } finally {
      clearInterval(beat);
      // The fetch position moves past settled records only: the next fetch starts at the first unsettled one.
      if (lastSettled !== undefined) resolveOffset(lastSettled);
    }
  }
}

/**
 * kafkajs' message as Tributary's record. kafkajs reads every header value as a Buffer, and a name repeated
 * in one record as an array of them: such a name keeps its last value. Headers are copied only then.
 */
export function toRecord(message: KafkaMessage): EventRecord {
  const raw = message.headers ?? {};
  let headers = raw as Record<string, Buffer>;
  for (const name in raw) {
    if (Buffer.isBuffer(raw[name])) continue;
    headers = {};
    for (const n in raw) {
      const v = raw[n];
      const last = Array.isArray(v) ? v[v.length - 1] : v;
      if (last !== undefined) headers[n] = Buffer.isBuffer(last) ? last : Buffer.from(last);
    }
    break;
  }
  return { key: message.key, value: message.value ?? EMPTY, headers, timestamp: message.timestamp };
}

const EMPTY = Buffer.alloc(0);
