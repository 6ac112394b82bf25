import { ErrorCodes, TributaryError } from '@tributary/core';
import type { LogConnection, LogReader, LogRecord, LogTransport, PartitionRead, StoredLogRecord } from './log-transport.js';

/** Options of a {@link MemoryLogTransport}. */
export interface MemoryLogTransportOptions {
  /** Partitions of each topic, or a function of the topic's name. Default 4. */
  partitions?: number | ((topic: string) => number);
}

/**
 * A partitioned log in memory, for users' unit tests: messaging and streams run on it as on Kafka, with no
 * broker. Everything connected to the same instance shares its log, as processes share a cluster. Topics exist
 * as soon as they are used; nothing is compacted or expired.
 */
export class MemoryLogTransport implements LogTransport {
  readonly #topics = new Map<string, StoredLogRecord[][]>();
  readonly #waiters = new Set<() => void>();
  readonly #partitions: (topic: string) => number;

  constructor(options: MemoryLogTransportOptions = {}) {
    const p = options.partitions ?? 4;
    this.#partitions = typeof p === 'number' ? () => p : p;
  }

  async connect(): Promise<LogConnection> {
    return {
      partitionCount: async (topic) => this.#topic(topic).length,
      write: async (records) => records.map(({ topic, partition, record }) => ({ partition, offset: this.#append(topic, partition, record) })),
      openReader: () => this.#reader(),
      close: async () => {},
    };
  }

  #topic(topic: string): StoredLogRecord[][] {
    let partitions = this.#topics.get(topic);
    if (!partitions) this.#topics.set(topic, (partitions = Array.from({ length: this.#partitions(topic) }, () => [])));
    return partitions;
  }

  #append(topic: string, partition: number, record: LogRecord): bigint {
    const log = this.#topic(topic)[partition];
    if (!log) throw new TributaryError(ErrorCodes.INVALID_ARGUMENT, `Topic ${topic} has no partition ${partition}`, { context: { topic, partition } });
    const offset = BigInt(log.length);
    log.push({ ...record, headers: { ...record.headers }, offset, timestamp: String(Date.now()) });
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
    return offset;
  }

  #reader(): LogReader {
    let closed = false;
    const read = (topic: string, positions: ReadonlyArray<{ partition: number; offset: bigint }>): PartitionRead[] =>
      positions.map(({ partition, offset }) => {
        const log = this.#topic(topic)[partition] ?? [];
        if (offset < 0n || offset > BigInt(log.length)) return { partition, error: new TributaryError(ErrorCodes.OFFSET_OUT_OF_RANGE, `${topic}:${partition}@${offset} is outside 0 to ${log.length}`, { context: { topic, partition } }) };
        const records = log.slice(Number(offset));
        return { partition, records, next: offset + BigInt(records.length) };
      });
    return {
      ranges: async (topic) => this.#topic(topic).map((log, partition) => ({ partition, low: 0n, high: BigInt(log.length) })),
      read: async (topic, positions, maxWaitMs) => {
        let answers = read(topic, positions);
        if (closed || answers.some((a) => a.error || a.records.length > 0)) return answers;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => (this.#waiters.delete(wake), resolve()), maxWaitMs);
          const wake = () => (clearTimeout(timer), resolve());
          this.#waiters.add(wake);
        });
        answers = read(topic, positions);
        return answers;
      },
      close: async () => {
        closed = true;
      },
    };
  }
}
