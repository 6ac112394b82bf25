import { ErrorCodes, InvalidArgumentError, TributaryError, quote } from '../errors.js';
import { isValidPartition, validateTopic } from './topic.js';

/** The largest offset Kafka can hold (a signed 64-bit integer). */
export const MAX_OFFSET = 2n ** 63n - 1n;

const DIGITS = /^(?:0|[1-9][0-9]*)$/;

/**
 * Parse an offset given as a bigint, a decimal string or a safe integer number, exactly.
 * @throws InvalidArgumentError when it is not an integer from 0 to 2^63 - 1.
 */
export function toOffset(value: bigint | string | number, what = 'offset'): bigint {
  let offset: bigint | undefined;
  if (typeof value === 'bigint') offset = value;
  else if (typeof value === 'string' && DIGITS.test(value)) offset = BigInt(value);
  else if (typeof value === 'number' && Number.isSafeInteger(value)) offset = BigInt(value);
  if (offset === undefined || offset < 0n || offset > MAX_OFFSET) {
    throw new InvalidArgumentError(
      `Invalid ${what} ${quote(typeof value === 'bigint' ? value.toString() : value)}: expected an integer from 0 to ${MAX_OFFSET} ` +
        '(a bigint, a decimal string without leading zeros, or a safe integer)',
      { value: typeof value === 'bigint' ? value.toString() : value, expected: what },
    );
  }
  return offset;
}

/** @throws InvalidArgumentError when `value` is not an integer from 0 to 2^31 - 1. */
export function toPartition(value: unknown): number {
  if (isValidPartition(value)) return value;
  throw new InvalidArgumentError(`Invalid partition ${quote(value)}: expected an integer from 0 to 2147483647`, {
    value,
    expected: 'partition',
  });
}

/**
 * Where an event is stored: a topic, a partition and the event's offset in that partition. Offsets are
 * bigints, exact for every 64-bit Kafka offset; they are never converted to floating point.
 *
 * The canonical text form is `topic:partition@offset`, such as `orders.v1:3@1042`. Topic names cannot hold
 * `:` or `@` (see {@link isValidTopic}); the text is parsed from the right all the same.
 *
 * Instances are immutable.
 */
export class EventOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;

  private constructor(topic: string, partition: number, offset: bigint) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    Object.freeze(this);
  }

  /**
   * Make an offset. `offset` may be a bigint, a decimal string or a safe integer.
   * @throws InvalidArgumentError naming the topic, partition or offset that is not valid.
   */
  static of(topic: string, partition: number, offset: bigint | string | number): EventOffset {
    return new EventOffset(validateTopic(topic), toPartition(partition), toOffset(offset));
  }

  /**
   * Parse the canonical text form `topic:partition@offset`.
   * @throws InvalidArgumentError quoting the text when it is not of that form.
   */
  static parse(text: string): EventOffset {
    const at = typeof text === 'string' ? text.lastIndexOf('@') : -1;
    const colon = at > 0 ? text.lastIndexOf(':', at) : -1;
    if (at < 0 || colon <= 0) {
      throw new InvalidArgumentError(`Invalid event offset ${quote(text)}: expected "topic:partition@offset", such as "orders:0@42"`, {
        value: text,
        expected: 'topic:partition@offset',
      });
    }
    const partitionText = text.slice(colon + 1, at);
    try {
      const partition = /^(?:0|[1-9][0-9]*)$/.test(partitionText) ? Number(partitionText) : Number.NaN;
      return EventOffset.of(text.slice(0, colon), partition, text.slice(at + 1));
    } catch (error) {
      throw new InvalidArgumentError(
        `Invalid event offset ${quote(text)}: expected "topic:partition@offset", such as "orders:0@42" (${(error as Error).message})`,
        { value: text, expected: 'topic:partition@offset' },
        error,
      );
    }
  }

  /**
   * Order by topic (code unit order), then partition, then offset. Offsets of different partitions are not
   * ordered in time; this order is only canonical, for sorting and for maps.
   */
  static compare(a: EventOffset, b: EventOffset): number {
    if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
    if (a.partition !== b.partition) return a.partition - b.partition;
    return a.offset === b.offset ? 0 : a.offset < b.offset ? -1 : 1;
  }

  /**
   * The offset right after this one in the same partition (offset + 1): the next offset a reader asks for
   * after handling this event.
   * @throws TributaryError OFFSET_OUT_OF_RANGE past the largest 64-bit offset.
   */
  next(): EventOffset {
    if (this.offset >= MAX_OFFSET) {
      throw new TributaryError(ErrorCodes.OFFSET_OUT_OF_RANGE, `Offset ${this.toString()} has no successor: it is the largest 64-bit offset`, {
        context: { offset: this.toString(), max: MAX_OFFSET.toString() },
      });
    }
    return new EventOffset(this.topic, this.partition, this.offset + 1n);
  }

  /** True when both name the same topic, partition and offset. */
  equals(other: EventOffset | undefined | null): boolean {
    return !!other && other.topic === this.topic && other.partition === this.partition && other.offset === this.offset;
  }

  /** True when both are in the same topic and partition (and so their offsets can be compared). */
  samePartition(other: { topic: string; partition: number }): boolean {
    return other.topic === this.topic && other.partition === this.partition;
  }

  /** The canonical text form `topic:partition@offset`. */
  toString(): string {
    return `${this.topic}:${this.partition}@${this.offset}`;
  }

  /** The canonical text form, so `JSON.stringify` never meets a bigint. */
  toJSON(): string {
    return this.toString();
  }
}
