import { Kafka, logLevel, type Admin, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import {
  createCodecLookup, decodeEvent, EventOffset, InvalidArgumentError, isTributaryError, Position, readCategory,
  type CodecLookup, type Event, type EventRecord,
} from '@tributary/core';
import { compileCategoryPattern, type CategoryMatcher, type CategoryPattern } from '../routing/category-pattern.js';
import { retryDelay, retryPolicy, type RetryOptions, type RetryPolicy } from '../failure/retry-policy.js';
import { deadLetterTopicFor } from '../failure/dead-letter-headers.js';
import { publishDeadLetter } from './dead-letter-writer.js';
import { commitStartPositions, resolveStartPositions, type OutOfRangePolicy, type StartPosition } from './start-positions.js';

/** A handler for the events whose category matches its pattern. */
export type EventHandler = (event: Event) => Promise<void> | void;

export interface ConsumerGroupOptions {
  brokers: string[];
  groupId: string;
  topics: string[];
  /** Handlers by category pattern (exact, `*` one segment, `#` any depth); the first match in order wins. */
  handlers: Record<CategoryPattern, EventHandler>;
  /** Codecs for decoding; JSON is always known. */
  codecs?: CodecLookup;
  /**
   * Where to start. 'earliest' (default) or 'latest' apply where the group has no committed offset. A Position
   * (or its text) or a time applies before the first delivery: no record before it reaches a handler, also
   * across rebalances; when the group has no active member its committed offsets are set to it first.
   */
  from?: StartPosition;
  /** A `from` position outside a partition's range: 'fail' (default, OFFSET_OUT_OF_RANGE), or reset. */
  onOutOfRange?: OutOfRangePolicy;
  /** Bounded retry of a failing handler before its record is dead-lettered. Default 3 attempts. */
  retry?: RetryOptions;
  /** The dead-letter topic of a topic. Default `<topic>.DLT`. */
  deadLetterTopic?: (topic: string) => string;
  /** Partitions handled at once (order is kept within each). Default 1. */
  partitionsConcurrently?: number;
  clientId?: string;
  sessionTimeoutMs?: number;
  /** Milliseconds between heartbeats, also while a long handler runs. Default 3000. */
  heartbeatIntervalMs?: number;
}

/** Counters of what the group did with the records it read. */
export interface ConsumerGroupCounters {
  handled: number;
  filtered: number;
  retried: number;
  deadLettered: number;
}

/** Lag of one partition: the high watermark minus the group's committed offset. */
export interface PartitionLag {
  topic: string;
  partition: number;
  high: bigint;
  committed: bigint | undefined;
  lag: bigint;
}

/**
 * A consumer group with category routing, at-least-once delivery and dead-lettering.
 *
 * Delivery contract: each record is handled at least once; order is kept per partition. The committed offset
 * is the next one to read and moves only past records whose handling settled: handled, filtered out (no
 * handler matches: skipped without decoding, and still committed, so lag does not grow) or dead-lettered.
 * A failing handler is retried with bounded exponential back-off, then the raw record goes to the dead-letter
 * topic with headers naming its origin, the error and the attempts. Records that cannot be decoded go there at
 * once. If the dead-letter write fails, the partition waits (and is paused) rather than skip anything.
 */
export class ConsumerGroup {
  readonly #options: ConsumerGroupOptions;
  readonly #routes: Array<{ match: CategoryMatcher; handle: EventHandler }>;
  readonly #retry: RetryPolicy;
  readonly #codecs: CodecLookup;
  readonly #kafka: Kafka;
  #consumer: Consumer | undefined;
  #producer: Producer | undefined;
  #admin: Admin | undefined;
  readonly counters: ConsumerGroupCounters = { handled: 0, filtered: 0, retried: 0, deadLettered: 0 };
  /** Per partition, the lowest offset that may reach a handler (from `from` or the last seek). */
  readonly #floors = new Map<string, bigint>();

  /** @throws InvalidArgumentError naming the option (`handlers`, `topics`, `retry.attempts`...) that is wrong. */
  constructor(options: ConsumerGroupOptions) {
    if (!Array.isArray(options.topics) || options.topics.length === 0) throw new InvalidArgumentError('topics must list at least one topic', { option: 'topics' });
    if (!options.groupId) throw new InvalidArgumentError('groupId must be a non-empty string', { option: 'groupId' });
    const entries = Object.entries(options.handlers ?? {});
    if (entries.length === 0) throw new InvalidArgumentError('handlers must map at least one category pattern to a function', { option: 'handlers' });
    this.#routes = entries.map(([pattern, handle]) => {
      if (typeof handle !== 'function') throw new InvalidArgumentError(`handlers[${JSON.stringify(pattern)}] must be a function`, { option: `handlers.${pattern}` });
      return { match: compileCategoryPattern(pattern), handle };
    });
    this.#retry = retryPolicy(options.retry);
    this.#codecs = options.codecs ?? createCodecLookup();
    this.#options = options;
    this.#kafka = new Kafka({ clientId: options.clientId ?? 'tributary-consumer', brokers: options.brokers, logLevel: logLevel.NOTHING });
  }

  /** Join the group and start handling. Resolves once the consumer runs. */
  async start(): Promise<void> {
    const o = this.#options;
    this.#producer = this.#kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.#admin = this.#kafka.admin();
    const consumer = this.#kafka.consumer({ groupId: o.groupId, sessionTimeout: o.sessionTimeoutMs ?? 30_000, heartbeatInterval: o.heartbeatIntervalMs ?? 3000 });
    this.#consumer = consumer;
    await Promise.all([this.#producer.connect(), this.#admin.connect(), consumer.connect()]);
    const from = o.from ?? 'earliest';
    const floors = await resolveStartPositions(this.#admin, o.topics, from, o.onOutOfRange ?? 'fail');
    if (floors) {
      for (const [key, offset] of floors) this.#floors.set(key, offset);
      await commitStartPositions(this.#admin, o.groupId, floors);
    }
    await consumer.subscribe({ topics: o.topics, fromBeginning: from !== 'latest' });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: o.partitionsConcurrently ?? 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
        const floor = this.#floors.get(`${batch.topic}\u0000${batch.partition}`);
        if (floor !== undefined && batch.messages.length > 0 && BigInt(batch.messages[0]!.offset) < floor) {
          // Fetched from before the start position (kafkajs can only seek once running): drop it and seek.
          consumer.seek({ topic: batch.topic, partition: batch.partition, offset: floor.toString() });
          return;
        }
        // Heartbeats go on while the batch's handlers run, however long, so the member is not evicted.
        const beat = setInterval(() => void heartbeat().catch(() => {}), o.heartbeatIntervalMs ?? 3000);
        try {
          for (const message of batch.messages) {
            if (!isRunning() || isStale()) break;
            const settled = await this.#settle(batch.topic, batch.partition, message, { heartbeat, isRunning });
            if (!settled) break;
            // Resolved offsets are committed as offset + 1: only ever past settled records, in order.
            resolveOffset(message.offset);
          }
        } finally {
          clearInterval(beat);
        }
        await commitOffsetsIfNecessary();
      },
    });
  }

  /**
   * Stop: let in-flight handlers finish, commit what settled and leave the group, within `deadlineMs`
   * (default 30 s); past it the connections are closed anyway.
   */
  async stop(deadlineMs = 30_000): Promise<void> {
    const timeout = new Promise<void>((r) => setTimeout(r, deadlineMs).unref());
    await Promise.race([this.#consumer?.disconnect(), timeout]);
    await Promise.all([this.#producer?.disconnect(), this.#admin?.disconnect()]);
  }

  /**
   * Move to `position` while running: each partition it names is read next from its offset (and no earlier
   * record reaches a handler until then). Partitions it does not name go on where they are.
   */
  seek(position: Position | string): void {
    const p = typeof position === 'string' ? Position.parse(position) : position;
    for (const { topic, partition, next } of p.entries()) {
      if (!this.#options.topics.includes(topic)) continue;
      this.#floors.set(`${topic}\u0000${partition}`, next);
      this.#consumer?.seek({ topic, partition, offset: next.toString() });
    }
  }

  /** Read every partition again from the start of its log. */
  async seekToBeginning(): Promise<void> {
    const entries: Array<{ topic: string; partition: number; next: bigint }> = [];
    for (const topic of this.#options.topics) {
      for (const p of await this.#admin!.fetchTopicOffsets(topic)) entries.push({ topic, partition: p.partition, next: BigInt(p.low) });
    }
    this.seek(Position.of(entries));
  }

  /** Per-partition lag of the group's topics: high watermark minus committed offset. */
  async lag(): Promise<PartitionLag[]> {
    const admin = this.#admin!;
    const out: PartitionLag[] = [];
    const committed = await admin.fetchOffsets({ groupId: this.#options.groupId, topics: this.#options.topics });
    for (const topic of this.#options.topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const c = mine.find((p) => p.partition === end.partition)?.offset;
        const done = c === undefined || c === '-1' ? undefined : BigInt(c);
        const high = BigInt(end.high);
        out.push({ topic, partition: end.partition, high, committed: done, lag: high - (done ?? BigInt(end.low)) });
      }
    }
    return out;
  }

  async #settle(topic: string, partition: number, message: KafkaMessage, ctx: { heartbeat(): Promise<void>; isRunning(): boolean }): Promise<boolean> {
    const record: EventRecord = { key: message.key, value: message.value ?? Buffer.alloc(0), headers: toBuffers(message.headers), timestamp: message.timestamp };
    let event: Event;
    try {
      const category = readCategory(record, topic);
      const route = this.#routes.find((r) => r.match(category));
      if (!route) {
        this.counters.filtered++;
        return true;
      }
      event = await decodeEvent(record, this.#codecs, topic, EventOffset.of(topic, partition, message.offset));
      return await this.#handle(route.handle, event, topic, partition, message, record, ctx);
    } catch (error) {
      // Not decodable (or no category header): never retried, straight to the dead-letter topic.
      return this.#deadLetter(topic, partition, message, record, error, 0, ctx);
    }
  }

  async #handle(handle: EventHandler, event: Event, topic: string, partition: number, message: KafkaMessage, record: EventRecord, ctx: { heartbeat(): Promise<void>; isRunning(): boolean }): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await handle(event);
        this.counters.handled++;
        return true;
      } catch (error) {
        if (attempt >= this.#retry.attempts) return this.#deadLetter(topic, partition, message, record, error, attempt, ctx);
        this.counters.retried++;
        await new Promise((r) => setTimeout(r, retryDelay(this.#retry, attempt)));
        if (!ctx.isRunning()) return false;
      }
    }
  }

  async #deadLetter(topic: string, partition: number, message: KafkaMessage, record: EventRecord, error: unknown, attempts: number, ctx: { heartbeat(): Promise<void>; isRunning(): boolean }): Promise<boolean> {
    const dlt = (this.#options.deadLetterTopic ?? deadLetterTopicFor)(topic);
    const origin = {
      topic, partition, offset: BigInt(message.offset), timestamp: message.timestamp,
      // A handler's own error has no Tributary code: it is recorded as HANDLER_FAILED.
      errorCode: isTributaryError(error) ? error.code : 'HANDLER_FAILED',
      errorMessage: (error as Error)?.message ?? String(error), group: this.#options.groupId, attempts,
    };
    let paused = false;
    const ok = await publishDeadLetter(this.#producer!, dlt, record, origin, {
      isRunning: ctx.isRunning,
      heartbeat: ctx.heartbeat,
      onBlocked: () => {
        if (!paused) this.#consumer?.pause([{ topic, partitions: [partition] }]);
        paused = true;
      },
    });
    if (paused) this.#consumer?.resume([{ topic, partitions: [partition] }]);
    if (ok) this.counters.deadLettered++;
    return ok;
  }
}

function toBuffers(headers: KafkaMessage['headers']): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const v = Array.isArray(value) ? value[value.length - 1] : value;
    if (v !== undefined) out[name] = Buffer.isBuffer(v) ? v : Buffer.from(v);
  }
  return out;
}
