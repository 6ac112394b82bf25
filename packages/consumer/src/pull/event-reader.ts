import { createCodecLookup, decodeEvent, ErrorCodes, InvalidArgumentError, Position, readCategory, TributaryError, type CodecLookup, type Event } from '@tributary/core';
import { delay } from '../internal/delay.js';
import { clampToRange, parseStartPosition, type OutOfRangePolicy, type ParsedStart, type StartPosition } from '../positions/start-position.js';
import type { PartitionRange } from '@tributary/kafka';
import { compileCategoryPattern, type CategoryMatcher, type CategoryPattern } from '../routing/category-pattern.js';
import type { ReplaySource } from '../replay/replay-source.js';

export interface EventReaderOptions {
  /** What to read from: `kafkaReplaySource(kafka)`, `memoryReplaySource(bus)` or `fileReplaySource(log)`. Closed by close(). */
  source: ReplaySource;
  topic: string;
  /** Where reading begins. Default 'earliest'. */
  from?: StartPosition;
  /** Only events whose category matches one of these patterns; the others are skipped without decoding. */
  categories?: readonly CategoryPattern[];
  codecs?: CodecLookup;
  /** Iteration ends once no new record came for this long, ms. Default 1000. */
  idleTimeoutMs?: number;
  /** Records asked for per partition and read. Default 500. */
  chunk?: number;
  /** A position outside a partition's range: 'fail' (default, OFFSET_OUT_OF_RANGE), or reset to an end. */
  onOutOfRange?: OutOfRangePolicy;
}

/**
 * A pull reader of one topic, for scripts and tools, like the consumer plugins of Hermes: seek somewhere,
 * iterate events until none came for a while, or find the next event of a category. It joins no consumer group
 * and commits nothing: its {@link position} is what a script stores to go on later.
 *
 * Order: offset order within each partition; partitions are read in turn, a chunk at a time. The position
 * moves past each event as it is handed out (also past one that fails to decode, whose DECODE_FAILED error
 * the iteration throws, so iterating again goes on after it). Not safe for two iterations at once.
 */
export class EventReader implements AsyncIterable<Event>, AsyncDisposable {
  readonly #source: ReplaySource;
  readonly #topic: string;
  readonly #codecs: CodecLookup;
  readonly #matchers: readonly CategoryMatcher[] | undefined;
  readonly #idleTimeoutMs: number;
  readonly #chunk: number;
  readonly #policy: OutOfRangePolicy;
  readonly #from: ParsedStart;
  /** Next offset per partition; undefined until the first read resolves `from`. */
  #next: Map<number, bigint> | undefined;
  /** Bumped by every seek, so an iteration under way re-reads from the new position. */
  #generation = 0;

