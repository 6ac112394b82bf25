import { InvalidArgumentError, quote } from '../errors.js';
import { EventOffset, toOffset, toPartition } from './event-offset.js';
import { validateTopic } from './topic.js';

/** One partition of a {@link Position}: the next offset to read from it. */
export interface PositionEntry {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read (the offset of the last handled event + 1). */
  readonly next: bigint;
}

function keyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function compareEntries(a: PositionEntry, b: PositionEntry): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}

/**
 * Where a reader stands: for each (topic, partition), the next offset to read. It is what a consumer commits
 * and what a user stores to seek back to later.
 *
 * Immutable. Its text form ({@link Position.toString}) is one string, entries sorted by topic then partition,
 * such as `orders:0@42,orders:1@7`; the same position always gives the same text, so texts can be compared.
 */
export class Position {
  /** The position with no entries. */
  static readonly empty: Position = new Position(new Map());

  readonly #entries: ReadonlyMap<string, PositionEntry>;
  #sorted: readonly PositionEntry[] | undefined;

  private constructor(entries: ReadonlyMap<string, PositionEntry>) {
    this.#entries = entries;
  }

  /**
   * Make a position from entries.
   * @throws InvalidArgumentError on an invalid topic, partition or offset, or when a partition is listed twice.
   */
  static of(entries: Iterable<{ topic: string; partition: number; next: bigint | string | number }>): Position {
    const map = new Map<string, PositionEntry>();
    for (const entry of entries) {
      const topic = validateTopic(entry.topic);
      const partition = toPartition(entry.partition);
      const key = keyOf(topic, partition);
      if (map.has(key)) {
        throw new InvalidArgumentError(`Position lists ${topic}:${partition} twice: expected each partition at most once`, {
          topic,
          partition,
          expected: 'unique partitions',
        });
      }
      map.set(key, Object.freeze({ topic, partition, next: toOffset(entry.next, 'next offset') }));
    }
    return map.size === 0 ? Position.empty : new Position(map);
  }

  /**
   * Parse the text form: comma-separated `topic:partition@next` entries, in any order; an empty or blank text
   * is the empty position. Blanks around entries are ignored.
   * @throws InvalidArgumentError quoting the text (and the bad entry) when it is not of that form.
   */
  static parse(text: string): Position {
    if (typeof text !== 'string') {
      throw new InvalidArgumentError(`Invalid position ${quote(text)}: expected a string such as "orders:0@42,orders:1@7"`, {
        value: text,
        expected: 'position text',
      });
    }
    if (text.trim() === '') return Position.empty;
    try {
      return Position.of(
        text.split(',').map((part) => {
          const offset = EventOffset.parse(part.trim());
          return { topic: offset.topic, partition: offset.partition, next: offset.offset };
        }),
      );
    } catch (error) {
      throw new InvalidArgumentError(
        `Invalid position ${quote(text)}: expected comma-separated "topic:partition@offset" entries, such as "orders:0@42,orders:1@7" (${(error as Error).message})`,
        { value: text, expected: 'position text' },
        error,
      );
    }
  }

  /** The next offset to read from a partition, or undefined when the position does not name it. */
  get(topic: string, partition: number): bigint | undefined {
    return this.#entries.get(keyOf(topic, partition))?.next;
  }

  /** How many partitions the position names. */
  get size(): number {
    return this.#entries.size;
  }

  /** The entries, sorted by topic (code unit order) then partition. */
  entries(): readonly PositionEntry[] {
    this.#sorted ??= Object.freeze([...this.#entries.values()].sort(compareEntries));
    return this.#sorted;
  }

  /**
   * The position after handling the event at `offset`: its partition's next offset becomes `offset + 1`,
   * unless the position is already further; a position only ever moves forward. Returns `this` when nothing
   * changes.
   * @throws TributaryError OFFSET_OUT_OF_RANGE when `offset` is the largest 64-bit offset.
   */
  advancedPast(offset: EventOffset): Position {
    const next = offset.next().offset;
    const key = keyOf(offset.topic, offset.partition);
    const current = this.#entries.get(key);
    if (current !== undefined && current.next >= next) return this;
    const map = new Map(this.#entries);
    map.set(key, Object.freeze({ topic: offset.topic, partition: offset.partition, next }));
    return new Position(map);
  }

  /** True when both name the same partitions with the same next offsets. */
  equals(other: Position): boolean {
    if (other.size !== this.size) return false;
    for (const [key, entry] of this.#entries) {
      if (other.#entries.get(key)?.next !== entry.next) return false;
    }
    return true;
  }

  /** The canonical text form, such as `orders:0@42,orders:1@7`; the empty position gives `""`. */
  toString(): string {
    return this.entries()
      .map((e) => `${e.topic}:${e.partition}@${e.next}`)
      .join(',');
  }

  /** The text form, so a position serializes as one string. */
  toJSON(): string {
    return this.toString();
  }
}
