import { decodeEvent, ErrorCodes, EventOffset, isTributaryError, readCategory, type CodecLookup, type Event, type EventRecord } from '@tributary/core';
import { deadLetterHeaders, type DeadLetterOrigin } from '../failure/dead-letter-headers.js';
import { retryDelay, type RetryPolicy } from '../failure/retry-policy.js';
import { delay } from '../internal/delay.js';
import { partitionKey } from '../internal/topic-partition.js';
import { messageOf, silentLogger, type ConsumerLogger } from '../logging/logger.js';
import type { Router } from '../routing/router.js';

/** A record as fetched, with where it was read. */
export interface IncomingRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly record: EventRecord;
}

/** A raw record on its way to a dead-letter topic, with the headers that name its origin. */
export interface DeadLetter {
  /** The dead-letter topic. */
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer;
  /** The original headers plus the dead-letter headers (see {@link DeadLetterHeaders}). */
  readonly headers: Record<string, Buffer>;
  readonly origin: DeadLetterOrigin;
}

/**
 * Where dead letters go. Contract: `publish` resolves only once the letter is durably written (acks from all
 * in-sync replicas); it rejects when it could not be written, and may then be called again with the same
 * letter (a retry can write it twice: dead-lettering is at-least-once too).
 */
export interface DeadLetterPublisher {
  publish(letter: DeadLetter): Promise<void>;
}

/** Told what happened to each record: counters and metrics implement it. */
export interface ProcessingObserver {
  handled(topic: string): void;
  filtered(topic: string): void;
  retried(topic: string): void;
  deadLettered(topic: string): void;
}

/**
 * What became of a record:
 * - `handled`, `filtered` (no handler wants its category) and `dead-lettered` settle it: it may be committed;
 * - `blocked`: it cannot be settled now (its dead-letter write failed, or decoding failed for a reason that may
 *   pass); the partition must wait and offer it again later. Nothing after it may be handled meanwhile;
 * - `aborted`: the consumer is stopping; the record is not settled and will be delivered again.
 */
export type ProcessOutcome = 'handled' | 'filtered' | 'dead-lettered' | 'blocked' | 'aborted';

export interface RecordProcessorOptions {
  router: Router;
  codecs: CodecLookup;
  retry: RetryPolicy;
  /** Named in the dead-letter headers. */
  group: string;
  deadLetterTopic(topic: string): string;
  publisher: DeadLetterPublisher;
  observer?: ProcessingObserver;
  logger?: ConsumerLogger;
  /** Jitter source for retry delays (tests pass a fixed one). */
  random?: () => number;
}

/**
 * The filter chain every fetched record goes through, free of any Kafka client so tests drive it in memory:
 * category from the header (no decoding) -> route -> decode by the codec the headers name -> handler, retried
 * with bounded exponential back-off -> dead-letter topic. Records that cannot be decoded (no category header,
 * unknown codec or schema, malformed bytes) are never retried: they go to the dead-letter topic at once, with
 * attempts 0. A letter whose write failed is kept, and written (not handled again) when the record comes back.
 */
export class RecordProcessor {
  readonly #o: RecordProcessorOptions;
  readonly #logger: ConsumerLogger;
  /** Letters whose write failed, by partition and offset: the record comes back after the partition resumes. */
  readonly #pending = new Map<string, Map<bigint, DeadLetter>>();

  constructor(options: RecordProcessorOptions) {
    this.#o = options;
    this.#logger = options.logger ?? silentLogger;
  }

  /** Take one record through the chain. Never throws: every failure is an outcome. */
  async process(incoming: IncomingRecord, signal: AbortSignal): Promise<ProcessOutcome> {
    const { topic, partition, offset, record } = incoming;
    const pending = this.#pending.size === 0 ? undefined : this.#pending.get(partitionKey(topic, partition))?.get(offset);
    if (pending) return this.#publish(pending);
    let category: string;
    try {
      category = readCategory(record, topic);
    } catch (error) {
      return this.#deadLetter(incoming, error, 0);
    }
    const handle = this.#o.router.route(category);
    if (!handle) {
      this.#o.observer?.filtered(topic);
      return 'filtered';
    }
    let event: Event;
    try {
      const decoded = decodeEvent(record, this.#o.codecs, topic, EventOffset.of(topic, partition, offset));
      event = decoded instanceof Promise ? await decoded : decoded;
    } catch (error) {
      if (isTributaryError(error) && error.retriable) {
        // A schema registry out of reach, say: the record is not bad, so it waits rather than dead-letters.
        this.#logger.warn({ topic, partition, offset: offset.toString(), code: error.code, err: messageOf(error) }, 'decoding failed for a reason that may pass; the partition waits');
        return 'blocked';
      }
      return this.#deadLetter(incoming, error, 0);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await handle(event, { attempt, signal });
        this.#o.observer?.handled(topic);
        return 'handled';
      } catch (error) {
        if (signal.aborted) return 'aborted';
        if (attempt >= this.#o.retry.attempts) return this.#deadLetter(incoming, error, attempt);
        this.#o.observer?.retried(topic);
        const wait = retryDelay(this.#o.retry, attempt, this.#o.random);
        this.#logger.debug({ topic, partition, offset: offset.toString(), attempt, retryInMs: wait, err: messageOf(error) }, 'handler failed; retrying');
        if (!(await delay(wait, signal))) return 'aborted';
      }
    }
  }

  /** Drop the letters kept for a partition (it was revoked or sought). */
  forget(topic: string, partition: number): void {
    this.#pending.delete(partitionKey(topic, partition));
  }

  /** How many letters wait for a successful write. */
  get pendingLetters(): number {
    let n = 0;
    for (const m of this.#pending.values()) n += m.size;
    return n;
  }

  #deadLetter(incoming: IncomingRecord, error: unknown, attempts: number): Promise<ProcessOutcome> {
    const { topic, partition, offset, record } = incoming;
    const origin: DeadLetterOrigin = {
      topic, partition, offset, timestamp: record.timestamp, group: this.#o.group, attempts,
      // A handler's own error has no Tributary code: it is recorded as HANDLER_FAILED.
      errorCode: isTributaryError(error) ? error.code : ErrorCodes.HANDLER_FAILED,
      errorMessage: messageOf(error),
    };
    const letter: DeadLetter = { topic: this.#o.deadLetterTopic(topic), key: record.key, value: record.value, headers: deadLetterHeaders(record.headers, origin), origin };
    return this.#publish(letter);
  }

  async #publish(letter: DeadLetter): Promise<ProcessOutcome> {
    const { topic, partition, offset } = letter.origin;
    const key = partitionKey(topic, partition);
    const log = { topic, partition, offset: offset.toString(), deadLetterTopic: letter.topic, code: letter.origin.errorCode, attempts: letter.origin.attempts };
    try {
      await this.#o.publisher.publish(letter);
    } catch (error) {
      let letters = this.#pending.get(key);
      if (!letters) this.#pending.set(key, (letters = new Map()));
      letters.set(offset, letter);
      this.#logger.error({ ...log, err: messageOf(error) }, 'dead-letter write failed; the partition waits and tries again');
      return 'blocked';
    }
    const kept = this.#pending.get(key);
    if (kept?.delete(offset) && kept.size === 0) this.#pending.delete(key);
    this.#o.observer?.deadLettered(topic);
    this.#logger.warn({ ...log, err: letter.origin.errorMessage }, 'record dead-lettered');
    return 'dead-lettered';
  }
}