  /** @throws InvalidArgumentError naming the option (`from`, `categories[1]`, `idleTimeoutMs`...) that is wrong. */
  constructor(options: EventReaderOptions) {
    if (!options?.source || typeof options.source.read !== 'function') throw new InvalidArgumentError('source must be a ReplaySource', { option: 'source' });
    if (typeof options.topic !== 'string' || options.topic === '') throw new InvalidArgumentError('topic must be a topic name', { option: 'topic', value: options.topic });
    this.#source = options.source;
    this.#topic = options.topic;
    this.#codecs = options.codecs ?? createCodecLookup();
    this.#matchers = options.categories?.map((p, i) => {
      try {
        return compileCategoryPattern(p);
      } catch (error) {
        throw new InvalidArgumentError(`categories[${i}]: ${(error as Error).message}`, { option: `categories[${i}]` }, error);
      }
    });
    this.#idleTimeoutMs = nonNegative('idleTimeoutMs', options.idleTimeoutMs, 1000);
    this.#chunk = Math.max(1, nonNegative('chunk', options.chunk, 500));
    this.#policy = options.onOutOfRange ?? 'fail';
    this.#from = parseStartPosition(options.from ?? 'earliest', 'from', [options.topic]);
  }

  /** The next offset of every partition: store its text to go on from here later (`from: position.toString()`). */
  get position(): Position {
    if (!this.#next) return Position.empty;
    return Position.of([...this.#next].map(([partition, next]) => ({ topic: this.#topic, partition, next })));
  }

  /**
   * Read from `position` on: a Position (or its text), an EventOffset (that event next), a time, 'earliest' or
   * 'latest'. Partitions a Position does not name stay where they are.
   * @throws OffsetOutOfRangeError naming the partition's valid range (unless `onOutOfRange` resets);
   *   InvalidArgumentError for a malformed position or one naming another topic.
   */
  async seek(position: StartPosition): Promise<void> {
    const parsed = parseStartPosition(position, 'position', [this.#topic]);
    const next = await this.#positions();
    for (const [partition, offset] of await this.#resolve(parsed, 'Seek')) next.set(partition, offset);
    this.#generation++;
  }

  /** Read every partition again from its first offset still held. */
  seekToBeginning(): Promise<void> {
    return this.seek('earliest');
  }

  /** Read only what is written from now on. */
  seekToEnd(): Promise<void> {
    return this.seek('latest');
  }

  [Symbol.asyncIterator](): AsyncIterator<Event> {
    return this.events();
  }

  /**
   * The events from the current position on, ending once no new record came for `idleTimeoutMs`.
   * @throws DECODE_FAILED for a record that cannot be decoded; ABORTED when `signal` aborts.
   */
  async *events(options: { signal?: AbortSignal; idleTimeoutMs?: number } = {}): AsyncGenerator<Event> {
    const idle = options.idleTimeoutMs ?? this.#idleTimeoutMs;
    const next = await this.#positions();
    let lastRecordAt = Date.now();
    for (;;) {
      let read = false;
      const generation = this.#generation;
      rounds: for (const partition of [...next.keys()]) {
        this.#checkAborted(options.signal);
        const from = next.get(partition)!;
        const got = await this.#source.read(this.#topic, partition, from, this.#chunk);
        // Offsets with no record for a reader (transaction markers, aborted transactions) are stepped over.
        if (got.records.length === 0 && got.next > from) next.set(partition, got.next);
        for (const stored of got.records) {
          read = true;
          next.set(partition, stored.offset.offset + 1n);
          if (this.#matchers && !this.#matchers.some((m) => m(readCategory(stored.record, this.#topic)))) continue;
          yield await decodeEvent(stored.record, this.#codecs, this.#topic, stored.offset);
          // A seek during the yield moved the position: read from there.
          if (this.#generation !== generation) break rounds;
        }
      }
      if (read || this.#generation !== generation) {
        lastRecordAt = Date.now();
        continue;
      }
      const left = idle - (Date.now() - lastRecordAt);
      if (left <= 0) return;
      await delay(Math.min(left, 50), options.signal);
    }
  }

  /**
   * The next event whose category matches `category` (a category or a pattern), reading forward from the
   * current position past the others; undefined once no new record came for `idleTimeoutMs`.
   */
  async findNextEventOfCategory(category: CategoryPattern, options: { signal?: AbortSignal; idleTimeoutMs?: number } = {}): Promise<Event | undefined> {
    const match = compileCategoryPattern(category);
    for await (const event of this.events(options)) if (match(event.category)) return event;
    return undefined;
  }

  /** Close the source. */
  async close(): Promise<void> {
    await this.#source.close?.();
  }

  /** Same as close(), so a reader can be given to installShutdownHandlers. */
  stop(): Promise<void> {
    return this.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #positions(): Promise<Map<number, bigint>> {
    if (this.#next) return this.#next;
    const count = await this.#source.partitionCount(this.#topic);
    if (count === 0) throw new InvalidArgumentError(`topic "${this.#topic}" does not exist`, { option: 'topic', value: this.#topic });
    const next = new Map<number, bigint>();
    for (let p = 0; p < count; p++) next.set(p, (await this.#source.range(this.#topic, p)).low);
    for (const [partition, offset] of await this.#resolve(this.#from, 'Start position', count)) next.set(partition, offset);
    return (this.#next = next);
  }

  /** The offsets a position gives, per partition, checked against each partition's range. */
  async #resolve(start: ParsedStart, what: string, known?: number): Promise<Map<number, bigint>> {
    const count = known ?? (await this.#source.partitionCount(this.#topic));
    const out = new Map<number, bigint>();
    for (let partition = 0; partition < count; partition++) {
      const { low, high } = await this.#source.range(this.#topic, partition);
      const range: PartitionRange = { partition, low, high };
      let offset: bigint | undefined;
      if (start.kind === 'time') offset = await this.#source.offsetForTime(this.#topic, partition, start.millis);
      else if (start.kind === 'position') offset = start.position.get(this.#topic, partition);
      else offset = start.kind === 'earliest' ? low : high;
      if (offset !== undefined) out.set(partition, start.kind === 'position' ? clampToRange(what, this.#topic, range, offset, this.#policy) : offset);
    }
    return out;
  }

  #checkAborted(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw new TributaryError(ErrorCodes.ABORTED, 'reading was aborted', { cause: signal.reason });
  }
}

function nonNegative(path: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(`${path} must be an integer >= 0, got ${String(value)}`, { option: path, value });
  return value;
}

/** Make an {@link EventReader}. */
export function createEventReader(options: EventReaderOptions): EventReader {
  return new EventReader(options);
}
