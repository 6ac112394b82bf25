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
export async function* replay(options: ReplayOptions): AsyncGenerator<Event> {
  const { source, topic } = options;
  try {
    const matchers = options.categories?.map((pattern, i) => withPath(`categories[${i}]`, () => compileCategoryPattern(pattern)));
    const codecs = options.codecs ?? createCodecLookup();
    const chunk = options.chunk ?? 500;
    if (!Number.isSafeInteger(chunk) || chunk < 1) throw new InvalidArgumentError(`chunk must be an integer >= 1, got ${String(chunk)}`, { option: 'chunk', value: chunk });
    const ranges = await planRanges(source, topic, options.from ?? 'earliest', options.to ?? 'end');
    const total = ranges.reduce((n, r) => n + Number(r.to - r.from), 0);
    const started = Date.now();
    const progress: ReplayProgress = { events: 0, records: 0, bytes: 0, done: total === 0 ? 1 : 0, rate: 0, etaSeconds: Infinity };
    for (const range of ranges) {
      for await (const records of readRange(source, topic, range, chunk, options.signal, () => report(progress, total, started, options.onProgress))) {
        for (const stored of records) {
          progress.records++;
          progress.bytes += stored.record.value.length;
          const category = readCategory(stored.record, topic);
          if (matchers && !matchers.some((m) => m(category))) continue;
          progress.events++;
          // An async generator awaits what it yields: a registry lookup's Promise needs no await of its own.
          yield decodeEvent(stored.record, codecs, topic, stored.offset);
        }
      }
    }
    progress.done = 1;
    options.onProgress?.({ ...progress, etaSeconds: 0 });
  } finally {
    await source.close?.();
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
