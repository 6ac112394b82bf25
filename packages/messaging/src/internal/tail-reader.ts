import { ErrorCodes, isTributaryError } from '@tributary/core';
import { messageOf, type Logger } from '@tributary/kafka';
import type { StoredRecord, TransportReader } from '../transport/transport.js';

/** Options of a {@link TailReader}. */
export interface TailReaderOptions {
  readonly reader: TransportReader;
  readonly topic: string;
  readonly logger: Logger;
  /** Longest a read waits at the broker for new records. Lower: partitions added join sooner. */
  readonly maxWaitMs: number;
  /** Called with each partition's records in offset order; awaited before the next read (backpressure). */
  readonly onRecords: (partition: number, records: readonly StoredRecord[]) => void | Promise<void>;
}

/**
 * Follows chosen partitions of one topic from chosen offsets, without a consumer group: the messaging hub's
 * way of reading the sessions topic and its sessions' inbox partitions. One long-polling read covers every
 * partition, so a record written to any of them is delivered within one round trip. A failed read is logged
 * and retried with a back-off; a position outside the partition's range (retention passed it) moves to the
 * partition's end, since what it skipped is past every request's deadline.
 */
export class TailReader {
  readonly #o: TailReaderOptions;
  readonly #positions = new Map<number, bigint>();
  readonly #waiters = new Set<{ partition: number; offset: bigint; resolve: () => void }>();
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: TailReaderOptions) {
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
          if (answer.records.length > 0) await this.#o.onRecords(answer.partition, answer.records);
          this.#positions.set(answer.partition, answer.next);
          this.#wake();
        }
        failures = failed ? failures + 1 : 0;
      } catch (error) {
        failures++;
        this.#o.logger.warn({ topic: this.#o.topic, err: messageOf(error) }, 'Messaging: reading the topic failed; retrying');
      }
      if (failures > 0 && !this.#stopped) await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** Math.min(failures, 6))));
    }
  }

  async #recover(partition: number, error: unknown): Promise<void> {
    if (isTributaryError(error, ErrorCodes.OFFSET_OUT_OF_RANGE)) {
      const end = (await this.ends().catch(() => undefined))?.get(partition);
      if (end !== undefined) {
        this.#o.logger.warn({ topic: this.#o.topic, partition, to: end.toString() }, 'Messaging: position outside the partition; moving to its end');
        this.#positions.set(partition, end);
        this.#wake();
        return;
      }
    }
    this.#o.logger.warn({ topic: this.#o.topic, partition, err: messageOf(error) }, 'Messaging: reading a partition failed; retrying');
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
