import { DateTime } from 'luxon';
import { EventOffset, InvalidArgumentError, Position, quote } from '@tributary/core';
import { OffsetOutOfRangeError } from '../errors.js';
import { partitionKey } from '@tributary/kafka';
import type { OffsetLookup, PartitionRange } from '@tributary/kafka';

/**
 * Where to start reading:
 * - `'earliest'` / `'latest'`: either end of each partition;
 * - a {@link Position} (or its text `topic:partition@next,...`): the next offset of each partition it names;
 * - an {@link EventOffset}: that event first (inclusive), in its partition;
 * - a time (a luxon DateTime, a Date or an ISO text): per partition, the first record at or after it, found
 *   with the broker's offsets-for-times.
 */
export type StartPosition = 'earliest' | 'latest' | Position | EventOffset | DateTime | Date | string;

/** A position outside a partition's range: fail (the default, OFFSET_OUT_OF_RANGE), or reset to an end. */
export type OutOfRangePolicy = 'fail' | 'earliest' | 'latest';

/** A start position checked and parsed (at construction, before anything is read). */
export type ParsedStart =
  | { readonly kind: 'earliest' | 'latest' }
  | { readonly kind: 'position'; readonly position: Position }
  | { readonly kind: 'time'; readonly millis: number };

/**
 * Check and parse a start position.
 * @throws InvalidArgumentError naming `path` when the value is none of the accepted forms, or when it names a
 *   topic outside `topics` (when given).
 */
export function parseStartPosition(value: StartPosition, path: string, topics?: readonly string[]): ParsedStart {
  let parsed: ParsedStart;
  if (value === 'earliest' || value === 'latest') return { kind: value };
  if (value instanceof Position) parsed = { kind: 'position', position: value };
  else if (value instanceof EventOffset) parsed = { kind: 'position', position: Position.of([{ topic: value.topic, partition: value.partition, next: value.offset }]) };
  else if (typeof value === 'string' && value.includes('@')) {
    try {
      parsed = { kind: 'position', position: Position.parse(value) };
    } catch (error) {
      throw new InvalidArgumentError(`${path}: ${(error as Error).message}`, { option: path, value }, error);
    }
  } else {
    const millis = timeMillis(value);
    if (millis === undefined) {
      throw new InvalidArgumentError(
        `${path} must be 'earliest', 'latest', a Position (or its text "topic:partition@offset,..."), an EventOffset, a luxon DateTime, a Date or an ISO time; got ${quote(String(value))}`,
        { option: path, value: String(value) },
      );
    }
    parsed = { kind: 'time', millis };
  }
  if (parsed.kind === 'position' && topics) {
    const stray = parsed.position.entries().find((e) => !topics.includes(e.topic));
    if (stray) throw new InvalidArgumentError(`${path} names topic ${quote(stray.topic)}, which is not among the topics read (${topics.map((t) => quote(t)).join(', ')})`, { option: path, value: stray.topic });
  }
  return parsed;
}

/** Epoch milliseconds of a DateTime, a Date or an ISO text; undefined when it is none of them or invalid. */
export function timeMillis(value: unknown): number | undefined {
  let dt: DateTime | undefined;
  if (DateTime.isDateTime(value)) dt = value;
  else if (value instanceof Date) dt = DateTime.fromJSDate(value);
  else if (typeof value === 'string') dt = DateTime.fromISO(value, { zone: 'utc' });
  return dt?.isValid ? dt.toMillis() : undefined;
}

/**
 * Bring `offset` into a partition's range `low..high` (high included: "after the last record").
 * @throws OffsetOutOfRangeError naming the range when it lies outside and `policy` is 'fail'.
 */
export function clampToRange(what: string, topic: string, range: PartitionRange, offset: bigint, policy: OutOfRangePolicy): bigint {
  if (offset >= range.low && offset <= range.high) return offset;
  if (policy === 'fail') {
    throw new OffsetOutOfRangeError(what, { topic, offset, ...range }, " (choose onOutOfRange 'earliest' or 'latest' to reset instead)");
  }
  return policy === 'earliest' ? range.low : range.high;
}

/**
 * The next offset to read of each partition a start position names, checked against the partition's range.
 * Returns an empty map for 'earliest' and 'latest', which a consumer's reset policy applies where the group
 * has no commit. A Position leaves partitions it does not name alone; `include` leaves out others (say, those a
 * group has a commit for), before their range is checked.
 * @throws OffsetOutOfRangeError naming the partition and its valid range (policy 'fail').
 */
export async function resolveStartPosition(
  start: ParsedStart,
  topics: readonly string[],
  lookup: OffsetLookup,
  policy: OutOfRangePolicy,
  include: (partitionKey: string) => boolean = () => true,
): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  if (start.kind === 'earliest' || start.kind === 'latest') return out;
  for (const topic of topics) {
    const ranges = await lookup.ranges(topic);
    const byTime = start.kind === 'time' ? await lookup.offsetsForTime(topic, start.millis) : undefined;
    for (const range of ranges) {
      const wanted = start.kind === 'position' ? start.position.get(topic, range.partition) : (byTime!.find((p) => p.partition === range.partition)?.offset ?? range.high);
      if (wanted === undefined || !include(partitionKey(topic, range.partition))) continue;
      // A time always lands inside the range; below `low` only if records were deleted since: take `low`.
      const offset = start.kind === 'time' && wanted < range.low ? range.low : wanted;
      out.set(partitionKey(topic, range.partition), clampToRange('Start position', topic, range, offset, policy));
    }
    if (start.kind === 'position') checkPartitionsExist('Start position', start.position, topic, ranges.length);
  }
  return out;
}

/**
 * A position naming a partition its topic does not have is a mistake (Kafka never removes partitions), not a
 * partition to leave alone: refuse it rather than let a seek or a start position do nothing in silence.
 * @throws InvalidArgumentError naming the position, the partition and the topic's partitions.
 */
export function checkPartitionsExist(what: string, position: Position, topic: string, partitions: number): void {
  const stray = position.entries().find((e) => e.topic === topic && e.partition >= partitions);
  if (!stray) return;
  throw new InvalidArgumentError(
    `${what} ${topic}:${stray.partition}@${stray.next} names partition ${stray.partition}, but topic ${quote(topic)} has partitions 0 to ${partitions - 1}`,
    { topic, partition: stray.partition, partitions, expected: `a partition from 0 to ${partitions - 1}` },
  );
}

/**
 * The next offset of each partition a parsed position names: 'earliest' and 'latest' name every partition of
 * every topic (the start or the end of its log now); other positions as {@link resolveStartPosition}. `include`
 * leaves partitions out by key.
 * @throws OffsetOutOfRangeError (policy 'fail').
 */
export async function positionTargets(
  start: ParsedStart,
  topics: readonly string[],
  lookup: OffsetLookup,
  policy: OutOfRangePolicy,
  include: (partitionKey: string) => boolean = () => true,
): Promise<Map<string, bigint>> {
  if (start.kind !== 'earliest' && start.kind !== 'latest') return resolveStartPosition(start, topics, lookup, policy, include);
  const out = new Map<string, bigint>();
  for (const topic of topics) {
    for (const r of await lookup.ranges(topic)) {
      const key = partitionKey(topic, r.partition);
      if (include(key)) out.set(key, start.kind === 'earliest' ? r.low : r.high);
    }
  }
  return out;
}
