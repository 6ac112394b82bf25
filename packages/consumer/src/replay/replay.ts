import type { DateTime } from 'luxon';
import { createCodecLookup, decodeEvent, ErrorCodes, InvalidArgumentError, Position, readCategory, TributaryError, type CodecLookup, type Event, type StoredRecord } from '@tributary/core';
import { OffsetOutOfRangeError } from '../errors.js';
import { checkPartitionsExist, timeMillis } from '../positions/start-position.js';
import { compileCategoryPattern, type CategoryPattern } from '../routing/category-pattern.js';
import type { ReplaySource, SourceRead } from './replay-source.js';

/** Where a replay starts or stops: the ends, a stored Position (or its text), or a time. */
export type ReplayBound = 'earliest' | 'end' | Position | string | DateTime | Date;

/** Progress of a replay, for a progress bar. */
export interface ReplayProgress {
  /** Events handed out (after the category filter). */
  events: number;
  /** Records read, handed out or filtered. */
  records: number;
  /** Bytes of record values read. */
  bytes: number;
  /** Share of the range read, 0 to 1. */
  done: number;
  /** Records read per second so far. */
  rate: number;
  /** Seconds left at the current rate (Infinity before any record). */
  etaSeconds: number;
}

export interface ReplayOptions {
  source: ReplaySource;
  topic: string;
  /** Default 'earliest'. A Position gives the next offset per partition (partitions it lacks start at the beginning). */
  from?: ReplayBound;
  /** Default 'end': the end of each partition captured when the replay starts. */
  to?: ReplayBound;
  /** Only events whose category matches one of these patterns (see compileCategoryPattern); others are not decoded. */
  categories?: readonly CategoryPattern[];
  /** Codecs for decoding; JSON is always known. */
  codecs?: CodecLookup;
  /** Records read per fetch. Default 500. Memory stays bounded by two fetches (the current one and the next) whatever the range. */
  chunk?: number;
  signal?: AbortSignal;
  /** Called after every fetch. */
  onProgress?(progress: ReplayProgress): void;
}

interface Range {
  partition: number;
  from: bigint;
  to: bigint;
}

/**
 * Read a topic, or some categories of it, from a position or a time up to the end captured when the replay
 * starts (or up to a given position or time), without joining a consumer group and without committing.
 * Events come partition by partition, in offset order within each, with their offsets. The iterator fetches
 * as the caller pulls (backpressure), one fetch ahead, so memory holds at most two fetches (`chunk` records
 * each) whatever the range. The replay owns `source`: it closes it when the iteration ends, however it ends.
 * @throws InvalidArgumentError for a bad option or bound; OffsetOutOfRangeError (OFFSET_OUT_OF_RANGE) when a
 *   Position lies outside a partition (naming the valid range); DECODE_FAILED from a record that cannot be
 *   decoded (naming its offset); ABORTED when `signal` aborts.
 */
export function replay(options: ReplayOptions): AsyncGenerator<Event> {
  return new Replay(options);
}

const DONE: IteratorResult<Event> = Object.freeze({ value: undefined, done: true });

/**
 * The iteration of {@link replay}. Written out rather than as an async generator: an event already fetched is
 * handed out by a `next()` that settles at once, where a generator's `yield` costs two more turns of the
 * microtask queue per event, a measurable share of a replay's time.
 */
class Replay implements AsyncGenerator<Event> {
  readonly #options: ReplayOptions;
  readonly #codecs: CodecLookup;
  readonly #matchers: Array<(category: string) => boolean> | undefined;
  readonly #chunk: number;
  #batches: AsyncIterator<readonly StoredRecord[]> | undefined;
  #records: readonly StoredRecord[] = [];
  #index = 0;
  #finished = false;
  #closed: Promise<void> | undefined;
  #fetching: Promise<IteratorResult<Event>> | undefined;
  /** An option found invalid at construction, thrown by the first next(). */
  #invalid: { error: unknown } | undefined;
  #progress: ReplayProgress = { events: 0, records: 0, bytes: 0, done: 0, rate: 0, etaSeconds: Infinity };

