import { decodeEvent, ErrorCodes, EventOffset, isTributaryError, readCategory, type CodecLookup, type Event, type EventRecord } from '@tributary/core';
import { DeadLetterHeaders, deadLetterHeaders, groupHeaders, type DeadLetterHeaderValue, type DeadLetterOrigin } from '../failure/dead-letter-headers.js';
import { retryDelay, type RetryPolicy } from '../failure/retry-policy.js';
import { delay } from '../internal/delay.js';
import { partitionKey } from '@tributary/kafka';
import { messageOf, silentLogger, type Logger as ConsumerLogger } from '@tributary/kafka';
import type { EventHandler, HandlerContext, Router } from '../routing/router.js';
import type { RawRecord } from './raw-record.js';

export type { RawRecord } from './raw-record.js';

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
  /** The original value; null for a tombstone, so that the letter, sent back, still deletes. */
  readonly value: Buffer | null;
  /** The original headers (a repeated name as an array of its values, in order) plus the dead-letter headers. */
  readonly headers: Record<string, DeadLetterHeaderValue>;
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

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
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
  readonly #blockedBy = new Map<string, { reason: 'dead-letter-failed' | 'decode-waiting'; error: unknown }>();
  #first: HandlerContext | undefined;

  constructor(options: RecordProcessorOptions) {
    this.#o = options;
    this.#logger = options.logger ?? silentLogger;
  }

  /**
   * Take one record through the chain. Never throws: every failure is an outcome. Synchronous (an outcome, not
   * a Promise) while nothing on the way is: a record filtered out, or decoded without a registry and handled by
   * a handler that returned no Promise. The batch loop then goes on to the next record without a round through
   * the microtask queue, which is most of the cost of a filtered record.
   */
  process(incoming: IncomingRecord, signal: AbortSignal): ProcessOutcome | Promise<ProcessOutcome> {
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
    let decoded: Event | Promise<Event>;
    try {
      decoded = decodeEvent(record, this.#o.codecs, topic, EventOffset.of(topic, partition, offset));
    } catch (error) {
      return this.#undecodable(incoming, error);
    }
    if (decoded instanceof Promise) {
      return decoded.then(
        (event) => this.#handle(incoming, event, handle, signal),
        (error: unknown) => this.#undecodable(incoming, error),
      );
    }
    return this.#handle(incoming, decoded, handle, signal);
  }

  /** The first attempt, synchronous when the handler is; retries (always asynchronous) after a failure. */
  #handle(incoming: IncomingRecord, event: Event, handle: EventHandler, signal: AbortSignal): ProcessOutcome | Promise<ProcessOutcome> {
    let result: unknown;
    try {
      result = handle(event, this.#firstAttempt(signal));
    } catch (error) {
      return this.#retry(incoming, event, handle, signal, error);
    }
    if (!isThenable(result)) {
      this.#o.observer?.handled(incoming.topic);
      return 'handled';
    }
    return Promise.resolve(result).then(
      () => {
        this.#o.observer?.handled(incoming.topic);
        return 'handled' as const;
      },
      (error: unknown) => this.#retry(incoming, event, handle, signal, error),
    );
  }

  /** After attempt 1 failed with `error`: back off and try again, up to the policy's attempts, then dead-letter. */
  async #retry(incoming: IncomingRecord, event: Event, handle: EventHandler, signal: AbortSignal, error: unknown): Promise<ProcessOutcome> {
    const { topic, partition, offset } = incoming;
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) return 'aborted';
      if (attempt >= this.#o.retry.attempts) return this.#deadLetter(incoming, error, attempt);
      this.#o.observer?.retried(topic);
      const wait = retryDelay(this.#o.retry, attempt, this.#o.random);
      this.#logger.debug({ topic, partition, offset: offset.toString(), attempt, retryInMs: wait, err: messageOf(error) }, 'handler failed; retrying');
      if (!(await delay(wait, signal))) return 'aborted';
      try {
        await handle(event, { attempt: attempt + 1, signal });
        this.#o.observer?.handled(topic);
        return 'handled';
      } catch (next) {
        error = next;
      }
    }
  }

  /** Decoding failed: dead-letter the record at once, unless the reason may pass (then the partition waits). */
  #undecodable(incoming: IncomingRecord, error: unknown): ProcessOutcome | Promise<ProcessOutcome> {
    if (isTributaryError(error) && error.retriable) {
      // A schema registry out of reach, say: the record is not bad, so it waits rather than dead-letters.
      const { topic, partition, offset } = incoming;
      this.#logger.warn({ topic, partition, offset: offset.toString(), code: error.code, err: messageOf(error) }, 'decoding failed for a reason that may pass; the partition waits');
      this.#blockedBy.set(partitionKey(topic, partition), { reason: 'decode-waiting', error });
      return 'blocked';
    }
    return this.#deadLetter(incoming, error, 0);
  }

  /** The context of every first attempt under one signal: made once, as it never changes. */
  #firstAttempt(signal: AbortSignal): HandlerContext {
    if (this.#first?.signal !== signal) this.#first = Object.freeze({ attempt: 1, signal });
    return this.#first;
  }

  /** Why the last `blocked` outcome of a partition came: what a stalled partition is reported with. */
  blockedBy(topic: string, partition: number): { reason: 'dead-letter-failed' | 'decode-waiting'; error: unknown } | undefined {
    return this.#blockedBy.get(partitionKey(topic, partition));
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

  /**
   * Dead-letter a record batch that could not be decoded: one letter whose value is the batch's raw bytes, with
   * the origin headers (offset: the batch's first) and the first offset after it, so nothing the batch held is
   * lost from sight. 'blocked' when the write failed (the letter is kept and written again on the next try).
   */
  deadLetterBatch(topic: string, partition: number, batch: { baseOffset: bigint; skipTo: bigint; bytes: Buffer }, error: unknown): Promise<ProcessOutcome> {
    const origin: DeadLetterOrigin = {
      topic, partition, offset: batch.baseOffset, timestamp: String(Date.now()), group: this.#o.group, attempts: 0,
      errorCode: ErrorCodes.DECODE_FAILED, errorMessage: messageOf(error),
    };
    const headers = deadLetterHeaders({ [DeadLetterHeaders.batchEnd]: batch.skipTo.toString() }, origin);
    return this.#publish({ topic: this.#o.deadLetterTopic(topic), key: null, value: batch.bytes, headers, origin });
  }

  #deadLetter(incoming: IncomingRecord, error: unknown, attempts: number): Promise<ProcessOutcome> {
    const { topic, partition, offset, record } = incoming;
    const origin: DeadLetterOrigin = {
      topic, partition, offset, timestamp: record.timestamp, group: this.#o.group, attempts,
      // A handler's own error has no Tributary code: it is recorded as HANDLER_FAILED.
      errorCode: isTributaryError(error) ? error.code : ErrorCodes.HANDLER_FAILED,
      errorMessage: messageOf(error),
    };
    const raw = record as RawRecord;
    const original = raw.headerList ? groupHeaders(raw.headerList) : record.headers;
    const letter: DeadLetter = { topic: this.#o.deadLetterTopic(topic), key: record.key, value: raw.tombstone ? null : record.value, headers: deadLetterHeaders(original, origin), origin };
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
      this.#blockedBy.set(key, { reason: 'dead-letter-failed', error });
      return 'blocked';
    }
    const kept = this.#pending.get(key);
    if (kept?.delete(offset) && kept.size === 0) this.#pending.delete(key);
    this.#o.observer?.deadLettered(topic);
    this.#logger.warn({ ...log, err: letter.origin.errorMessage }, 'record dead-lettered');
    return 'dead-lettered';
  }
}
