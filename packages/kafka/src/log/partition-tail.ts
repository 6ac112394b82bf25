import { ErrorCodes, isTributaryError } from '@tributary/core';
import { messageOf, type Logger } from '../logging/logger.js';
import type { LogReader, StoredLogRecord } from './log-transport.js';

/** Options of a {@link PartitionTail}. */
export interface PartitionTailOptions {
  readonly reader: LogReader;
  readonly topic: string;
  readonly logger: Logger;
  /** Longest a read waits at the broker for new records. Lower: partitions added join sooner. */
  readonly maxWaitMs: number;
  /**
   * Where a position outside its partition's range goes: `end` (default: what was skipped is of no use, as
   * expired requests) or `start` (the oldest record kept: a history reader loses as little as it can).
   */
  readonly outOfRange?: 'end' | 'start';
  /**
   * Called with each partition's records in offset order, and the range they cover: every record of the
   * partition from `from` (the position read from) to before `next` (where the next read starts) is among them.
   * Awaited before the next read (backpressure). A partition with no new records is not called.
   */
  readonly onRecords: (partition: number, records: readonly StoredLogRecord[], range: { readonly from: bigint; readonly next: bigint }) => void | Promise<void>;
}

/**
 * Follows chosen partitions of one topic from chosen offsets, without a consumer group: how messaging reads its
 * sessions topic and inboxes, and streams their index and the partitions their listeners need. One long-polling
 * read covers every partition followed, so a record written to any of them is delivered within one round trip.
 * A failed read is logged and retried with a back-off. A position outside the partition's range (retention
 * passed it) moves to the partition's end or start (`outOfRange`), with a warning.
 */
export class PartitionTail {
  readonly #o: PartitionTailOptions;
  readonly #positions = new Map<number, bigint>();
  readonly #waiters = new Set<{ partition: number; offset: bigint; resolve: () => void }>();
  /** Rewinds asked for while a read was in flight, applied when it returns. */
  readonly #rewound = new Map<number, bigint>();
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: PartitionTailOptions) {
    this.#o = options;
  }

  /** The partitions' current ends (one past the last record), to start reading from. */
  async ends(): Promise<Map<number, bigint>> {
    return new Map((await this.#ranges()).map((r) => [r.partition, r.high]));
  }

  /** The partitions' starts, to read everything still kept. */
  async starts(): Promise<Map<number, bigint>> {
    return new Map((await this.#ranges()).map((r) => [r.partition, r.low]));
  }

  /** Read `partition` from `offset` on (a partition already read keeps its position). */
  follow(partition: number, offset: bigint): void {
    if (!this.#positions.has(partition)) this.#positions.set(partition, offset);
    this.#running ??= this.#loop();
  }

  /**
   * Read `partition` again from `offset` when that is before its position (a new reader of older records joined).
   * Records already delivered are delivered again: whoever needs them once keeps its own next offset.
   */
  rewind(partition: number, offset: bigint): void {
    const position = this.#positions.get(partition);
    if (position === undefined) return this.follow(partition, offset);
    if (offset < position) this.#positions.set(partition, offset);
    const asked = this.#rewound.get(partition);
    this.#rewound.set(partition, asked === undefined || offset < asked ? offset : asked);
  }

  /** Stop reading `partition` (its waiters stay until it is followed again and reaches their offsets). */
  unfollow(partition: number): void {
    this.#positions.delete(partition);
    this.#rewound.delete(partition);
  }

  has(partition: number): boolean {
    return this.#positions.has(partition);
  }

  /** Resolves once every record before `offset` of `partition` has been passed to `onRecords`. */
  reached(partition: number, offset: bigint): Promise<void> {
    if ((this.#positions.get(partition) ?? -1n) >= offset) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.add({ partition, offset, resolve }));
  }

  async close(): Promise<void> {
    this.#stopped = true;
    await this.#running?.catch(() => {});
    await this.#o.reader.close();
  }

  /**
   * The partitions' ranges, asked again on retriable failures for up to 10 s: a topic created a moment ago can
   * answer "not the leader" until every broker has learnt its leaders.
   */
  async #ranges(): Promise<Array<{ partition: number; low: bigint; high: bigint }>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#o.reader.ranges(this.#o.topic);
      } catch (error) {
        if (!isTributaryError(error) || !error.retriable || attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  }

  async #loop(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      const positions = [...this.#positions].map(([partition, offset]) => ({ partition, offset }));
      this.#rewound.clear();
      if (positions.length === 0) {
        // Nothing followed now: wait for a partition to be followed rather than spin.
        await new Promise((r) => setTimeout(r, this.#o.maxWaitMs));
        continue;
      }
      try {
        const answers = await this.#o.reader.read(this.#o.topic, positions, this.#o.maxWaitMs);
        let failed = false;
        for (const answer of answers) {
          if (this.#stopped) return;
          if (answer.error) {
            failed = true;
            await this.#recover(answer.partition, answer.error);
            continue;
          }
          if (!this.#positions.has(answer.partition)) continue;
          const from = positions.find((p) => p.partition === answer.partition)!.offset;
          if (answer.records.length > 0) await this.#o.onRecords(answer.partition, answer.records, { from, next: answer.next });
          if (!this.#positions.has(answer.partition)) continue;
          const rewound = this.#rewound.get(answer.partition);
          this.#positions.set(answer.partition, rewound !== undefined && rewound < answer.next ? rewound : answer.next);
          this.#rewound.delete(answer.partition);
          this.#wake();
        }
        failures = failed ? failures + 1 : 0;
      } catch (error) {
        failures++;
        this.#o.logger.warn({ topic: this.#o.topic, err: messageOf(error) }, 'Reading the topic failed; retrying');
      }
      if (failures > 0 && !this.#stopped) await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** Math.min(failures, 6))));
    }
  }

  async #recover(partition: number, error: unknown): Promise<void> {
    if (isTributaryError(error, ErrorCodes.OFFSET_OUT_OF_RANGE)) {
      const toStart = this.#o.outOfRange === 'start';
      const end = (await (toStart ? this.starts() : this.ends()).catch(() => undefined))?.get(partition);
      if (end !== undefined) {
        this.#o.logger.warn({ topic: this.#o.topic, partition, to: end.toString() }, `A followed position is outside its partition; moving to its ${toStart ? 'oldest record kept' : 'end'}`);
        this.#positions.set(partition, end);
        this.#wake();
        return;
      }
    }
    this.#o.logger.warn({ topic: this.#o.topic, partition, err: messageOf(error) }, 'Reading a followed partition failed; retrying');
  }

  #wake(): void {
    for (const w of this.#waiters) {
      if ((this.#positions.get(w.partition) ?? -1n) >= w.offset) {
        this.#waiters.delete(w);
        w.resolve();
      }
    }
  }
}