  constructor(options: ReplayOptions) {
    this.#options = options;
    // Options are checked on the first next(), as a generator's body would: a bad one rejects it, and the source is closed.
    this.#codecs = options.codecs ?? createCodecLookup();
    this.#chunk = options.chunk ?? 500;
    try {
      this.#matchers = options.categories?.map((pattern, i) => withPath(`categories[${i}]`, () => compileCategoryPattern(pattern)));
    } catch (error) {
      this.#matchers = undefined;
      this.#invalid = { error };
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Event>> {
    // A next() called before the last one settled waits for it, as a generator's would.
    if (this.#fetching) return this.#fetching.then(() => this.next(), () => this.next());
    if (this.#finished) return Promise.resolve(DONE);
    const stored = this.#nextHeld();
    if (stored !== undefined) return this.#decode(stored);
    const fetching = this.#fetch();
    this.#fetching = fetching;
    void fetching.then(
      () => (this.#fetching = undefined),
      () => (this.#fetching = undefined),
    );
    return fetching;
  }

  async return(): Promise<IteratorResult<Event>> {
    this.#finished = true;
    await this.#close();
    return DONE;
  }

  async throw(error?: unknown): Promise<IteratorResult<Event>> {
    return this.#fail(error);
  }

  /** `await using events = replay(...)` closes the source when the block ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  #decode(stored: StoredRecord): Promise<IteratorResult<Event>> {
    try {
      const decoded = decodeEvent(stored.record, this.#codecs, this.#options.topic, stored.offset);
      if (decoded instanceof Promise) return decoded.then((value) => ({ value, done: false }), (error: unknown) => this.#fail(error));
      return Promise.resolve({ value: decoded, done: false });
    } catch (error) {
      return this.#fail(error);
    }
  }

  /** The next record fetched and wanted (past the category filter), or undefined when the fetch is used up. */
  #nextHeld(): StoredRecord | undefined {
    const records = this.#records;
    const progress = this.#progress;
    const matchers = this.#matchers;
    while (this.#index < records.length) {
      const stored = records[this.#index++]!;
      progress.records++;
      progress.bytes += stored.record.value.length;
      if (matchers) {
        const category = readCategory(stored.record, this.#options.topic);
        if (!matchers.some((m) => m(category))) continue;
      }
      progress.events++;
      return stored;
    }
    return undefined;
  }

  /** Fetches until a wanted record comes (and decodes it) or the range ends. */
  async #fetch(): Promise<IteratorResult<Event>> {
    let stored: StoredRecord | undefined;
    try {
      this.#batches ??= this.#read();
      while (stored === undefined) {
        const got = await this.#batches.next();
        if (got.done) {
          this.#finished = true;
          this.#progress.done = 1;
          this.#options.onProgress?.({ ...this.#progress, etaSeconds: 0 });
          await this.#close();
          return DONE;
        }
        this.#records = got.value;
        this.#index = 0;
        stored = this.#nextHeld();
      }
    } catch (error) {
      return this.#fail(error);
    }
    return this.#decode(stored);
  }

  /** Every fetch of every partition's range in turn, reporting progress after each. */
  async *#read(): AsyncGenerator<readonly StoredRecord[]> {
    const { source, topic, signal, onProgress } = this.#options;
    const chunk = this.#chunk;
    if (this.#invalid) throw this.#invalid.error;
    if (!Number.isSafeInteger(chunk) || chunk < 1) throw new InvalidArgumentError(`chunk must be an integer >= 1, got ${String(chunk)}`, { option: 'chunk', value: chunk });
    const ranges = await planRanges(source, topic, this.#options.from ?? 'earliest', this.#options.to ?? 'end');
    const total = ranges.reduce((n, r) => n + Number(r.to - r.from), 0);
    const started = Date.now();
    this.#progress.done = total === 0 ? 1 : 0;
    for (const range of ranges) {
      // The records of each fetch are handed out before progress counts them; reporting waits for the next pull.
      yield* readRange(source, topic, range, chunk, signal, () => report(this.#progress, total, started, onProgress));
    }
  }

  async #fail(error: unknown): Promise<IteratorResult<Event>> {
    this.#finished = true;
    this.#records = [];
    await this.#close();
    throw error;
  }

  #close(): Promise<void> {
    return (this.#closed ??= Promise.resolve(this.#options.source.close?.()).then(() => undefined));
  }
}

/**
 * The records of one partition's range, a fetch at a time; `fetched` is called after each fetch is handed out.
 * The next fetch is under way while the caller works through the current one (the broker and the network work
 * while this process decodes), so memory holds at most two fetches.
 */
async function* readRange(source: ReplaySource, topic: string, range: Range, chunk: number, signal: AbortSignal | undefined, fetched: () => void): AsyncGenerator<readonly StoredRecord[]> {
  const read = (from: bigint) => source.read(topic, range.partition, from, chunk);
  let next = range.from;
  let ahead: Promise<SourceRead> | undefined;
  while (next < range.to) {
    if (signal?.aborted) throw new TributaryError(ErrorCodes.ABORTED, 'replay was aborted', { cause: signal.reason });
    let got = await (ahead ?? read(next));
    ahead = undefined;
    // Below the captured end, a read that brings nothing and moves nowhere may be a broker that has not caught
    // up yet: ask once more, then step over one offset (a bus whose reads cannot say where they end).
    if (got.records.length === 0 && got.next <= next) got = await read(next);
    if (got.records.length === 0) {
      next = got.next > next ? got.next : next + 1n;
      continue;
    }
    const { records } = got;
    const inRange = records[records.length - 1]!.offset.offset < range.to ? records : records.filter((r) => r.offset.offset < range.to);
    if (inRange.length === 0) break;
    next = inRange.length === records.length && got.next > next ? got.next : inRange[inRange.length - 1]!.offset.offset + 1n;
    if (inRange.length === records.length && next < range.to) {
      ahead = read(next);
      // Left unread if the caller stops early: its failure then matters to no one.
      ahead.catch(() => undefined);
    }
    yield inRange;
    fetched();
    if (inRange.length < records.length) return;
  }
}

function withPath<T>(path: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    throw new InvalidArgumentError(`${path}: ${(error as Error).message}`, { option: path }, error);
  }
}

function report(progress: ReplayProgress, total: number, started: number, onProgress: ReplayOptions['onProgress']): void {
  const seconds = Math.max((Date.now() - started) / 1000, 1e-3);
  progress.rate = progress.records / seconds;
  progress.done = total === 0 ? 1 : Math.min(1, progress.records / total);
  progress.etaSeconds = progress.rate > 0 ? Math.max(0, (total - progress.records) / progress.rate) : Infinity;
  onProgress?.({ ...progress });
}

async function planRanges(source: ReplaySource, topic: string, from: ReplayBound, to: ReplayBound): Promise<Range[]> {
  const count = await source.partitionCount(topic);
  if (count === 0) throw new InvalidArgumentError(`Cannot replay topic "${topic}": it does not exist`, { topic });
  for (const [which, bound] of [['from', from], ['to', to]] as const) {
    if (bound instanceof Position || (typeof bound === 'string' && bound.includes('@'))) checkPartitionsExist(`Replay ${which}`, bound instanceof Position ? bound : Position.parse(bound), topic, count);
  }
  const ranges: Range[] = [];
  for (let partition = 0; partition < count; partition++) {
    const { low, high } = await source.range(topic, partition);
    const start = await resolveBound(source, topic, partition, from, low, high, 'from');
    const end = await resolveBound(source, topic, partition, to, low, high, 'to');
    if (end > start) ranges.push({ partition, from: start, to: end });
  }
  return ranges;
}

async function resolveBound(source: ReplaySource, topic: string, partition: number, bound: ReplayBound, low: bigint, high: bigint, which: 'from' | 'to'): Promise<bigint> {
  if (bound === 'earliest') return low;
  if (bound === 'end') return high;
  if (bound instanceof Position || (typeof bound === 'string' && bound.includes('@'))) {
    const position = bound instanceof Position ? bound : Position.parse(bound);
    const offset = position.get(topic, partition);
    if (offset === undefined) return which === 'from' ? low : high;
    if (offset < low || offset > high) throw new OffsetOutOfRangeError(`Replay ${which}`, { topic, partition, offset, low, high });
    return offset;
  }
  const millis = timeMillis(bound);
  if (millis === undefined) throw new InvalidArgumentError(`Invalid replay ${which} ${JSON.stringify(String(bound))}: expected 'earliest', 'end', a Position, a DateTime, a Date or an ISO time`, { option: which });
  const offset = await source.offsetForTime(topic, partition, millis);
  return offset < low ? low : offset > high ? high : offset;
}
